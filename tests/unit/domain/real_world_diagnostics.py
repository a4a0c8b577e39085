"""Real-world bounce diagnostics with the outcome the contract gives them.

Pure data (standard library only) so the bench can import it too. Each case is one
``bouncedRecipients[]`` entry as SES reports it (``action`` is always ``failed``), with the
reason computed by hand from docs/outcomes.md ("How one event is classified", Bounces
steps 1-6). Strings are verbatim from the cited source except that addresses, IPs, hosts and
trace ids are replaced by placeholders (example.com, 192.0.2.x). ``source`` ends in ``V``
(seen verbatim in a public source) or ``T`` (typical form, not verified verbatim).

Step/word numbers in comments refer to outcomes.md: step 4 words 1..11 are auth_failed,
attachment_rejected, sender_blocklisted, spam_filtered, domain_not_found, mailbox_not_found,
mailbox_disabled, mailbox_full, message_too_large, security_gateway, policy_blocked.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import EllipsisType


@dataclass(frozen=True, kw_only=True)
class DiagnosticCase:
    case_id: str
    bounce_type: str
    bounce_subtype: str
    status: str | None
    diagnostic: str | None
    reporting_mta: str | None = None
    remote_mta: str | None = None
    expected_reason: str
    expected_provider: str | EllipsisType | None = ...
    expected_help_url: str | EllipsisType | None = ...
    expected_smtp_status: str | EllipsisType | None = ...
    source: str
    #: Which MTA, provider or gateway produced the reply ("Postfix", "Gmail", "Mimecast"...),
    #: for the accuracy table's per-provider breakdown; empty when not recorded.
    mta: str = ""

    @property
    def verbatim(self) -> bool:
        """Whether the reply text itself was seen verbatim (a host may still be typical)."""
        return self.source.rstrip().endswith(" V") or " V (" in self.source


SES_MTA = "dsn; a27-30.smtp-out.us-west-2.amazonses.com"
AC = "ActiveCampaign/smtp-field-manual data/codes/"


def _expired(inner: str, minutes: int = 840, code: str = "554") -> str:
    """An SES expiry diagnostic wrapping the last remote reply (ref 4.2)."""
    return f"smtp; {code} 4.4.7 Message expired: unable to deliver in {minutes} minutes.<{inner}>"


CASES: tuple[DiagnosticCase, ...] = (
    # ------------------------------------------------------------------ 7.1 Google
    DiagnosticCase(
        case_id="gmail-nosuchuser",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.1.1",
        diagnostic=(
            "smtp; 550-5.1.1 The email account that you tried to reach does not exist. Please try "
            "double-checking the recipient's email address for typos or unnecessary spaces. Learn "
            "more at https://support.google.com/mail/?p=NoSuchUser x12si3456789qkb.1 - gsmtp"
        ),
        reporting_mta=SES_MTA,
        expected_reason="mailbox_not_found",
        expected_provider="Gmail",
        expected_help_url="https://support.google.com/mail/?p=NoSuchUser",
        expected_smtp_status="5.1.1",
        source="ref 7.1 #1 V",
    ),
    DiagnosticCase(
        case_id="gmail-nosuchuser-noemail-subtype",
        bounce_type="Permanent",
        bounce_subtype="NoEmail",
        status="5.1.1",
        diagnostic=(
            "smtp;550 5.1.1 The email account that you tried to reach does not exist. Please try "
            "double-checking the recipient's email address for typos or unnecessary spaces. Learn "
            "more at https://support.google.com/mail/?p=NoSuchUser - gsmtp"
        ),
        expected_reason="mailbox_not_found",  # step 3: NoEmail
        expected_provider="Gmail",
        expected_help_url="https://support.google.com/mail/?p=NoSuchUser",
        expected_smtp_status="5.1.1",
        source=AC + "550.json gmail 5.1.1 V",
    ),
    DiagnosticCase(
        case_id="gmail-disabled",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.2.1",
        diagnostic=(
            "smtp; 550 5.2.1 The email account that you tried to reach is disabled. Learn more at "
            "https://support.google.com/mail/?p=DisabledUser x12si3456789qkb.2 - gsmtp"
        ),
        expected_reason="mailbox_disabled",
        expected_provider="Gmail",
        expected_help_url="https://support.google.com/mail/?p=DisabledUser",
        expected_smtp_status="5.2.1",
        source="ref 7.1 #2 V",
    ),
    DiagnosticCase(
        case_id="gmail-inactive-truncated",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.0.0",
        diagnostic=(
            "smtp; 550-5.2.1 The email account that you tried to reach is inactive. For more"
        ),
        expected_reason="mailbox_disabled",
        expected_help_url=None,
        expected_smtp_status="5.2.1",  # from the text, not the generic status field
        source="ref 7.1 #2 newer wording; public Go test TestParseSmtpResponse (mailserver) V",
    ),
    DiagnosticCase(
        case_id="gmail-out-of-storage-expired",
        bounce_type="Transient",
        bounce_subtype="General",
        status="4.4.7",
        diagnostic=_expired(
            "452-4.2.2 The recipient's inbox is out of storage space. Please direct the recipient "
            "to https://support.google.com/mail/?p=OverQuotaTemp x12si3456789qkb.3 - gsmtp"
        ),
        reporting_mta=SES_MTA,
        expected_reason="mailbox_full",  # step 4 expiry: inner reply, word 8 "out of storage"
        expected_provider="Gmail",
        expected_help_url="https://support.google.com/mail/?p=OverQuotaTemp",
        source="ref 7.1 #3 + ref 4.2 expiry shape V",
    ),
    DiagnosticCase(
        case_id="gmail-over-quota-temp-mailboxfull-subtype",
        bounce_type="Transient",
        bounce_subtype="MailboxFull",
        status="4.2.2",
        diagnostic=(
            "smtp;452 4.2.2 The email account that you tried to reach is over quota. Please direct "
            "the recipient to https://support.google.com/mail/?p=OverQuotaTemp - gsmtp"
        ),
        expected_reason="mailbox_full",  # step 3: MailboxFull
        expected_provider="Gmail",
        expected_help_url="https://support.google.com/mail/?p=OverQuotaTemp",
        expected_smtp_status="4.2.2",
        source=AC + "452.json google 4.2.2 V",
    ),
    DiagnosticCase(
        case_id="gmail-out-of-storage-and-inactive",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.2.2",
        diagnostic=(
            "smtp; 552-5.2.2 The recipient's inbox is out of storage space and inactive. Please "
            "direct the recipient to https://support.google.com/mail/?p=OverQuotaPerm"
        ),
        # Relabelled (issue 13): Gmail's 5.2.2 says the inbox is out of storage first;
        # the mailbox is full whatever else it is (decisive phrase).
        expected_reason="mailbox_full",
        expected_provider="Gmail",
        expected_help_url="https://support.google.com/mail/?p=OverQuotaPerm",
        expected_smtp_status="5.2.2",
        source="ref 7.1 #4 V",
    ),
    DiagnosticCase(
        case_id="gmail-over-quota-and-inactive-older",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.2.2",
        diagnostic=(
            "smtp; 552-5.2.2 The email account that you tried to reach is over quota and inactive."
        ),
        expected_reason="mailbox_disabled",  # word 7 "inactive" before word 8 "over quota"
        expected_help_url=None,
        expected_smtp_status="5.2.2",
        source="ref 7.1 #4 older wording V",
    ),
    DiagnosticCase(
        case_id="gmail-over-quota-perm",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.2.2",
        diagnostic=(
            "smtp;552 5.2.2 The email account that you tried to reach is over quota. Please direct "
            "the recipient to https://support.google.com/mail/?p=OverQuotaPerm - gsmtp"
        ),
        expected_reason="mailbox_full",
        expected_provider="Gmail",
        expected_help_url="https://support.google.com/mail/?p=OverQuotaPerm",
        expected_smtp_status="5.2.2",
        source=AC + "552.json google 5.2.2 V",
    ),
    DiagnosticCase(
        case_id="gmail-dmarc-reject",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.7.26",
        diagnostic=(
            "smtp; 550 5.7.26 Unauthenticated email from example.com is not accepted due to "
            "domain's DMARC policy. Please contact the administrator of example.com domain if this "
            "was a legitimate mail. To learn about the DMARC initiative, go to "
            "https://support.google.com/mail/?p=DmarcRejection x12si3456789qkb.4 - gsmtp"
        ),
        expected_reason="auth_failed",
        expected_provider="Gmail",
        expected_help_url="https://support.google.com/mail/?p=DmarcRejection",
        expected_smtp_status="5.7.26",
        source="ref 7.1 #5 V",
    ),
    DiagnosticCase(
        case_id="gmail-dmarc-older-contentrejected",
        bounce_type="Transient",
        bounce_subtype="ContentRejected",
        status="5.7.1",
        diagnostic=(
            "smtp;550 5.7.1 Unauthenticated email from example.com is not accepted due to "
            "domain's DMARC policy. Please contact the administrator of example.com domain if this "
            "was a legitimate mail. Please visit https://support.google.com/mail/answer/2451690 to "
            "learn about the DMARC initiative. - gsmtp"
        ),
        expected_reason="auth_failed",  # step 3 ContentRejected: DMARC words -> auth_failed
        expected_provider="Gmail",
        expected_help_url="https://support.google.com/mail/answer/2451690",
        expected_smtp_status="5.7.1",
        source="ref 7.1 #5 older; " + AC + "550.json gmail 5.7.1-2 V",
    ),
    DiagnosticCase(
        case_id="gmail-sender-unauthenticated",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.7.26",
        diagnostic=(
            "smtp; 550-5.7.26 This mail has been blocked because the sender is unauthenticated. "
            "Gmail requires all senders to authenticate with either SPF or DKIM. … "
            "https://support.google.com/mail/answer/81126#authentication"
        ),
        expected_reason="auth_failed",  # word 1 "sender is unauthenticated", 5.7.26
        expected_provider="Gmail",
        expected_help_url="https://support.google.com/mail/answer/81126#authentication",
        expected_smtp_status="5.7.26",
        source="ref 7.1 #6 V",
    ),
    DiagnosticCase(
        case_id="gmail-unsolicited-message",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.7.1",
        diagnostic=(
            "smtp; 550-5.7.1 [192.0.2.10 12] Gmail has detected that this message is likely "
            "unsolicited mail. To reduce the amount of spam sent to Gmail, this message has been "
            "blocked. For more information, go to "
            "https://support.google.com/mail/?p=UnsolicitedMessageError x12si3456789qkb.5 - gsmtp"
        ),
        expected_reason="spam_filtered",
        expected_provider="Gmail",
        expected_help_url="https://support.google.com/mail/?p=UnsolicitedMessageError",
        expected_smtp_status="5.7.1",
        source="ref 7.1 #7 V",
    ),
    DiagnosticCase(
        case_id="gmail-unsolicited-multiline-older",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.7.1",
        diagnostic=(
            "smtp; 550-5.7.1 [192.0.2.10 12] Our system has detected that this message is "
            "550-5.7.1 likely unsolicited mail. To reduce the amount of spam sent to Gmail, "
            "550-5.7.1 this message has been blocked. Please visit 550-5.7.1 "
            "https://support.google.com/mail/?p=UnsolicitedMessageError 550 5.7.1 for more "
            "information. x12si3456789qkb.6 - gsmtp"
        ),
        expected_reason="spam_filtered",
        expected_provider="Gmail",
        expected_help_url="https://support.google.com/mail/?p=UnsolicitedMessageError",
        expected_smtp_status="5.7.1",
        source="github issue postalserver/postal#266 V",
    ),
    DiagnosticCase(
        case_id="gmail-unsolicited-ip-rate",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.7.1",
        diagnostic=(
            "smtp; 550-5.7.1 [192.0.2.10 1] Our system has detected an unusual rate of unsolicited "
            "mail originating from your IP address. To protect our users from spam, mail sent from "
            "your IP address has been blocked. Please visit "
            "https://support.google.com/mail/?p=UnsolicitedIPError to review our Bulk Email "
            "Senders Guidelines."
        ),
        # Relabelled (issue 13): Gmail's UnsolicitedIPError page is about the sending IP's
        # reputation, and "your IP address has been blocked" names our IP: sender_blocklisted.
        expected_reason="sender_blocklisted",
        expected_provider="Gmail",
        expected_help_url="https://support.google.com/mail/?p=UnsolicitedIPError",
        expected_smtp_status="5.7.1",
        source="ref 7.1 #8 V",
    ),
    DiagnosticCase(
        case_id="gmail-unsolicited-rate-limited-expired",
        bounce_type="Transient",
        bounce_subtype="General",
        status="4.4.7",
        diagnostic=_expired(
            "421 4.7.28 [192.0.2.10] Our system has detected an unusual rate of unsolicited mail "
            "originating from your IP address. To protect our users from spam, mail sent from your "
            "IP address has been temporarily rate limited. Please visit "
            "https://support.google.com/mail/?p=UnsolicitedRateLimitError to review our Bulk Email "
            "Senders Guidelines. - gsmtp"
        ),
        reporting_mta=SES_MTA,
        # Relabelled (issue 13): like its 5.7.1 twin, Gmail limits our IP for its reputation.
        expected_reason="sender_blocklisted",
        expected_provider="Gmail",
        expected_help_url="https://support.google.com/mail/?p=UnsolicitedRateLimitError",
        source="ref 7.1 #9; " + AC + "421.json google 4.7.28 V",
    ),
    DiagnosticCase(
        case_id="gmail-low-domain-reputation",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.7.1",
        diagnostic=(
            "smtp; 550 5.7.1 [192.0.2.10] Our system has detected that this message is likely "
            "suspicious due to the very low reputation of the sending domain. To best protect our "
            "users from spam, the message has been blocked. Please visit "
            "https://support.google.com/mail/answer/188131 for more information. - gsmtp"
        ),
        expected_reason="sender_blocklisted",  # word 3 "reputation" before word 4
        expected_provider="Gmail",
        expected_help_url="https://support.google.com/mail/answer/188131",
        expected_smtp_status="5.7.1",
        source="ref 7.1 #10; " + AC + "550.json gmail 5.7.1 V",
    ),
    DiagnosticCase(
        case_id="gmail-low-domain-reputation-421-expired",
        bounce_type="Transient",
        bounce_subtype="General",
        status="4.4.7",
        diagnostic=_expired(
            "421 4.7.0 [192.0.2.10] Our system has detected that this message is suspicious due "
            "to the very low reputation of the sending domain. To best protect our users from "
            "spam, the message has been blocked. Please visit "
            "https://support.google.com/mail/answer/188131 for more information. - gsmtp"
        ),
        expected_reason="sender_blocklisted",  # inner reply, word 3 "reputation"
        expected_provider="Gmail",
        expected_help_url="https://support.google.com/mail/answer/188131",
        source="ref 7.1 #10 421 form; " + AC + "421.json google 4.7.0 V",
    ),
    DiagnosticCase(
        case_id="gmail-suspicious-content-421-expired",
        bounce_type="Transient",
        bounce_subtype="General",
        status="4.4.7",
        diagnostic=_expired(
            "421 4.7.0 [192.0.2.10] Our system has detected that this message is suspicious due "
            "to the nature of the content and/or the links within. To best protect our users from "
            "spam, the message has been blocked. Please visit "
            "https://support.google.com/mail/answer/188131 for more information. - gsmtp"
        ),
        expected_reason="spam_filtered",  # inner reply, word 4 "suspicious"/"spam"
        expected_provider="Gmail",
        expected_help_url="https://support.google.com/mail/answer/188131",
        source=AC + "421.json google 4.7.0-2 V",
    ),
    DiagnosticCase(
        case_id="gmail-receiving-rate-expired",
        bounce_type="Transient",
        bounce_subtype="General",
        status="4.4.7",
        diagnostic=_expired(
            "450 4.2.1 The user you are trying to contact is receiving mail at a rate that "
            "prevents additional messages from being delivered. Please resend your message at a "
            "later time. If the user is able to receive mail at that time, your message will be "
            "delivered. For more information, please visit "
            "https://support.google.com/mail/?p=ReceivingRate - gsmtp"
        ),
        expected_reason="soft_bounce",  # no words; inner 4.2.1 unmapped; step 6 Transient
        expected_provider="Gmail",
        expected_help_url="https://support.google.com/mail/?p=ReceivingRate",
        source="ref 7.1 #11; " + AC + "450.json google 4.2.1 V",
    ),
    DiagnosticCase(
        case_id="gmail-receiving-rate-perm",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.2.1",
        diagnostic=(
            "smtp;550 5.2.1 The user you are trying to contact is receiving mail at a rate that "
            "prevents additional messages from being delivered. For more information, please "
            "visit https://support.google.com/mail/?p=ReceivingRatePerm - gsmtp"
        ),
        # Relabelled (issue 13): the recipient receives too fast (Gmail's rate page), the
        # mailbox is not disabled: 5.2.1 misleads; decided by the bounce type.
        expected_reason="hard_bounce",
        expected_provider="Gmail",
        expected_help_url="https://support.google.com/mail/?p=ReceivingRatePerm",
        expected_smtp_status="5.2.1",
        source="ref 7.1 #11 permanent form; " + AC + "550.json gmail 5.2.1-2 V",
    ),
    DiagnosticCase(
        case_id="gmail-no-ptr",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.7.25",
        diagnostic=(
            "smtp; 550 5.7.25 The IP address sending this message does not have a PTR record "
            "setup, or the corresponding forward DNS entry does not point to the sending IP. …"
        ),
        expected_reason="policy_blocked",  # PTR/5.7.25: word 11 (auth_failed exclusions)
        expected_help_url=None,
        expected_smtp_status="5.7.25",
        source="ref 7.1 #12 V",
    ),
    DiagnosticCase(
        case_id="gmail-blocked-message-security-issue",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.7.0",
        diagnostic=(
            "smtp; 552-5.7.0 This message was blocked because its content presents a potential "
            "552-5.7.0 security issue. Please visit 552-5.7.0  "
            "https://support.google.com/mail/?p=BlockedMessage to review our 552 5.7.0 message "
            "content and attachment content guidelines. x12si3456789qkb.7 - gsmtp"
        ),
        expected_reason="attachment_rejected",  # word 2 "attachment" before word 4
        expected_provider="Gmail",
        expected_help_url="https://support.google.com/mail/?p=BlockedMessage",
        expected_smtp_status="5.7.0",
        source="ref 7.1 #13 full text as quoted in public repos (SET log, github) V",
    ),
    DiagnosticCase(
        case_id="gmail-blocked-message-attachmentrejected-subtype",
        bounce_type="Transient",
        bounce_subtype="AttachmentRejected",
        status="5.7.0",
        diagnostic=(
            "smtp; 552-5.7.0 This message was blocked because its content presents a potential "
            "552-5.7.0 security issue. Please visit 552-5.7.0  "
            "https://support.google.com/mail/?p=BlockedMessage to review our 552 5.7.0 message "
            "content and attachment content guidelines. x12si3456789qkb.8 - gsmtp"
        ),
        expected_reason="attachment_rejected",  # step 3: AttachmentRejected
        expected_provider="Gmail",
        expected_help_url="https://support.google.com/mail/?p=BlockedMessage",
        expected_smtp_status="5.7.0",
        source="ref 7.1 #13 V",
    ),
    DiagnosticCase(
        case_id="gmail-size-5.2.3",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.2.3",
        diagnostic="smtp; 552-5.2.3 Your message exceeded Google's message size limits.",
        expected_reason="message_too_large",  # word 9 "message size"
        expected_help_url=None,
        expected_smtp_status="5.2.3",
        source="ref 7.1 #14 V",
    ),
    DiagnosticCase(
        case_id="gmail-size-5.3.4-messagetoolarge-subtype",
        bounce_type="Transient",
        bounce_subtype="MessageTooLarge",
        status="5.3.4",
        diagnostic=(
            "smtp; 552-5.3.4 Your message exceeded Google's message size limits. Please visit "
            "https://support.google.com/mail/?p=MaxSizeError to view our size guidelines. "
            "x12si3456789qkb.9 - gsmtp"
        ),
        expected_reason="message_too_large",  # step 3: MessageTooLarge
        expected_provider="Gmail",
        expected_help_url="https://support.google.com/mail/?p=MaxSizeError",
        expected_smtp_status="5.3.4",
        source="ref 7.1 #14 second form (completed) T",
    ),
    DiagnosticCase(
        case_id="gmail-workspace-policy",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.7.1",
        diagnostic=(
            "smtp; 550 5.7.1 The user or domain that you are sending to (or from) has a policy "
            "that prohibited the mail that you sent. Please contact your domain administrator for "
            "further details. … https://support.google.com/a/answer/172179"
        ),
        expected_reason="policy_blocked",  # word 11 "policy"
        expected_provider="Gmail",
        expected_help_url="https://support.google.com/a/answer/172179",
        expected_smtp_status="5.7.1",
        source="ref 7.1 #15 V",
    ),
    DiagnosticCase(
        case_id="gmail-no-auth-information",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.7.26",
        diagnostic=(
            "smtp; 550 5.7.26 This message does not have authentication information or fails to "
            "pass authentication checks (SPF or DKIM). To best protect our users from spam, the "
            "message has been blocked. Please visit https://support.google.com/mail/answer/81126 "
            "for more information."
        ),
        expected_reason="auth_failed",  # word 1 "authentication checks"
        expected_provider="Gmail",
        expected_help_url="https://support.google.com/mail/answer/81126",
        expected_smtp_status="5.7.26",
        source="sisimai rb-sisimai lib/sisimai/rhost/google.rb (Google's text) V",
    ),
    DiagnosticCase(
        case_id="gmail-dkim-did-not-pass",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.7.30",
        diagnostic=(
            "smtp; 550 5.7.30 This mail has been blocked because DKIM does not pass. Gmail "
            "requires all large senders to authenticate with DKIM. Authentication results: DKIM = "
            "did not pass."
        ),
        expected_reason="auth_failed",  # word 1: DKIM + "did not pass"
        expected_provider="Gmail",
        expected_help_url=None,
        expected_smtp_status="5.7.30",
        source="sisimai rb-sisimai lib/sisimai/rhost/google.rb (Google's text) V",
    ),
    DiagnosticCase(
        case_id="gmail-spf-did-not-pass-expired",
        bounce_type="Transient",
        bounce_subtype="General",
        status="4.4.7",
        diagnostic=_expired(
            "421 4.7.27 Your email has been rate limited because SPF authentication didn't pass "
            "for this message. Gmail requires all bulk email senders to authenticate their email "
            "with SPF. Authentication results: SPF example.com with IP address: 192.0.2.10 = Did "
            "not pass."
        ),
        expected_reason="auth_failed",  # word 1: SPF + "did not pass" (before word 4 "bulk")
        expected_provider="Gmail",
        source="sisimai rb-sisimai lib/sisimai/rhost/google.rb (Google's text) V",
    ),
    DiagnosticCase(
        case_id="gmail-from-not-aligned-expired",
        bounce_type="Transient",
        bounce_subtype="General",
        status="4.4.7",
        diagnostic=_expired(
            "421 4.7.32 Your email has been rate limited because the From: header (RFC5322) in "
            "this message isn't aligned with either the authenticated SPF or DKIM organizational "
            "domain."
        ),
        # Word 1: SPF/DKIM with a failure word; "isn't aligned" is the contract's "not aligned"
        # (extra spelling of a listed word). Without it: soft_bounce.
        expected_reason="auth_failed",
        source="sisimai rb-sisimai lib/sisimai/rhost/google.rb (Google's text) V",
    ),
    DiagnosticCase(
        case_id="gmail-not-rfc5321-address",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.1.2",
        diagnostic=(
            "smtp;553 5.1.2 The recipient address <.@gmail.com> is not a valid RFC-5321 address. "
            "- gsmtp"
        ),
        # Relabelled (issue 13): the recipient *address* is invalid; the domain (gmail.com) exists.
        expected_reason="mailbox_not_found",
        expected_provider="Gmail",
        expected_help_url=None,
        expected_smtp_status="5.1.2",
        source=AC + "553.json google 5.1.2 V",
    ),
    # ------------------------------------------------------------------ 7.2 Microsoft
    DiagnosticCase(
        case_id="ms-recipient-not-found",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.1.10",
        diagnostic=(
            "smtp; 550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address "
            "lookup"
        ),
        expected_reason="mailbox_not_found",
        expected_provider="Microsoft",
        expected_help_url=None,
        expected_smtp_status="5.1.10",
        source="ref 7.2 #16 V",
    ),
    DiagnosticCase(
        case_id="ms-dbeb-access-denied",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.4.1",
        diagnostic=(
            "smtp; 550 5.4.1 Recipient address rejected: Access denied. AS(201806281) "
            "[DB5EUR03FT012.eop-EUR03.prod.protection.outlook.com]"
        ),
        # Word 6: "5.4.1 Recipient address rejected: Access denied" (DBEB).
        expected_reason="mailbox_not_found",
        expected_provider="Microsoft",
        expected_help_url=None,
        expected_smtp_status="5.4.1",
        source="ref 7.2 #17; github PR zone-eu/zone-mta#214 V",
    ),
    DiagnosticCase(
        case_id="ms-dbeb-access-denied-2024",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.0.0",
        diagnostic=(
            "smtp; 550 5.4.1 Recipient address rejected: Access denied. "
            "[TY1PEPF0000BAD7.JPNP286.PROD.OUTLOOK.COM 2024-08-06 T19:13:55.906Z 08DCB6409251B38F]"
        ),
        expected_reason="mailbox_not_found",  # word 6 (DBEB phrase)
        expected_provider="Microsoft",
        expected_smtp_status="5.4.1",
        source="public Go test TestParseSmtpResponse (mailserver) V",
    ),
    DiagnosticCase(
        case_id="ms-dbeb-access-denied-with-address",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.4.1",
        diagnostic=(
            "smtp;550 5.4.1 [someone@example.com]: Recipient address rejected: Access denied "
            "[example.com]"
        ),
        # Same Microsoft 365 DBEB refusal with the address between code and text: word 6, not
        # the generic "access denied" of word 11.
        expected_reason="mailbox_not_found",
        expected_smtp_status="5.4.1",
        source=AC + "550.json office365 5.4.1 V",
    ),
    DiagnosticCase(
        case_id="ms-mailbox-unavailable",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.5.0",
        diagnostic="smtp; 550 5.5.0 Requested action not taken: mailbox unavailable (S2017062302)",
        # Relabelled (issue 13): Outlook.com answers exactly this for an unknown address
        # (provider code table; sisimai rhost/outlook).
        expected_reason="mailbox_not_found",
        expected_help_url=None,
        expected_smtp_status="5.5.0",
        source="ref 7.2 #18 V",
    ),
    DiagnosticCase(
        case_id="ms-mailbox-unavailable-eop",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.5.0",
        diagnostic=(
            "smtp;550 5.5.0 Requested action not taken: mailbox unavailable. "
            "[DM6NAM12FT034.eop-nam12.prod.protection.outlook.com]"
        ),
        # Relabelled (issue 13): Outlook.com/EOP's reply for an unknown address (provider table).
        expected_reason="mailbox_not_found",
        expected_provider="Microsoft",
        expected_smtp_status="5.5.0",
        source=AC + "550.json outlook 5.5.0 V",
    ),
    DiagnosticCase(
        case_id="ms-banned-sending-ip-5.7.606",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.0.0",
        diagnostic=(
            "smtp; 550 5.7.606 Access denied, banned sending IP [192.0.2.20]. To request removal "
            "from this list please visit https://sender.office.com/ and follow the directions. For "
            "more information please go to http://go.microsoft.com/fwlink/?LinkID=526655 AS(1430)"
        ),
        # Word 3 code 5.7.606 comes before word 11 "access denied".
        expected_reason="sender_blocklisted",
        expected_provider="Microsoft",
        expected_help_url="https://sender.office.com/",
        expected_smtp_status="5.7.606",
        source="ref 7.2 #19 V",
    ),
    DiagnosticCase(
        case_id="ms-blocked-using-spamhaus",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.7.1",
        diagnostic=(
            "smtp; 550 5.7.1 Service unavailable, Client host [192.0.2.20] blocked using Spamhaus. "
            "To request removal from this list see https://www.spamhaus.org/query/ip/192.0.2.20 "
            "(AS3130)."
        ),
        expected_reason="sender_blocklisted",
        expected_provider="Spamhaus",  # blocklist wins over the mailbox provider
        expected_help_url="https://www.spamhaus.org/query/ip/192.0.2.20",
        expected_smtp_status="5.7.1",
        source="ref 7.2 #20 V",
    ),
    DiagnosticCase(
        case_id="ms-blocked-using-spamhaus-2024",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.0.0",
        diagnostic=(
            "smtp; 550 5.7.1 Service unavailable, Client host [192.0.2.21] blocked using Spamhaus. "
            "To request removal from this list see https://www.spamhaus.org/query/ip/192.0.2.21 "
            "AS(1450) [LO1PEPF000022FC.GBRP265.PROD.OUTLOOK.COM 2024-08-08T21:41:59.031Z "
            "08DCB37616E26EE1]"
        ),
        expected_reason="sender_blocklisted",
        expected_provider="Spamhaus",
        expected_help_url="https://www.spamhaus.org/query/ip/192.0.2.21",
        expected_smtp_status="5.7.1",
        source="public Go test TestParseSmtpResponse (mailserver) V",
    ),
    DiagnosticCase(
        case_id="ms-mailfrom-domain-listed-in-spamhaus",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.7.1",
        diagnostic=(
            "smtp; 550 5.7.1 Service unavailable, MailFrom domain is listed in Spamhaus. To "
            "request removal from this list see https://www.spamhaus.org/query/lookup/ (S8002)"
        ),
        expected_reason="sender_blocklisted",
        expected_provider="Spamhaus",
        expected_help_url="https://www.spamhaus.org/query/lookup/",
        expected_smtp_status="5.7.1",
        source="ref 7.2 #21 V",
    ),
    DiagnosticCase(
        case_id="ms-network-on-block-list-s3150",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.7.1",
        diagnostic=(
            "smtp; 550 5.7.1 Unfortunately, messages from [192.0.2.20] weren't sent. Please "
            "contact your Internet service provider since part of their network is on our block "
            "list (S3150). You can also refer your provider to "
            "http://mail.live.com/mail/troubleshooting.aspx#errors."
        ),
        expected_reason="sender_blocklisted",  # word 3 "block list"
        expected_help_url="http://mail.live.com/mail/troubleshooting.aspx#errors",
        expected_smtp_status="5.7.1",
        source="ref 7.2 #22 V",
    ),
    DiagnosticCase(
        case_id="ms-ip-reputation-4.7.650-expired",
        bounce_type="Transient",
        bounce_subtype="General",
        status="4.4.7",
        diagnostic=_expired(
            "451 4.7.650 The mail server [192.0.2.20] has been temporarily rate limited due to IP "
            "reputation. For e-mail delivery information, see https://postmaster.live.com (S775)"
        ),
        reporting_mta=SES_MTA,
        expected_reason="sender_blocklisted",  # inner reply, word 3 "reputation" / 4.7.650
        expected_provider="Microsoft",
        expected_help_url="https://postmaster.live.com",
        source="ref 7.2 #23 + ref 4.2 V",
    ),
    DiagnosticCase(
        case_id="ms-dmarc-5.7.509",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.7.509",
        diagnostic=(
            "smtp; 550 5.7.509 Access denied, sending domain example.com does not pass DMARC "
            "verification and has a DMARC policy of reject."
        ),
        expected_reason="auth_failed",  # word 1 DMARC before word 11 "access denied"
        expected_help_url=None,
        expected_smtp_status="5.7.509",
        source="ref 7.2 #24 V",
    ),
    DiagnosticCase(
        case_id="ms-recipient-rate-5.2.122",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.2.122",
        diagnostic=(
            "smtp; 554 5.2.122 The recipient has exceeded their limit for the number of messages "
            "they can receive per hour. For more information go to "
            "http://go.microsoft.com/fwlink/?LinkId=526653."
        ),
        # No words; 5.2.122 is not 5.2.1 or 5.2.2 (no prefix matching): step 6 hard_bounce.
        expected_reason="hard_bounce",
        expected_help_url="http://go.microsoft.com/fwlink/?LinkId=526653",
        expected_smtp_status="5.2.122",
        source="ref 7.2 #25 V",
    ),
    DiagnosticCase(
        case_id="ms-sender-not-authenticated-for-group",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.7.133",
        diagnostic=(
            "smtp; 550 5.7.133 RESOLVER.RST.SenderNotAuthenticatedForGroup; Authentication "
            "required; Delivery restriction check failed because the sender was not authenticated "
            "when sending to this group"
        ),
        # "failed" without SPF/DKIM is not auth; "not authenticated"/5.7.133: word 11.
        expected_reason="policy_blocked",
        expected_provider="Microsoft",
        expected_help_url=None,
        expected_smtp_status="5.7.133",
        source="ref 7.2 #26 (T there), full text seen in public docs V",
    ),
    DiagnosticCase(
        case_id="ms-storedrv-quota-exceeded",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.2.2",
        diagnostic=(
            "smtp; 554 5.2.2 mailbox full; STOREDRV.Deliver.Exception:QuotaExceededException…"
        ),
        expected_reason="mailbox_full",
        expected_provider="Microsoft",
        expected_smtp_status="5.2.2",
        source="ref 7.2 #27 T",
    ),
    DiagnosticCase(
        case_id="ms-banned-sender-5.7.511",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.7.511",
        diagnostic=(
            "smtp; 550 5.7.511 Access denied, banned sender[192.0.2.20]. To request removal from "
            "this list, forward this message to delist@microsoft.com. For more information, go to "
            "https://go.microsoft.com/fwlink/?LinkId=526653."
        ),
        expected_reason="sender_blocklisted",  # word 3 code 5.7.511
        expected_help_url="https://go.microsoft.com/fwlink/?LinkId=526653",
        expected_smtp_status="5.7.511",
        source="MicrosoftDocs defender-docs (NDR quoted) V",
    ),
    DiagnosticCase(
        case_id="ms-auth-level-5.7.515",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.7.515",
        diagnostic=(
            "smtp; 550 5.7.515 Access denied, sending domain example.com does not meet the "
            "required authentication level."
        ),
        # Not in the contract's minimum list, but Microsoft sends 5.7.515 when the sending
        # domain's SPF/DKIM/DMARC results fail its requirements: the classifier knows this
        # code and phrase as auth_failed (a word that means what its reason means).
        expected_reason="auth_failed",
        expected_help_url=None,
        expected_smtp_status="5.7.515",
        source="Microsoft high-volume sender NDR, quoted in public docs V",
    ),
    DiagnosticCase(
        case_id="ms-exchange-nonexistent-domain",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.4.4",
        diagnostic="smtp; 554 5.4.4 SMTPSEND.DNS.NonExistentDomain; nonexistent domain",
        expected_reason="domain_not_found",  # step 5: 5.4.4 (also plainly "nonexistent domain")
        expected_help_url=None,
        expected_smtp_status="5.4.4",
        source="Exchange SmtpResponse.DnsNonExistentDomain; sisimai lhost/exchange2007 V",
    ),
    # ------------------------------------------------------------------ 7.3 Yahoo / AOL
    DiagnosticCase(
        case_id="yahoo-no-account",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.0.0",
        diagnostic=(
            "smtp; 554 delivery error: dd This user doesn't have a yahoo.com account "
            "(someone@yahoo.com) [0] - mta1234.mail.gq1.yahoo.com"
        ),
        expected_reason="mailbox_not_found",  # word 6 "doesn't have a … account"
        expected_provider="Yahoo",
        expected_help_url=None,
        expected_smtp_status="5.0.0",
        source="ref 7.3 #28; github issue postalserver/postal#253 V",
    ),
    DiagnosticCase(
        case_id="yahoo-no-account-transient-5.3.0",
        bounce_type="Transient",
        bounce_subtype="General",
        status="5.3.0",
        diagnostic=(
            "smtp; 554 delivery error: dd This user doesn't have a yahoo.com account "
            "(someone@yahoo.com) [0] - mta1234.mail.gq1.yahoo.com"
        ),
        # Misleading Transient label with a 5.x status: the words still decide.
        expected_reason="mailbox_not_found",
        expected_provider="Yahoo",
        expected_smtp_status="5.3.0",
        source="ref 7.3 #28 (status seen as 5.3.0); github issue AI-Shipping-Labs/website#827 V",
    ),
    DiagnosticCase(
        case_id="yahoo-mailbox-disabled",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.0.0",
        diagnostic=(
            "smtp; 554 delivery error: dd Sorry, your message to someone@yahoo.com cannot be "
            "delivered. This mailbox is disabled (554.30). - mta1234.mail.gq1.yahoo.com"
        ),
        expected_reason="mailbox_disabled",
        expected_provider="Yahoo",
        expected_smtp_status="5.0.0",  # "554.30" is not an enhanced code
        source="ref 7.3 #29 V",
    ),
    DiagnosticCase(
        case_id="yahoo-552-mailbox-not-found",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.0.0",
        diagnostic="smtp; 552 1 Requested mail action aborted, mailbox not found",
        expected_reason="mailbox_not_found",  # extra word "mailbox not found" (brief's example)
        expected_help_url=None,
        expected_smtp_status="5.0.0",
        source="ref 7.3 #30; github issue KumoCorp/kumomta#431 V",
    ),
    DiagnosticCase(
        case_id="yahoo-policy-5.7.9",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.7.9",
        diagnostic=(
            "smtp; 554 5.7.9 Message not accepted for policy reasons. See "
            "https://postmaster.yahooinc.com/error-codes"
        ),
        expected_reason="policy_blocked",
        expected_provider="Yahoo",
        expected_help_url="https://postmaster.yahooinc.com/error-codes",
        expected_smtp_status="5.7.9",
        source="ref 7.3 #31 V",
    ),
    DiagnosticCase(
        case_id="yahoo-ph01-policy",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.0.0",
        diagnostic=(
            "smtp; 554 Message not allowed - [PH01] Email not accepted for policy reasons. Please "
            "visit https://postmaster.yahooinc.com/error-codes"
        ),
        # Relabelled (issue 13): Yahoo's [PH01] is a content verdict (phishing/spam),
        # per its error-code page and the ESP field manual's description.
        expected_reason="spam_filtered",
        expected_provider="Yahoo",
        expected_help_url="https://postmaster.yahooinc.com/error-codes",
        expected_smtp_status="5.0.0",
        source="ref 7.3 #32 V",
    ),
    DiagnosticCase(
        case_id="yahoo-tss04-deferred-expired",
        bounce_type="Transient",
        bounce_subtype="General",
        status="4.4.7",
        diagnostic=_expired(
            "421 4.7.0 [TSS04] Messages from 192.0.2.30 temporarily deferred due to unexpected "
            "volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes"
        ),
        # Relabelled (issue 13): Yahoo documents [TSS04] as deferral for the sender's
        # volume/complaints, i.e. poor sending reputation (provider code table).
        expected_reason="sender_blocklisted",
        expected_provider="Yahoo",
        expected_help_url="https://postmaster.yahooinc.com/error-codes",
        source="ref 7.3 #33; github issue Mailu/Mailu#1458 V",
    ),
    DiagnosticCase(
        case_id="yahoo-bl21-spamhaus",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.7.1",
        diagnostic=(
            "smtp; 553 5.7.1 [BL21] Connections will not be accepted from 192.0.2.30, because the "
            "ip is in Spamhaus's list; see http://postmaster.yahoo.com/550-bl23.html"
        ),
        expected_reason="sender_blocklisted",
        expected_provider="Spamhaus",
        expected_help_url="http://postmaster.yahoo.com/550-bl23.html",
        expected_smtp_status="5.7.1",
        source="ref 7.3 #34 V",
    ),
    DiagnosticCase(
        case_id="yahoo-headers-not-rfc-compliant",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.0.0",
        diagnostic="smtp;554 Message not allowed - Headers are not RFC compliant[291]",
        # Relabelled (issue 13): the receiver's format rules refused it (decisive phrase).
        expected_reason="policy_blocked",
        expected_help_url=None,
        expected_smtp_status="5.0.0",
        source=AC + "554.json verizon 5.5.4-4 V",
    ),
    DiagnosticCase(
        case_id="yahoo-requested-action-aborted",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.0.0",
        diagnostic=(
            "smtp;554 delivery error: dd Requested mail action aborted - mta1234.mail.gq1.yahoo.com"
        ),
        expected_reason="hard_bounce",
        expected_provider="Yahoo",
        expected_smtp_status="5.0.0",
        source=AC + "554.json verizon 5.5.4-2 V",
    ),
    # ------------------------------------------------------------------ 7.3 Apple iCloud
    DiagnosticCase(
        case_id="icloud-user-does-not-exist",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.1.1",
        diagnostic="smtp; 550 5.1.1 <someone@icloud.com>: user does not exist",
        expected_reason="mailbox_not_found",
        expected_provider="Apple",
        expected_help_url=None,
        expected_smtp_status="5.1.1",
        source="ref 7.3 #35 V",
    ),
    DiagnosticCase(
        case_id="icloud-over-quota",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.2.2",
        diagnostic="smtp; 552 5.2.2 <someone@icloud.com>: user is over quota",
        expected_reason="mailbox_full",
        expected_provider="Apple",
        expected_smtp_status="5.2.2",
        source="ref 7.3 #36 V",
    ),
    DiagnosticCase(
        case_id="icloud-overquota-one-word",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.2.2",
        diagnostic="smtp;552 5.2.2 <someone@icloud.com>: user is overquota",
        expected_reason="mailbox_full",  # word 8 "quota" inside "overquota"
        expected_provider="Apple",
        expected_smtp_status="5.2.2",
        source=AC + "552.json apple 5.2.2 V",
    ),
    DiagnosticCase(
        case_id="icloud-cs01-local-policy",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.7.1",
        diagnostic=(
            "smtp; 554 5.7.1 [CS01] Message rejected due to local policy. Please visit "
            "https://support.apple.com/en-us/HT204137"
        ),
        expected_reason="policy_blocked",
        expected_provider="Apple",
        expected_help_url="https://support.apple.com/en-us/HT204137",
        expected_smtp_status="5.7.1",
        source="ref 7.3 #37 V",
    ),
    DiagnosticCase(
        case_id="icloud-dmarc",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.7.1",
        diagnostic=(
            "smtp; 550 5.7.1 Your message was rejected due to example.com's DMARC policy. See "
            "https://support.apple.com/en-us/HT204137 for info"
        ),
        expected_reason="auth_failed",
        expected_provider="Apple",
        expected_help_url="https://support.apple.com/en-us/HT204137",
        expected_smtp_status="5.7.1",
        source="ref 7.3 #38 V",
    ),
    DiagnosticCase(
        case_id="icloud-excessive-volume-expired",
        bounce_type="Transient",
        bounce_subtype="General",
        status="4.4.7",
        diagnostic=_expired(
            "421 4.7.1 Messages to someone@icloud.com deferred due to excessive volume. Try again "
            "later - https://support.apple.com/en-us/HT204137"
        ),
        expected_reason="soft_bounce",
        expected_provider="Apple",
        expected_help_url="https://support.apple.com/en-us/HT204137",
        source="ref 7.3 #39 V",
    ),
    DiagnosticCase(
        case_id="icloud-proofpoint-ipcheck",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.7.0",
        diagnostic="smtp; 550 5.7.0 Blocked - see https://ipcheck.proofpoint.com/?ip=192.0.2.40",
        expected_reason="sender_blocklisted",  # word 3 "ipcheck.proofpoint.com"
        expected_provider="Proofpoint",
        expected_help_url="https://ipcheck.proofpoint.com/?ip=192.0.2.40",
        expected_smtp_status="5.7.0",
        source="ref 7.3 #40 V",
    ),
    DiagnosticCase(
        case_id="icloud-relay-access-denied",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.7.1",
        diagnostic="smtp;554 5.7.1 <someone@icloud.com>: Relay access denied",
        expected_reason="policy_blocked",
        expected_provider="Apple",
        expected_help_url=None,
        expected_smtp_status="5.7.1",
        source=AC + "554.json apple 5.7.1 V",
    ),
    # ------------------------------------------------------------------ 7.4 Mimecast
    DiagnosticCase(
        case_id="mimecast-anti-spoofing",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.0.0",
        diagnostic=(
            "smtp; 550 Rejected by header based Anti-Spoofing policy: someone@example.com - "
            "https://community.mimecast.com/docs/DOC-1369#550 [Xq1Ab2Cd3Ef4Gh5.uk47]"
        ),
        # Product named + 5xx + none of words 1-9: word 10 before word 11 "policy".
        expected_reason="security_gateway",
        expected_provider="Mimecast",
        expected_help_url="https://community.mimecast.com/docs/DOC-1369#550",
        expected_smtp_status="5.0.0",
        source="ref 7.4 #41 V",
    ),
    DiagnosticCase(
        case_id="mimecast-envelope-blocked-user-entry",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.0.0",
        diagnostic=(
            "smtp; 550 Envelope blocked - User Entry - "
            "https://community.mimecast.com/docs/DOC-1369#550 [Xq1Ab2Cd3Ef4Gh5.uk48]"
        ),
        expected_reason="security_gateway",
        expected_provider="Mimecast",
        expected_help_url="https://community.mimecast.com/docs/DOC-1369#550",
        source="ref 7.4 #42 V",
    ),
    DiagnosticCase(
        case_id="mimecast-administrative-prohibition",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.0.0",
        diagnostic=(
            "smtp; 550 Administrative prohibition - envelope blocked - "
            "https://community.mimecast.com/docs/DOC-1369#550 [Xq1Ab2Cd3Ef4Gh5.uk49]"
        ),
        expected_reason="security_gateway",
        expected_provider="Mimecast",
        expected_help_url="https://community.mimecast.com/docs/DOC-1369#550",
        source="ref 7.4 #43 V",
    ),
    DiagnosticCase(
        case_id="mimecast-security-policies",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.0.0",
        diagnostic=(
            "smtp; 554 Email rejected due to security policies - "
            "https://community.mimecast.com/docs/DOC-1369#554 [Xq1Ab2Cd3Ef4Gh5.uk50]"
        ),
        expected_reason="security_gateway",  # word 10 before word 11 "policy"
        expected_provider="Mimecast",
        expected_help_url="https://community.mimecast.com/docs/DOC-1369#554",
        source="ref 7.4 #44 V",
    ),
    DiagnosticCase(
        case_id="mimecast-security-policies-contentrejected",
        bounce_type="Transient",
        bounce_subtype="ContentRejected",
        status="5.0.0",
        diagnostic=(
            "smtp;554 Email rejected due to security policies - "
            "https://community.mimecast.com/docs/DOC-1369#554 [Xq1Ab2Cd3Ef4Gh5.uk51]"
        ),
        expected_reason="security_gateway",  # step 3: security_gateway words (product + 5xx)
        expected_provider="Mimecast",
        source=AC + "554.json mimecast 1 V",
    ),
    DiagnosticCase(
        case_id="mimecast-dmarc-sender-invalid",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.0.0",
        diagnostic=(
            "smtp; 550 DMARC Sender Invalid - envelope rejected - "
            "https://community.mimecast.com/docs/DOC-1369#550"
        ),
        expected_reason="auth_failed",  # word 1 DMARC before the gateway rule
        expected_provider="Mimecast",
        expected_help_url="https://community.mimecast.com/docs/DOC-1369#550",
        source="ref 7.4 #45 V",
    ),
    DiagnosticCase(
        case_id="mimecast-internal-resource-expired",
        bounce_type="Transient",
        bounce_subtype="General",
        status="4.4.7",
        diagnostic=_expired(
            "451 Internal resource temporarily unavailable - "
            "https://community.mimecast.com/docs/DOC-1369#451 [V1X4ES abPxKDmn8czHBhOQ.uk246]"
        ),
        # 4xx deferral that outlasted the retries: not a gateway verdict; step 6 soft_bounce.
        expected_reason="soft_bounce",
        expected_provider="Mimecast",
        expected_help_url="https://community.mimecast.com/docs/DOC-1369#451",
        source="ref 7.4 #46; public Go test TestParseSmtpResponse V",
    ),
    DiagnosticCase(
        case_id="mimecast-blocked-senders",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.0.0",
        diagnostic=(
            "smtp;550 Rejected by header based manually Blocked Senders: someone@example.com - "
            "https://community.mimecast.com/docs/DOC-1369#550 [Xq1Ab2Cd3Ef4Gh5.uk52]"
        ),
        expected_reason="security_gateway",  # "Blocked Senders" is not a blocklist word
        expected_provider="Mimecast",
        expected_help_url="https://community.mimecast.com/docs/DOC-1369#550",
        source=AC + "550.json mimecast 3 V",
    ),
    DiagnosticCase(
        case_id="mimecast-invalid-recipient-expired",
        bounce_type="Transient",
        bounce_subtype="General",
        status="4.4.7",
        diagnostic=_expired(
            "451 Invalid Recipient - https://community.mimecast.com/docs/DOC-1369#451 "
            "[Xq1Ab2Cd3Ef4Gh5.uk53]"
        ),
        expected_reason="mailbox_not_found",  # inner reply, word 6 "invalid recipient"
        expected_provider="Mimecast",
        source=AC + "451.json mimecast 3 V",
    ),
    DiagnosticCase(
        case_id="mimecast-open-relay-expired",
        bounce_type="Transient",
        bounce_subtype="General",
        status="4.4.7",
        diagnostic=_expired(
            "451 Open relay not allowed - https://community.mimecast.com/docs/DOC-1369#451 "
            "[Xq1Ab2Cd3Ef4Gh5.uk54]"
        ),
        expected_reason="policy_blocked",  # inner reply, word 11 "relay" (4xx: no gateway rule)
        expected_provider="Mimecast",
        source=AC + "451.json mimecast 1 V",
    ),
    # ------------------------------------------------------------------ 7.4 Proofpoint
    DiagnosticCase(
        case_id="proofpoint-ipcheck-blocked",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.0.0",
        diagnostic="smtp; 554 Blocked - see https://ipcheck.proofpoint.com/?ip=192.0.2.50",
        remote_mta="dns; mx0a-00000000.pphosted.com",
        expected_reason="sender_blocklisted",
        expected_provider="Proofpoint",
        expected_help_url="https://ipcheck.proofpoint.com/?ip=192.0.2.50",
        expected_smtp_status="5.0.0",
        source="ref 7.4 #47 V",
    ),
    DiagnosticCase(
        case_id="proofpoint-prs-blocked-using",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.7.1",
        diagnostic=(
            "smtp; 550 5.7.1 Service unavailable; client [192.0.2.50] blocked using "
            "prs.proofpoint.com"
        ),
        expected_reason="sender_blocklisted",  # word 3 "blocked using"
        expected_provider="Proofpoint",
        expected_help_url=None,
        expected_smtp_status="5.7.1",
        source="ref 7.4 #48 V",
    ),
    DiagnosticCase(
        case_id="proofpoint-dynamic-reputation",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.7.1",
        diagnostic=(
            "smtp; 550 5.7.1 Service unavailable; client [192.0.2.50] blocked using Proofpoint "
            "Dynamic Reputation"
        ),
        expected_reason="sender_blocklisted",
        expected_provider="Proofpoint",
        expected_smtp_status="5.7.1",
        source="ref 7.4 #48 second form V",
    ),
    DiagnosticCase(
        case_id="proofpoint-dmarc",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.7.0",
        diagnostic="smtp; 550 5.7.0 Email rejected per sender's DMARC policy",
        expected_reason="auth_failed",
        expected_help_url=None,
        expected_smtp_status="5.7.0",
        source="ref 7.4 #49 V",
    ),
    DiagnosticCase(
        case_id="proofpoint-local-policy",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.7.1",
        diagnostic="smtp; 550 5.7.1 Message rejected due to local policy",
        # No product named (no host given): word 11 "policy".
        expected_reason="policy_blocked",
        expected_smtp_status="5.7.1",
        source="ref 7.4 #50 T",
    ),
    DiagnosticCase(
        case_id="proofpoint-user-unknown-pphosted",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.1.1",
        diagnostic=(
            "smtp;550 5.1.1 <someone@example.com>: Recipient address rejected: User unknown"
        ),
        reporting_mta="dns; mx0b-00000000.pphosted.com",
        expected_reason="mailbox_not_found",  # word 6 before the gateway rule
        expected_provider="Proofpoint",
        expected_smtp_status="5.1.1",
        source=AC + "550.json proofpoint 5.1.1 V (reporting host T)",
    ),
    DiagnosticCase(
        case_id="proofpoint-marked-invalid-pphosted",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.7.1",
        diagnostic=(
            "smtp;550 5.7.1 <someone@example.com>: Recipient address rejected: User email address "
            "is marked as invalid."
        ),
        reporting_mta="dns; mx0b-00000000.pphosted.com",
        # Relabelled (issue 13): "User email address is marked as invalid" says the
        # recipient's address is invalid (word 6), before the gateway rule (10).
        expected_reason="mailbox_not_found",
        expected_provider="Proofpoint",
        expected_smtp_status="5.7.1",
        source=AC + "550.json proofpoint 5.7.1 V (reporting host T)",
    ),
    DiagnosticCase(
        case_id="proofpoint-relaying-denied",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.7.1",
        diagnostic="smtp;550 5.7.1 Relaying denied",
        expected_reason="policy_blocked",  # word 11 "relay"
        expected_smtp_status="5.7.1",
        source=AC + "550.json proofpoint 5.7.1-2 V",
    ),
    DiagnosticCase(
        case_id="proofpoint-not-a-valid-address",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.1.1",
        diagnostic=(
            "smtp;550 5.1.1 - This is not a valid email address. Please verify that you have the "
            "correct email address for your recipient."
        ),
        expected_reason="mailbox_not_found",  # no words; step 5: 5.1.1
        expected_smtp_status="5.1.1",
        source=AC + "550.json proofpoint 5.1.1-4 V",
    ),
    DiagnosticCase(
        case_id="proofpoint-address-verification-expired",
        bounce_type="Transient",
        bounce_subtype="General",
        status="4.4.7",
        diagnostic=_expired(
            "421 4.1.1 <someone@example.com>: Recipient address rejected: unverified address: "
            "Address verification in progress"
        ),
        expected_reason="soft_bounce",
        source=AC + "421.json proofpoint 4.1.1-2 V",
    ),
    # ------------------------------------------------------------------ 7.4 Barracuda
    DiagnosticCase(
        case_id="barracuda-brbl",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.0.0",
        diagnostic=(
            "smtp; 554 Service unavailable; Client host [192.0.2.60] blocked using Barracuda "
            "Reputation; http://www.barracudanetworks.com/reputation/?r=1&ip=192.0.2.60"
        ),
        expected_reason="sender_blocklisted",
        expected_provider="Barracuda",
        expected_help_url="http://www.barracudanetworks.com/reputation/?r=1&ip=192.0.2.60",
        expected_smtp_status="5.0.0",
        source="ref 7.4 #51 V",
    ),
    DiagnosticCase(
        case_id="barracuda-brbl-postfix",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.7.1",
        diagnostic=(
            "smtp; 554 5.7.1 Service unavailable; Client host [192.0.2.61] blocked using "
            "b.barracudacentral.org; http://www.barracudanetworks.com/reputation/?pr=1&ip=192.0.2.61"
        ),
        expected_reason="sender_blocklisted",
        expected_provider="Barracuda",
        expected_help_url="http://www.barracudanetworks.com/reputation/?pr=1&ip=192.0.2.61",
        expected_smtp_status="5.7.1",
        source="LKML mail (T. Handa, 2020-01) quoted in public archive V",
    ),
    DiagnosticCase(
        case_id="barracuda-permanent-failure-blocked",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.0.0",
        diagnostic=(
            "smtp; 550 permanent failure for one or more recipients (someone@example.com:blocked)"
        ),
        # Relabelled (issue 13): Barracuda's per-recipient verdict ":blocked" is its filter
        # refusing the message: policy_blocked (word 11 "blocked"), not a plain hard bounce.
        expected_reason="policy_blocked",
        expected_help_url=None,
        expected_smtp_status="5.0.0",
        source="ref 7.4 #52 V",
    ),
    DiagnosticCase(
        case_id="barracuda-spam-url",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.0.0",
        diagnostic="smtp; 554 rejected due to spam URL in content",
        expected_reason="spam_filtered",
        expected_smtp_status="5.0.0",
        source="ref 7.4 #53 V",
    ),
    DiagnosticCase(
        case_id="barracuda-banned-content",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.0.0",
        diagnostic="smtp; 554 rejecting banned content",
        # Relabelled (issue 13): "banned content" is the content filter's verdict (spam/banned
        # material), so spam_filtered, not a plain hard bounce.
        expected_reason="spam_filtered",
        expected_smtp_status="5.0.0",
        source="ref 7.4 #53 second form V",
    ),
    DiagnosticCase(
        case_id="barracuda-cuda-nsu",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.1.1",
        diagnostic="smtp; 550 cuda_nsu 5.1.1 <someone@example.com>... User unknown",
        expected_reason="mailbox_not_found",
        expected_provider="Barracuda",
        expected_smtp_status="5.1.1",
        source="ref 7.4 #54 V",
    ),
    DiagnosticCase(
        case_id="barracuda-cuda-nsu-access-denied",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.4.1",
        diagnostic=(
            "smtp;550 cuda_nsu 5.4.1 [someone@example.com]: Recipient address rejected: Access "
            "denied [example.com]"
        ),
        expected_reason="mailbox_not_found",  # word 6 cuda_nsu
        expected_provider="Barracuda",
        expected_smtp_status="5.4.1",
        source=AC + "550.json barracuda 5.4.1 V",
    ),
    DiagnosticCase(
        case_id="barracuda-cuda-nsu-policy-rejection-expired",
        bounce_type="Transient",
        bounce_subtype="General",
        status="4.4.7",
        diagnostic=_expired(
            "450 cuda_nsu 4.7.1 <someone@example.com>: Recipient address rejected: Policy "
            "Rejection- Abuse. Go away."
        ),
        # Inner reply: Barracuda's cuda_nsu marker is word 6, before word 11 "policy".
        expected_reason="mailbox_not_found",
        expected_provider="Barracuda",
        source=AC + "450.json barracuda 4.7.1 V",
    ),
    DiagnosticCase(
        case_id="barracuda-no-such-user",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.0.0",
        diagnostic="smtp;550 No such user (someone@example.com)",
        expected_reason="mailbox_not_found",
        expected_smtp_status="5.0.0",
        source=AC + "550.json barracuda 2 V",
    ),
    DiagnosticCase(
        case_id="barracuda-blocked-ess-host",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.0.0",
        diagnostic="smtp;550 Blocked",
        reporting_mta="dns; d123456a.ess.barracudanetworks.com",
        expected_reason="security_gateway",  # product by host + 5xx + no words
        expected_provider="Barracuda",
        expected_help_url=None,
        expected_smtp_status="5.0.0",
        source=AC + "550.json barracuda 3 V (reporting host T)",
    ),
    DiagnosticCase(
        case_id="barracuda-spoofed-message",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.0.0",
        diagnostic="smtp;550 rejecting spoofed message",
        # Relabelled (issue 13): refusing a spoofed message is the receiver's anti-spoofing
        # policy (word 11 "spoof"), not a plain hard bounce.
        expected_reason="policy_blocked",
        expected_smtp_status="5.0.0",
        source=AC + "550.json barracuda 4 V",
    ),
    DiagnosticCase(
        case_id="generic-message-content-rejected",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.7.1",
        diagnostic="smtp; 550 5.7.1 Message content rejected",
        expected_reason="spam_filtered",  # word 4 "content rejected"
        expected_smtp_status="5.7.1",
        source="ref 7.4 #55 T",
    ),
    # ------------------------------------------------------------------ 7.4 Cisco, Sophos
    DiagnosticCase(
        case_id="cisco-address-rejected",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.1.0",
        diagnostic="smtp; 550 #5.1.0 Address rejected.",
        expected_reason="hard_bounce",  # no words, no product named, 5.1.0 unmapped
        expected_help_url=None,
        expected_smtp_status="5.1.0",
        source="ref 7.4 #56 V",
    ),
    DiagnosticCase(
        case_id="cisco-address-rejected-iphmx-host",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.1.0",
        diagnostic="smtp; 550 #5.1.0 Address rejected.",
        reporting_mta="dns; esa1.example.iphmx.com",
        # Same reply, product recognised by host (iphmx) + 5xx + no words: word 10.
        expected_reason="security_gateway",
        expected_provider="Cisco",
        expected_smtp_status="5.1.0",
        source="ref 7.4 #56 with IronPort host T",
    ),
    DiagnosticCase(
        case_id="sophos-rejected-by-policy",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.7.1",
        diagnostic="smtp; 550 5.7.1 Message rejected by policy",
        reporting_mta="dns; mx-01-eu-west-1.prod.hydra.sophos.com",
        expected_reason="security_gateway",  # word 10 before word 11 "policy"
        expected_provider="Sophos",
        expected_smtp_status="5.7.1",
        source="ref 7.4 #57 T",
    ),
    DiagnosticCase(
        case_id="sophos-xgemail-0011",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.0.0",
        diagnostic="smtp; 550 5.7.1 XGEMAIL_0011 Command rejected",
        remote_mta="dns; mx-01-us-west-2.prod.hydra.sophos.com",
        expected_reason="mailbox_not_found",  # word 6 XGEMAIL_0011
        expected_provider="Sophos",
        expected_help_url=None,
        expected_smtp_status="5.7.1",
        source="LKML DSN (linux-scsi, 2024-11, Remote-MTA hydra.sophos) V",
    ),
    # ------------------------------------------------------------------ 7.4 Trend Micro
    DiagnosticCase(
        case_id="trendmicro-rbl-plus",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.0.0",
        diagnostic=(
            "smtp; 550 Service unavailable; Client Host [192.0.2.70] blocked using Trend Micro "
            "RBL+. Please see http://www.mail-abuse.com/cgi-bin/lookup?ip_address=192.0.2.70"
        ),
        expected_reason="sender_blocklisted",
        expected_provider="Trend Micro",
        expected_help_url="http://www.mail-abuse.com/cgi-bin/lookup?ip_address=192.0.2.70",
        expected_smtp_status="5.0.0",
        source="ref 7.4 #58 V",
    ),
    DiagnosticCase(
        case_id="trendmicro-ers-dul",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.7.1",
        diagnostic=(
            "smtp; Recipient address rejected: Mail from <192.0.2.70> was refused due to the "
            "sender IP found in ERS-DUL. For details, query the IP reputation on "
            "https://servicecentral.trendmicro.com/en-US/ers/."
        ),
        expected_reason="sender_blocklisted",  # word 3 ERS-DUL / "reputation"
        expected_provider="Trend Micro",
        expected_help_url="https://servicecentral.trendmicro.com/en-US/ers/",
        expected_smtp_status="5.7.1",
        source="ref 7.4 #59; github issue thunderbird/mailstrom#197 V",
    ),
    DiagnosticCase(
        case_id="trendmicro-ers-customized-block",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.7.1",
        diagnostic=(
            "smtp; 550 5.7.1 <someone@example.com>: Recipient address rejected: "
            "ERS-Customized-Block."
        ),
        # Word 3 lists Trend Micro's "ERS-" codes, so a literal reading gives
        # sender_blocklisted; the reference calls this one a customer block rule (arguably
        # security_gateway / policy_blocked). Strict token reading kept.
        expected_reason="sender_blocklisted",
        expected_provider="Trend Micro",
        expected_smtp_status="5.7.1",
        source="ref 7.4 #60 V",
    ),
    DiagnosticCase(
        case_id="trendmicro-block-sender",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.7.1",
        diagnostic=(
            "smtp;554 5.7.1 <someone@example.com>: Recipient address rejected: BLOCK-SEND-ER."
        ),
        # No words, no product name or host: step 5 5.7.x -> policy_blocked.
        expected_reason="policy_blocked",
        expected_smtp_status="5.7.1",
        source=AC + "554.json trendmicro 1 V",
    ),
    DiagnosticCase(
        case_id="trendmicro-invalid-recipient-hyphen",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.7.1",
        diagnostic=(
            "smtp;554 5.7.1 <someone@example.com>: Recipient address rejected: Invalid-Recipient."
        ),
        # Word 6 "invalid recipient" spelled with a hyphen (plainly the same phrase). Without it:
        # step 5 5.7.1 -> policy_blocked.
        expected_reason="mailbox_not_found",
        expected_smtp_status="5.7.1",
        source=AC + "554.json trendmicro 2 V",
    ),
    # ------------------------------------------------------------------ 7.4 Symantec
    DiagnosticCase(
        case_id="symantec-spf-fail",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.0.0",
        diagnostic=(
            "smtp; 553-SPF (Sender Policy Framework) domain authentication fail. Refer to the "
            "Troubleshooting page at http://www.symanteccloud.com/troubleshooting for more "
            "information. (#5.7.1)"
        ),
        expected_reason="auth_failed",  # word 1: SPF + "fail"
        expected_provider="Symantec",
        expected_help_url="http://www.symanteccloud.com/troubleshooting",
        expected_smtp_status="5.7.1",
        source="ref 7.4 #61 V",
    ),
    DiagnosticCase(
        case_id="symantec-message-filtered",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.0.0",
        diagnostic=(
            "smtp; 553 Message filtered. Refer to the Troubleshooting page at "
            "http://www.symanteccloud.com/troubleshooting for more information. (#5.7.1)"
        ),
        # Symantec recognised by symanteccloud.com (ref 7.7) + 5xx + no words: word 10.
        expected_reason="security_gateway",
        expected_provider="Symantec",
        expected_help_url="http://www.symanteccloud.com/troubleshooting",
        expected_smtp_status="5.7.1",
        source="ref 7.4 #62 V",
    ),
    DiagnosticCase(
        case_id="symantec-invalid-recipient",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.1.1",
        diagnostic="smtp; 550 Invalid recipient <someone@example.com> (#5.1.1)",
        expected_reason="mailbox_not_found",
        expected_help_url=None,
        expected_smtp_status="5.1.1",
        source="ref 7.4 #63; public Go test TestParseSmtpResponse V",
    ),
    DiagnosticCase(
        case_id="symantec-not-configured-as-relay",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.7.1",
        diagnostic=(
            "smtp;553 you are trying to use me [server-1.tower-1.messagelabs.com] as a relay, but "
            "I have not been configured to let you [192.0.2.7, example.com] do this. Please visit "
            "www.symanteccloud.com/troubleshooting for more details about this error message and "
            "instructions to resolve this issue. (#5.7.1)"
        ),
        # MessageLabs named + 5xx + none of words 1-9: word 10 comes before word 11 "relay".
        expected_reason="security_gateway",
        expected_provider="Symantec",
        expected_help_url=None,  # the URL has no scheme
        expected_smtp_status="5.7.1",
        source=AC + "553.json emailsecuritycloud 5.7.1-2 V",
    ),
    DiagnosticCase(
        case_id="symantec-requested-action-aborted-expired",
        bounce_type="Transient",
        bounce_subtype="General",
        status="4.4.7",
        diagnostic=_expired(
            "450 Requested action aborted [9] #-#, please visit "
            "https://knowledge.broadcom.com/external/article?legacyId=TECH246726 for more details "
            "about this error message."
        ),
        expected_reason="soft_bounce",  # 4xx: no gateway verdict, no words
        expected_provider="Symantec",
        expected_help_url="https://knowledge.broadcom.com/external/article?legacyId=TECH246726",
        source=AC + "450.json emailsecuritycloud 1 V",
    ),
    # ------------------------------------------------------------------ 7.4 others
    DiagnosticCase(
        case_id="cloudmark-csi",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.7.1",
        diagnostic=(
            "smtp; 550 5.7.1 Service unavailable; client [192.0.2.50] blocked using Cloudmark "
            "Sender Intelligence (Visit http://csi.cloudmark.com/reset-request/ if you feel this "
            "is in error)"
        ),
        expected_reason="sender_blocklisted",
        expected_provider="Cloudmark",
        expected_help_url="http://csi.cloudmark.com/reset-request/",
        expected_smtp_status="5.7.1",
        source="ref 7.4 #64 V",
    ),
    DiagnosticCase(
        case_id="forcepoint-mailcontrol-policy",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.7.1",
        diagnostic="smtp; 550 5.7.1 Rejected by recipient's mail policy",
        reporting_mta="dns; cluster-b.mailcontrol.com",
        expected_reason="security_gateway",  # Forcepoint host + 5xx + no words 1-9
        expected_provider="Forcepoint",
        expected_help_url=None,
        expected_smtp_status="5.7.1",
        source="Forcepoint host (mailcontrol) T",
    ),
    DiagnosticCase(
        case_id="hornetsecurity-spam",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.7.1",
        diagnostic="smtp; 550 5.7.1 Message rejected: spam detected",
        reporting_mta="dns; mx01.hornetsecurity.com",
        expected_reason="spam_filtered",  # word 4 before word 10
        expected_provider="Hornetsecurity",
        expected_smtp_status="5.7.1",
        source="Hornetsecurity host T",
    ),
    DiagnosticCase(
        case_id="hornetsecurity-quarantined",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.7.1",
        diagnostic="smtp; 554 5.7.1 Message was quarantined",
        reporting_mta="dns; mx02.hornetsecurity.com",
        expected_reason="security_gateway",  # word 10 "quarantine"
        expected_provider="Hornetsecurity",
        expected_smtp_status="5.7.1",
        source="Hornetsecurity host T",
    ),
    # ------------------------------------------------------------------ 7.5 blocklists
    DiagnosticCase(
        case_id="spamhaus-zen",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.7.1",
        diagnostic=(
            "smtp; 554 5.7.1 Service unavailable; Client host [192.0.2.80] blocked using "
            "zen.spamhaus.org; https://www.spamhaus.org/query/ip/192.0.2.80"
        ),
        expected_reason="sender_blocklisted",
        expected_provider="Spamhaus",
        expected_help_url="https://www.spamhaus.org/query/ip/192.0.2.80",
        expected_smtp_status="5.7.1",
        source="ref 7.5 #65 V",
    ),
    DiagnosticCase(
        case_id="spamhaus-sbl-icloud-wording",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.7.1",
        diagnostic=(
            "smtp; 550 5.7.1 Mail from IP 192.0.2.80 was rejected due to listing in Spamhaus SBL. "
            "For details please see http://www.spamhaus.org/query/bl?ip=192.0.2.80"
        ),
        expected_reason="sender_blocklisted",
        expected_provider="Spamhaus",
        expected_help_url="http://www.spamhaus.org/query/bl?ip=192.0.2.80",
        expected_smtp_status="5.7.1",
        source="ref 7.5 #66 V",
    ),
    DiagnosticCase(
        case_id="spamhaus-dbl-contentrejected",
        bounce_type="Transient",
        bounce_subtype="ContentRejected",
        status="5.7.1",
        diagnostic=(
            "smtp; 550 5.7.1 Your email was rejected due to having a domain present in the "
            "Spamhaus DBL -- see https://www.spamhaus.org/dbl/"
        ),
        expected_reason="sender_blocklisted",  # step 3: first matching of auth/attach/blocklist
        expected_provider="Spamhaus",
        expected_help_url="https://www.spamhaus.org/dbl/",
        expected_smtp_status="5.7.1",
        source="ref 7.5 #67; " + AC + "550.json icloud 5.7.1-3 V",
    ),
    DiagnosticCase(
        case_id="spamcop",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.7.1",
        diagnostic=(
            "smtp; 554 5.7.1 Service unavailable; Client host [192.0.2.90] blocked using "
            "bl.spamcop.net; Blocked - see https://www.spamcop.net/bl.shtml?192.0.2.90"
        ),
        expected_reason="sender_blocklisted",
        expected_provider="SpamCop",
        expected_help_url="https://www.spamcop.net/bl.shtml?192.0.2.90",
        expected_smtp_status="5.7.1",
        source="ref 7.5 #68 V",
    ),
    DiagnosticCase(
        case_id="sorbs",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.7.1",
        diagnostic=(
            "smtp; 554 5.7.1 Service unavailable; Client host [192.0.2.91] blocked using "
            "dnsbl.sorbs.net; Currently Sending Spam See: http://www.sorbs.net/lookup.shtml?192.0.2.91"
        ),
        expected_reason="sender_blocklisted",  # word 3 before word 4 "spam"
        expected_provider="SORBS",
        expected_help_url="http://www.sorbs.net/lookup.shtml?192.0.2.91",
        expected_smtp_status="5.7.1",
        source="ref 7.5 #69 V",
    ),
    # ------------------------------------------------------------------ 7.6 SES's own
    DiagnosticCase(
        case_id="ses-on-account-suppression-list",
        bounce_type="Permanent",
        bounce_subtype="OnAccountSuppressionList",
        status="5.1.1",
        diagnostic=(
            "Amazon SES did not send the message to this address because it is on the suppression "
            "list for your account. For more information about removing addresses from the "
            "suppression list, see the Amazon SES Developer Guide at "
            "https://docs.aws.amazon.com/ses/latest/DeveloperGuide/sending-email-suppression-list.html"
        ),
        reporting_mta="dns; amazonses.com",
        expected_reason="suppressed",  # step 3; 5.1.1 is not "mailbox not found" here
        expected_help_url=(
            "https://docs.aws.amazon.com/ses/latest/DeveloperGuide/sending-email-suppression-list.html"
        ),
        source="ref 7.6 #70; github issue mozilla/fx-private-relay#3404 V",
    ),
    DiagnosticCase(
        case_id="ses-global-suppressed",
        bounce_type="Permanent",
        bounce_subtype="Suppressed",
        status="5.1.1",
        diagnostic=(
            "Amazon SES has suppressed sending to this address because it has a recent history of "
            "bouncing as an invalid address. For more information about how to remove an address "
            "from the suppression list, see the Amazon SES Developer Guide: "
            "http://docs.aws.amazon.com/ses/latest/DeveloperGuide/remove-from-suppressionlist.html"
        ),
        reporting_mta="dns; amazonses.com",
        expected_reason="suppressed",
        expected_help_url=(
            "http://docs.aws.amazon.com/ses/latest/DeveloperGuide/remove-from-suppressionlist.html"
        ),
        source="ref 7.6 #71 V",
    ),
    DiagnosticCase(
        case_id="ses-expired-connection-timed-out",
        bounce_type="Transient",
        bounce_subtype="General",
        status="4.4.7",
        diagnostic=_expired("421 4.4.2 Connection timed out"),
        reporting_mta=SES_MTA,
        expected_reason="soft_bounce",
        expected_provider=None,
        expected_help_url=None,
        source="ref 7.6 #72; sisimai/set-of-emails#5 V",
    ),
    DiagnosticCase(
        case_id="ses-tenant-suppression-list",
        bounce_type="Permanent",
        bounce_subtype="OnTenantSuppressionList",
        status="5.1.1",
        diagnostic=None,
        reporting_mta="dns; amazonses.com",
        expected_reason="suppressed",  # step 3: subtype naming a suppression list
        source="ref 4.1 (third-party parsers) T",
    ),
    DiagnosticCase(
        case_id="ses-email-validation-suppressed",
        bounce_type="Permanent",
        bounce_subtype="EmailValidationSuppressed",
        status="5.1.1",
        diagnostic=None,
        reporting_mta="dns; amazonses.com",
        expected_reason="suppressed",
        source="ref 4.1 (third-party parsers) T",
    ),
    DiagnosticCase(
        case_id="ses-unknown-subtype-no-diagnostic",
        bounce_type="Permanent",
        bounce_subtype="UnsubscribedRecipient",
        status=None,
        diagnostic=None,
        expected_reason="hard_bounce",  # unlisted subtype -> step 4; nothing decides; Permanent
        expected_help_url=None,
        expected_smtp_status=None,
        source="ref 4.1 (third-party parsers) T",
    ),
    DiagnosticCase(
        case_id="ses-undetermined-empty",
        bounce_type="Undetermined",
        bounce_subtype="Undetermined",
        status=None,
        diagnostic=None,
        expected_reason="undetermined",  # step 6
        expected_help_url=None,
        expected_smtp_status=None,
        source="ref 4.1 T",
    ),
    DiagnosticCase(
        case_id="ses-undetermined-mailbox-unavailable",
        bounce_type="Undetermined",
        bounce_subtype="Undetermined",
        status="5.0.0",
        diagnostic="smtp; 550 Requested action not taken: mailbox unavailable",
        # Relabelled (issue 13): SES said Undetermined, but the 550 reply is permanent:
        # step 6 now reads the reply class before giving up.
        expected_reason="hard_bounce",
        expected_smtp_status="5.0.0",
        source="ref 4.1 + generic 550 text T",
    ),
    DiagnosticCase(
        case_id="ses-custom-timeout-exceeded",
        bounce_type="Transient",
        bounce_subtype="CustomTimeoutExceeded",
        status="4.4.7",
        diagnostic=_expired("421 4.4.2 Connection timed out", minutes=60),
        expected_reason="soft_bounce",
        source="ref 4.1 / 4.2 (MaxDeliverySeconds) T",
    ),
    DiagnosticCase(
        case_id="ses-status-only-5.7.26",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.7.26",
        diagnostic=None,
        expected_reason="auth_failed",  # step 5: codes named in the word lists count in status
        expected_smtp_status="5.7.26",
        source="contract step 5 T",
    ),
    DiagnosticCase(
        case_id="ses-status-only-5.7.606",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.7.606",
        diagnostic=None,
        expected_reason="sender_blocklisted",  # step 5: word-3 code in the status field
        expected_smtp_status="5.7.606",
        source="contract step 5 T",
    ),
    # ------------------------------------------------------------------ SES expiry, real payloads
    DiagnosticCase(
        case_id="expired-unable-to-lookup-dns",
        bounce_type="Transient",
        bounce_subtype="General",
        status="4.4.7",
        diagnostic=_expired("421 4.4.0 Unable to lookup DNS for example.invalid"),
        reporting_mta="dsn; a4-1.smtp-out.eu-west-1.amazonses.com",
        expected_reason="domain_not_found",  # inner reply, word 5 "unable to lookup DNS"
        expected_help_url=None,
        source="github issue mozilla/fxa-auth-server#2304; stored SES payload V",
    ),
    DiagnosticCase(
        case_id="expired-550-failed-to-establish-connection",
        bounce_type="Transient",
        bounce_subtype="General",
        status="4.4.7",
        diagnostic=_expired("421 4.4.1 Failed to establish connection", code="550"),
        reporting_mta="dns; a27-35.smtp-out.us-west-2.amazonses.com",
        # "Failed" without SPF/DKIM is no word; 4.4.1 unmapped; Transient.
        expected_reason="soft_bounce",
        expected_provider=None,
        source="stored SES event payload (550 4.4.7 form) V",
    ),
    DiagnosticCase(
        case_id="expired-spamhaus-inner",
        bounce_type="Transient",
        bounce_subtype="General",
        status="4.4.7",
        diagnostic=_expired(
            "451 4.7.1 Service unavailable; Client host [192.0.2.80] blocked using "
            "zen.spamhaus.org; https://www.spamhaus.org/query/ip/192.0.2.80"
        ),
        expected_reason="sender_blocklisted",
        expected_provider="Spamhaus",
        expected_help_url="https://www.spamhaus.org/query/ip/192.0.2.80",
        source="ref 7.5 #65 as a temporary refusal inside an expiry T",
    ),
    DiagnosticCase(
        case_id="expired-barracuda-greylisted",
        bounce_type="Transient",
        bounce_subtype="General",
        status="4.4.7",
        diagnostic=_expired(
            "451 4.7.1 <someone@example.com>: Recipient address rejected: Greylisted for 5 minutes"
        ),
        expected_reason="soft_bounce",  # "Greylisted for" is not "listed at/on/in"
        source=AC + "451.json barracuda 4.7.1 V",
    ),
    DiagnosticCase(
        case_id="expired-zerospam-greylisted",
        bounce_type="Transient",
        bounce_subtype="General",
        status="4.4.7",
        diagnostic=_expired(
            "450 4.2.0 <someone@example.com>: Recipient address rejected: example.com greylisted "
            "for 60 seconds by ZEROSPAM"
        ),
        # Relabelled (issue 13): greylisting asks every unknown sender to retry later; the
        # "spam" inside the product name ZEROSPAM is no verdict. Decisive phrase -> soft.
        expected_reason="soft_bounce",
        source=AC + "450.json zerospam 4.2.0 V",
    ),
    DiagnosticCase(
        case_id="expired-outlook-organization-queue-quota",
        bounce_type="Transient",
        bounce_subtype="General",
        status="4.4.7",
        diagnostic=_expired("450 4.7.3 Organization queue quota exceeded. [outlook.com]"),
        # Relabelled (issue 13): the receiving organisation's queue quota is its load, not
        # the mailbox: decided by the bounce type (Transient).
        expected_reason="soft_bounce",
        source=AC + "450.json outlook 4.7.3 V",
    ),
    DiagnosticCase(
        case_id="expired-sender-domain-not-found",
        bounce_type="Transient",
        bounce_subtype="General",
        status="4.4.7",
        diagnostic=_expired(
            "450 4.1.8 Sender address rejected: Domain not found (in reply to RCPT TO command))"
        ),
        # Relabelled (issue 13): 4.1.8 and "Sender address rejected" make our *sender* the
        # subject; the recipient's domain is fine. Step 4 "whose problem" -> policy_blocked.
        expected_reason="policy_blocked",
        source=AC + "450.json infomaniak 4.1.8 V",
    ),
    DiagnosticCase(
        case_id="expired-recipient-domain-not-found",
        bounce_type="Transient",
        bounce_subtype="General",
        status="4.4.7",
        diagnostic=_expired(
            "450 4.1.2 <someone@example.invalid>: Recipient address rejected: Domain not found"
        ),
        expected_reason="domain_not_found",
        source="github PR civicrm/civicrm-core#31608; postfix reply V",
    ),
    DiagnosticCase(
        case_id="expired-insufficient-system-resources",
        bounce_type="Transient",
        bounce_subtype="General",
        status="4.4.7",
        diagnostic=_expired("452 4.3.1 Insufficient system resources (TSTE) [outlook.com]"),
        expected_reason="soft_bounce",  # server resources, not the mailbox
        source=AC + "452.json microsoft 4.3.1 V",
    ),
    DiagnosticCase(
        case_id="expired-exchange-service-not-available",
        bounce_type="Transient",
        bounce_subtype="General",
        status="4.4.7",
        diagnostic=_expired("421 4.3.2 Service not available [outlook.com]"),
        expected_reason="soft_bounce",
        source=AC + "421.json outlook 4.3.2 V",
    ),
    # ------------------------------------------------------------------ other receivers
    DiagnosticCase(
        case_id="comcast-not-our-customer",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.1.1",
        diagnostic="smtp;550 5.1.1 Not our Customer",
        expected_reason="mailbox_not_found",  # step 5: 5.1.1
        expected_smtp_status="5.1.1",
        source=AC + "550.json comcast 5.1.1 V",
    ),
    DiagnosticCase(
        case_id="comcast-mailbox-unallocated",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.0.0",
        diagnostic="smtp;550 5.1.1 <someone@comcast.net> recipient mailbox unallocated",
        expected_reason="mailbox_not_found",  # step 5: 5.1.1 from the text
        expected_smtp_status="5.1.1",
        source=AC + "550.json comcast 5.1.1-2 V",
    ),
    DiagnosticCase(
        case_id="comcast-dmarc",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.2.0",
        diagnostic=(
            "smtp;550 5.2.0 Message rejected due to DMARC. Please see "
            "http://postmaster.comcast.net/smtp-error-codes.php#DM000001"
        ),
        expected_reason="auth_failed",
        expected_help_url="http://postmaster.comcast.net/smtp-error-codes.php#DM000001",
        expected_smtp_status="5.2.0",
        source=AC + "550.json comcast 5.2.0 V",
    ),
    DiagnosticCase(
        case_id="comcast-extended-quota-violation",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.1.1",
        diagnostic=(
            "smtp;552 5.1.1 <someone@comcast.net> recipient rejected - extended quota violation"
        ),
        expected_reason="mailbox_full",  # word 8 "quota" decides before step 5's 5.1.1
        expected_smtp_status="5.1.1",
        source=AC + "552.json comcast 5.1.1 V",
    ),
    DiagnosticCase(
        case_id="verizon-relaying-denied",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.0.0",
        diagnostic="smtp;550 relaying denied for <someone@example.com>",
        expected_reason="policy_blocked",
        expected_smtp_status="5.0.0",
        source=AC + "550.json verizon 5.0.0 V",
    ),
    DiagnosticCase(
        case_id="mailru-account-disabled",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.0.0",
        diagnostic=(
            "smtp;550 Message was not accepted -- invalid mailbox. Local mailbox someone@mail.ru "
            "is unavailable: account is disabled"
        ),
        expected_reason="mailbox_disabled",  # "invalid mailbox" is no word-6 phrase; word 7
        expected_smtp_status="5.0.0",
        source=AC + "550.json mailru 1 V",
    ),
    DiagnosticCase(
        case_id="mailru-spam",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.0.0",
        diagnostic=(
            "smtp;550 spam message rejected. Please visit "
            "http://help.mail.ru/notspam-support/id?c="
            "7y4ytdHbuOGv3O50NYTwpz1F-TVIpnactxtFPeFQSDYMAAAAaKgAAOX_3hE~ "
            "or report details to abuse@corp.mail.ru. Error code: "
            "B5322EEFE1B8DBD174EEDCAFA7F0843535F9453D9C76A6483D451BB7364850E1. ID: #"
        ),
        expected_reason="spam_filtered",
        source=AC + "550.json mailru 2 V",
    ),
    DiagnosticCase(
        case_id="yandex-policy-rejection",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.7.1",
        diagnostic="smtp;550 5.7.1 Policy rejection on the target address",
        # Relabelled (issue 13): Yandex answers this for a blocked target mailbox
        # (provider code table).
        expected_reason="mailbox_disabled",
        expected_smtp_status="5.7.1",
        source=AC + "550.json yandex 5.7.1 V",
    ),
    DiagnosticCase(
        case_id="yandex-no-such-user-5.7.1",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.7.1",
        diagnostic="smtp;550 5.7.1 No such user!",
        expected_reason="mailbox_not_found",  # word 6 decides before step 5's 5.7.x
        expected_smtp_status="5.7.1",
        source=AC + "550.json yandex 5.7.1-2 V",
    ),
    DiagnosticCase(
        case_id="yandex-dmarc",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.7.1",
        diagnostic="smtp;550 5.7.1 Email rejected per DMARC policy for mail.ru #",
        expected_reason="auth_failed",
        expected_smtp_status="5.7.1",
        source=AC + "550.json yandex 5.7.1-3 V",
    ),
    DiagnosticCase(
        case_id="yandex-spam-suspicion",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.7.1",
        diagnostic=(
            "smtp;554 5.7.1 [1] Message rejected under suspicion of SPAM; https://ya.cc/1IrBc ##"
        ),
        expected_reason="spam_filtered",
        expected_help_url="https://ya.cc/1IrBc",
        expected_smtp_status="5.7.1",
        source=AC + "554.json yandex 5.7.1 V",
    ),
    DiagnosticCase(
        case_id="yandex-mailbox-size-limit",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.2.2",
        diagnostic="smtp;552 5.2.2 Mailbox size limit exceeded",
        # No word ("size limit exceeded" is not "size exceeds"); step 5: 5.2.2 -> mailbox_full.
        expected_reason="mailbox_full",
        expected_smtp_status="5.2.2",
        source=AC + "552.json yandex 5.2.2 V",
    ),
    DiagnosticCase(
        case_id="att-addressee-unknown-relay-field",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.2.1",
        diagnostic="smtp;550 5.2.1 <SOMEONE@PRODIGY.NET>... Addressee unknown, relay=[192.0.2.9]",
        # "Addressee unknown" plainly means user unknown (word 6), which precedes word 11, so
        # the "relay=" trace field does not matter. Minimum lists only: "relay" -> policy_blocked.
        expected_reason="mailbox_not_found",
        expected_smtp_status="5.2.1",
        source=AC + "550.json att 5.2.1 V",
    ),
    DiagnosticCase(
        case_id="att-reverse-dns",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.7.1",
        diagnostic=(
            "smtp;550 5.7.1 Connections not accepted from servers without a valid sender "
            "example.com. Fix reverse DNS for 192.0.2.9"
        ),
        expected_reason="policy_blocked",  # PTR-type refusal / step 5 5.7.x
        expected_smtp_status="5.7.1",
        source=AC + "550.json att 5.7.1 V",
    ),
    DiagnosticCase(
        case_id="zoho-user-unknown",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.1.1",
        diagnostic="smtp;550 5.1.1 <someone@zoho.com> User unknown",
        expected_reason="mailbox_not_found",
        expected_smtp_status="5.1.1",
        source=AC + "550.json zoho 5.1.1 V",
    ),
    DiagnosticCase(
        case_id="zoho-flagged-as-spam",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.7.1",
        diagnostic="smtp;554 5.7.1 Email cannot be delivered. Reason: Email flagged as Spam.",
        expected_reason="spam_filtered",
        expected_smtp_status="5.7.1",
        source=AC + "554.json zoho 5.7.1 V",
    ),
    DiagnosticCase(
        case_id="zoho-mailpolicy-violation-5.2.3",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.2.3",
        diagnostic="smtp;554 5.2.3 MailPolicy violation Error delivering to mailboxes,mx.zoho.com",
        # "policy" (word 11, not a short token, so it matches inside "MailPolicy") decides
        # before step 5's 5.2.3 -> message_too_large.
        expected_reason="policy_blocked",
        expected_smtp_status="5.2.3",
        source=AC + "554.json zoho 5.2.3 V",
    ),
    DiagnosticCase(
        case_id="zoho-virus",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.7.1",
        diagnostic="smtp;552 5.7.1 virus [name] detected by Zoho Mail",
        expected_reason="attachment_rejected",
        expected_smtp_status="5.7.1",
        source=AC + "552.json zoho 5.7.1 V",
    ),
    DiagnosticCase(
        case_id="zoho-virus-contentrejected",
        bounce_type="Transient",
        bounce_subtype="ContentRejected",
        status="5.7.1",
        diagnostic="smtp;552 5.7.1 virus [name] detected by Zoho Mail",
        expected_reason="attachment_rejected",  # step 3: attachment words
        source=AC + "552.json zoho 5.7.1 V",
    ),
    DiagnosticCase(
        case_id="icloud-local-policy-contentrejected",
        bounce_type="Transient",
        bounce_subtype="ContentRejected",
        status="5.7.1",
        diagnostic=(
            "smtp;554 5.7.1 [CS01] Message rejected due to local policy. Please visit "
            "https://support.apple.com/en-us/HT204137"
        ),
        # Step 3 ContentRejected only looks for auth/attachment/blocklist/gateway words;
        # "policy" is not one of them: spam_filtered.
        expected_reason="spam_filtered",
        expected_provider="Apple",
        source=AC + "554.json apple 5.7.1 (CS01) V",
    ),
    DiagnosticCase(
        case_id="rambler-spam-contentrejected",
        bounce_type="Transient",
        bounce_subtype="ContentRejected",
        status="5.7.1",
        diagnostic="smtp;554 5.7.1 Spam message rejected; If this is not spam contact abuse",
        expected_reason="spam_filtered",  # step 3 else-branch
        expected_smtp_status="5.7.1",
        source=AC + "554.json rambler 5.7.1 V",
    ),
    DiagnosticCase(
        case_id="free-quota-exceeded",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.2.2",
        diagnostic=(
            "smtp;554 5.2.2 <someone@free.fr>: Recipient address rejected: Quota exceeded "
            "(mailbox for user is full)"
        ),
        expected_reason="mailbox_full",
        expected_smtp_status="5.2.2",
        source=AC + "554.json free 5.2.2 V",
    ),
    DiagnosticCase(
        case_id="orange-recipient-overquota",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.1.1",
        diagnostic=(
            "smtp;552 5.1.1 Boite du destinataire pleine. Recipient overquota. OFR_417 [417]"
        ),
        expected_reason="mailbox_full",  # word 8 "quota" before step 5's 5.1.1
        expected_smtp_status="5.1.1",
        source=AC + "552.json orange 5.1.1 V",
    ),
    DiagnosticCase(
        case_id="orange-ofr-506",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.2.0",
        diagnostic="smtp; 550 5.2.0 Mail rejete. Mail rejected. ofr_506 [506]",
        # Relabelled (issue 13): Orange documents code 506 as "Mail rejected" for spam
        # (provider code table, worker/domain/provider_codes.py).
        expected_reason="spam_filtered",
        expected_smtp_status="5.2.0",
        source="github issue sisimai/p5-sisimai#189 V",
    ),
    DiagnosticCase(
        case_id="gmx-storage-allocation",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.0.0",
        diagnostic=(
            "smtp;552 Requested mail action aborted: exceeded storage allocation Quota exceeded."
        ),
        expected_reason="mailbox_full",
        expected_smtp_status="5.0.0",
        source=AC + "552.json gmx 1 V",
    ),
    DiagnosticCase(
        case_id="zoho-relaying-disallowed-status-5.1.1",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.1.1",
        diagnostic="smtp;553 Relaying disallowed",
        # Word 11 "relay" decides before step 5 would read the 5.1.1 status field.
        expected_reason="policy_blocked",
        expected_smtp_status="5.1.1",
        source=AC + "553.json zoho 5.1.1 V",
    ),
    DiagnosticCase(
        case_id="improvmx-low-reputation",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.7.1",
        diagnostic=(
            "smtp;551 5.7.1 Due to the very low reputation of the sending domain, this message has "
            "been blocked (Code 2)."
        ),
        expected_reason="sender_blocklisted",
        expected_smtp_status="5.7.1",
        source=AC + "551.json improvmx 5.7.1 V",
    ),
    DiagnosticCase(
        case_id="improvmx-domain-not-found",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.7.1",
        diagnostic="smtp;551 5.7.1 Domain not found (#id-5.9.2)",
        expected_reason="domain_not_found",  # word 5 before step 5's 5.7.x
        expected_smtp_status="5.7.1",
        source=AC + "551.json improvmx 5.7.1-3 V",
    ),
    DiagnosticCase(
        case_id="listmonk-transient-invalid-domain-5.4.4",
        bounce_type="Transient",
        bounce_subtype="General",
        status="5.4.4",
        diagnostic="smtp; 550 5.4.4 Invalid domain",
        reporting_mta="dns; amazonses.com",
        # Transient label with a 5.x status; no words; step 5: 5.4.4 -> domain_not_found.
        expected_reason="domain_not_found",
        expected_smtp_status="5.4.4",
        source="github issue knadh/listmonk#1463 V",
    ),
    DiagnosticCase(
        case_id="aws-sample-user-truncated",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.1.1",
        diagnostic="smtp; 550 5.1.1 <username@example.com>... User",
        reporting_mta="dns; email.example.com",
        expected_reason="mailbox_not_found",  # no words ("User" alone); step 5: 5.1.1
        expected_smtp_status="5.1.1",
        source="github issue mozilla/fxa-auth-server#834 (AWS sample) V",
    ),
    DiagnosticCase(
        case_id="transient-5.0.0-no-diagnostic",
        bounce_type="Transient",
        bounce_subtype="General",
        status="5.0.0",
        diagnostic=None,
        # A status is present, so not an auto-reply (step 2); nothing decides; Transient.
        expected_reason="soft_bounce",
        expected_smtp_status="5.0.0",
        source="github issue mozilla/fxa-content-server#5629 V",
    ),
    DiagnosticCase(
        case_id="t-online-bl",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.0.0",
        diagnostic=(
            "smtp; 554 IP=192.0.2.9 - A problem occurred. (Ask your postmaster for help or to "
            "contact tosa@rx.t-online.de to clarify.) (BL)"
        ),
        # Relabelled (issue 13): T-Online's (BL) marks the sending IP on its block list.
        expected_reason="sender_blocklisted",
        expected_smtp_status="5.0.0",
        source="github issue mailcow/mailcow-dockerized#2532 V",
    ),
    DiagnosticCase(
        case_id="spectrum-sender-rejected",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.1.0",
        diagnostic=(
            "smtp; 550 5.1.0 <01000172586829c9-00000000-0000-0000-0000-000000000000-000000"
            "@amazonses.com> sender rejected. Please see "
            "https://www.spectrum.net/support/internet/understanding-email-error-codes for more "
            "information. AUP#In-1310"
        ),
        # Relabelled (issue 13): Spectrum's AUP#I(n)-1310 is a Cloudmark time-out of a
        # sending IP with poor reputation (spamresource.com, Charter/Roadrunner bounces).
        expected_reason="sender_blocklisted",
        expected_help_url="https://www.spectrum.net/support/internet/understanding-email-error-codes",
        expected_smtp_status="5.1.0",
        source="github issue sisimai/p5-sisimai#395 V",
    ),
    DiagnosticCase(
        case_id="relayed-mailbox-does-not-exist-undetermined",
        bounce_type="Undetermined",
        bounce_subtype="Undetermined",
        status="5.1.0",
        diagnostic=(
            "5.1.0 - Unknown address error 550-'5.1.1 Mailbox <someone@example.com> does not "
            "exist' (delivery attempts: 0)"
        ),
        expected_reason="mailbox_not_found",  # word 6 "does not exist"
        source="github issue sisimai/p5-sisimai#409 V",
    ),
    DiagnosticCase(
        case_id="aliyun-spf-check-failed",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.0.0",
        diagnostic=(
            "smtp; 554 Reject by behaviour spam at Rcpt State(Connection IP "
            "address:192.0.2.11)ANTISPAM_BAT[01201311R156a, maildocker-behaviorspam033018096094]: "
            "spf check failedCONTINUE"
        ),
        # Word 1: SPF (whole word) + "failed" (not a short token) before word 4 "spam".
        expected_reason="auth_failed",
        expected_smtp_status="5.0.0",
        source="public Go test TestParseSmtpResponse (mailserver) V",
    ),
    DiagnosticCase(
        case_id="g8-could-not-be-found",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.0.0",
        diagnostic=(
            "smtp; 550 5.1.1 <someone@example.com>: Email address could not be found, or was "
            "misspelled (G8)"
        ),
        expected_reason="mailbox_not_found",  # step 5: 5.1.1 from the text
        expected_smtp_status="5.1.1",
        source="public Go test TestParseSmtpResponse (mailserver) V",
    ),
    DiagnosticCase(
        case_id="postfix-user-unknown-virtual",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.1.1",
        diagnostic=(
            "smtp; 550 5.1.1 <someone@example.com>: Recipient address rejected: User unknown in "
            "virtual mailbox table"
        ),
        expected_reason="mailbox_not_found",
        expected_provider=None,
        expected_help_url=None,
        expected_smtp_status="5.1.1",
        source="postfix reply (quoted in public bounce corpora) V",
    ),
    DiagnosticCase(
        case_id="postfix-message-size-exceeds",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.3.4",
        diagnostic="smtp; 552 5.3.4 Message size exceeds fixed limit",
        expected_reason="message_too_large",
        expected_smtp_status="5.3.4",
        source="postfix reply V",
    ),
    DiagnosticCase(
        case_id="postfix-domain-not-found-5.1.2",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.1.2",
        diagnostic=(
            "smtp; 550 5.1.2 <someone@example.invalid>: Recipient address rejected: Domain not "
            "found"
        ),
        expected_reason="domain_not_found",
        expected_smtp_status="5.1.2",
        source="postfix reply V",
    ),
    DiagnosticCase(
        case_id="exim-unrouteable-address",
        bounce_type="Permanent",
        bounce_subtype="General",
        status="5.0.0",
        diagnostic="smtp; 550 Unrouteable address",
        # Relabelled (issue 13): Exim says "Unrouteable address" when routing the recipient
        # domain fails (no MX/A, see Exim's route.c); an unknown local user is "Unknown user".
        expected_reason="domain_not_found",
        expected_provider=None,
        expected_smtp_status="5.0.0",
        source="exim route.c message (sisimai lhost/exim) V",
    ),
)
