"""The receiving servers' replies: :data:`FAILURE_SCENARIOS`, built from section 7 of the
SES reference (``V`` strings seen verbatim in public sources, placeholders for addresses,
IPs and trace ids), and the bounce each one produces."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from worker.domain.outcomes import STATUS_OF_REASON, Reason, Status
from worker.simulation.documents import (
    SES_DSN_MTA,
    SES_SUPPRESSION_MTA,
    Doc,
    DocForm,
    bounce_event,
    bounced_recipient,
)


@dataclass(frozen=True, slots=True)
class FailureScenario:
    """One realistic bounce: what SES reports and what the contract says it means.

    ``diagnostic`` is the ``diagnosticCode`` as SES writes it; ``someone@<domain>`` in it
    stands for the recipient (see :meth:`diagnostic_for`). ``domain`` is the recipient
    domain the reply usually comes from (None: any). ``ref`` points at the reference row
    (section 7) the text comes from. ``after_delivery`` marks bounces a remote system sends
    after accepting the message (reporting MTA is the remote host). ``delay_type`` is set
    for SES expiry bounces (status 4.4.7): the ``DeliveryDelay`` type seen before them.
    ``expected_reason`` follows the contract's bounce procedure step by step.
    """

    name: str
    bounce_type: str
    bounce_subtype: str
    status: str | None
    diagnostic: str | None
    reporting_mta: str | None
    expected_reason: Reason
    domain: str | None
    ref: str = ""
    after_delivery: bool = False
    delay_type: str | None = None

    @property
    def expected_status(self) -> Status:
        """The status the expected reason belongs to."""
        return STATUS_OF_REASON[self.expected_reason]

    @property
    def is_expiry(self) -> bool:
        """An SES "Message expired" bounce that quotes the last remote reply."""
        return self.status == "4.4.7"

    @property
    def inner_reply(self) -> str | None:
        """For expiry bounces, the last remote reply quoted in angle brackets."""
        if not self.diagnostic or not self.is_expiry:
            return None
        start = self.diagnostic.rfind(".<")
        return self.diagnostic[start + 2 : -1] if start != -1 else None

    def diagnostic_for(self, address: str) -> str | None:
        """The diagnostic with the placeholder recipient replaced by ``address``."""
        if self.diagnostic is None or self.domain is None:
            return self.diagnostic
        return self.diagnostic.replace(f"someone@{self.domain}", address)


def _expired(inner: str) -> str:
    return f"smtp; 554 4.4.7 Message expired: unable to deliver in 840 minutes.<{inner}>"


_GTRACE = "d9443c01a7336-1dcb5f1b3a6si1234567pln.123 - gsmtp"
_MS_FRONT = "[AM5EUR03FT035.eop-EUR03.prod.protection.outlook.com]"
_MC_REF = "[xGa9oRXsPUm_4wQWkz1Lhg.uk225]"
_MC_DOC = "https://community.mimecast.com/docs/DOC-1369"

R = Reason
P, T, U = "Permanent", "Transient", "Undetermined"

#: Realistic failures, per provider; texts from the SES reference, section 7.
FAILURE_SCENARIOS: Final[tuple[FailureScenario, ...]] = (
    # Google (Gmail and Workspace)
    FailureScenario(
        "gmail_no_such_user", P, "General", "5.1.1",
        "smtp; 550-5.1.1 The email account that you tried to reach does not exist. Please try "
        "550-5.1.1 double-checking the recipient's email address for typos or 550-5.1.1 "
        "unnecessary spaces. Learn more at 550 5.1.1 "
        f"https://support.google.com/mail/?p=NoSuchUser {_GTRACE}",
        SES_DSN_MTA, R.MAILBOX_NOT_FOUND, "gmail.com", "7.1#1",
    ),
    FailureScenario(
        "gmail_no_such_user_noemail", P, "NoEmail", "5.1.1",
        "smtp; 550-5.1.1 The email account that you tried to reach does not exist. Please try "
        "double-checking the recipient's email address for typos or unnecessary spaces. Learn "
        f"more at https://support.google.com/mail/?p=NoSuchUser {_GTRACE}",
        SES_DSN_MTA, R.MAILBOX_NOT_FOUND, "gmail.com", "7.1#1",
    ),
    FailureScenario(
        "gmail_disabled", P, "General", "5.2.1",
        "smtp; 550 5.2.1 The email account that you tried to reach is disabled. Learn more at "
        f"https://support.google.com/mail/?p=DisabledUser {_GTRACE}",
        SES_DSN_MTA, R.MAILBOX_DISABLED, "gmail.com", "7.1#2",
    ),
    # Issue 13: "out of storage space and inactive" is decisive for mailbox_full (4c).
    FailureScenario(
        "gmail_over_quota_inactive", P, "General", "5.2.2",
        "smtp; 552-5.2.2 The recipient's inbox is out of storage space and inactive. Please "
        "direct the recipient to 552 5.2.2 https://support.google.com/mail/?p=OverQuotaPerm "
        f"{_GTRACE}",
        SES_DSN_MTA, R.MAILBOX_FULL, "gmail.com", "7.1#4",
    ),
    FailureScenario(
        "gmail_dmarc", P, "General", "5.7.26",
        "smtp; 550 5.7.26 Unauthenticated email from notify.example.com is not accepted due to "
        "domain's DMARC policy. Please contact the administrator of notify.example.com domain "
        "if this was a legitimate mail. To learn about the DMARC initiative, go to "
        f"https://support.google.com/mail/?p=DmarcRejection {_GTRACE}",
        SES_DSN_MTA, R.AUTH_FAILED, "gmail.com", "7.1#5",
    ),
    FailureScenario(
        "gmail_unauthenticated", P, "General", "5.7.26",
        "smtp; 550-5.7.26 This mail has been blocked because the sender is unauthenticated. "
        "550-5.7.26 Gmail requires all senders to authenticate with either SPF or DKIM. "
        "550 5.7.26 https://support.google.com/mail/answer/81126#authentication "
        f"{_GTRACE}",
        SES_DSN_MTA, R.AUTH_FAILED, "gmail.com", "7.1#6",
    ),
    FailureScenario(
        "gmail_unsolicited", P, "General", "5.7.1",
        "smtp; 550-5.7.1 [192.0.2.10 12] Gmail has detected that this message is likely "
        "unsolicited mail. To reduce the amount of spam sent to Gmail, this message has been "
        "blocked. For more information, go to "
        f"https://support.google.com/mail/?p=UnsolicitedMessageError {_GTRACE}",
        SES_DSN_MTA, R.SPAM_FILTERED, "gmail.com", "7.1#7",
    ),
    FailureScenario(
        "gmail_unsolicited_content_rejected", T, "ContentRejected", "5.7.1",
        "smtp; 550-5.7.1 [192.0.2.10 12] Gmail has detected that this message is likely "
        "unsolicited mail. To reduce the amount of spam sent to Gmail, this message has been "
        "blocked. For more information, go to "
        f"https://support.google.com/mail/?p=UnsolicitedMessageError {_GTRACE}",
        SES_DSN_MTA, R.SPAM_FILTERED, "gmail.com", "7.1#7",
    ),
    # An IP-reputation block in Google's words ("your IP address has been blocked"):
    # sender_blocklisted since issue 13 (outcomes.md 4e.3).
    FailureScenario(
        "gmail_ip_unsolicited_rate", P, "General", "5.7.1",
        "smtp; 550-5.7.1 [192.0.2.10 1] Our system has detected an unusual rate of unsolicited "
        "mail originating from your IP address. To protect our users from spam, mail sent from "
        "your IP address has been blocked. Please visit "
        "https://support.google.com/mail/?p=UnsolicitedIPError to review our Bulk Email "
        f"Senders Guidelines. {_GTRACE}",
        SES_DSN_MTA, R.SENDER_BLOCKLISTED, "gmail.com", "7.1#8",
    ),
    FailureScenario(
        "gmail_domain_reputation", P, "General", "5.7.1",
        "smtp; 550 5.7.1 [192.0.2.10] Our system has detected that this message is likely "
        "suspicious due to the very low reputation of the sending domain. For more "
        f"information, go to https://support.google.com/mail/answer/188131 {_GTRACE}",
        SES_DSN_MTA, R.SENDER_BLOCKLISTED, "gmail.com", "7.1#10",
    ),
    FailureScenario(
        "gmail_no_ptr", P, "General", "5.7.25",
        "smtp; 550 5.7.25 The IP address sending this message does not have a PTR record "
        "setup, or the corresponding forward DNS entry does not point to the sending IP. "
        f"{_GTRACE}",
        SES_DSN_MTA, R.POLICY_BLOCKED, "gmail.com", "7.1#12",
    ),
    FailureScenario(
        "gmail_message_too_large", P, "General", "5.2.3",
        "smtp; 552-5.2.3 Your message exceeded Google's message size limits. Please visit "
        "552 5.2.3 https://support.google.com/mail/?p=MaxSizeError to view our size "
        f"guidelines. {_GTRACE}",
        SES_DSN_MTA, R.MESSAGE_TOO_LARGE, "gmail.com", "7.1#14",
    ),
    FailureScenario(
        "gmail_max_size_subtype", T, "MessageTooLarge", "5.3.4",
        "smtp; 552 5.3.4 Your message exceeded Google's message size limits. Please visit "
        f"https://support.google.com/mail/?p=MaxSizeError to view our size guidelines. {_GTRACE}",
        SES_DSN_MTA, R.MESSAGE_TOO_LARGE, "gmail.com", "7.1#14",
    ),
    FailureScenario(
        "gmail_inbox_full_expired", T, "General", "4.4.7",
        _expired(
            "452-4.2.2 The recipient's inbox is out of storage space. Please direct the "
            "recipient to<CRLF>452 4.2.2 https://support.google.com/mail/?p=OverQuotaTemp "
            + _GTRACE
        ),
        SES_DSN_MTA, R.MAILBOX_FULL, "gmail.com", "4.2+7.1#3", delay_type="MailboxFull",
    ),
    FailureScenario(
        "workspace_no_such_user", P, "General", "5.1.1",
        "smtp; 550-5.1.1 The email account that you tried to reach does not exist. Please try "
        "double-checking the recipient's email address for typos or unnecessary spaces. Learn "
        f"more at https://support.google.com/mail/?p=NoSuchUser {_GTRACE}",
        SES_DSN_MTA, R.MAILBOX_NOT_FOUND, "fabrikam.example", "7.1#1",
    ),
    FailureScenario(
        "workspace_admin_policy", P, "General", "5.7.1",
        "smtp; 550 5.7.1 The user or domain that you are sending to (or from) has a policy "
        "that prohibited the mail that you sent. Please contact your domain administrator "
        f"for further details. https://support.google.com/a/answer/172179 {_GTRACE}",
        SES_DSN_MTA, R.POLICY_BLOCKED, "fabrikam.example", "7.1#15",
    ),
    # Microsoft (Microsoft 365 tenant contoso.example; Outlook.com consumers)
    FailureScenario(
        "m365_recipient_not_found", P, "General", "5.1.10",
        "smtp; 550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address "
        f"lookup {_MS_FRONT}",
        SES_DSN_MTA, R.MAILBOX_NOT_FOUND, "contoso.example", "7.2#16",
    ),
    FailureScenario(
        "m365_edge_blocking", P, "General", "5.4.1",
        f"smtp; 550 5.4.1 Recipient address rejected: Access denied. AS(201806281) {_MS_FRONT}",
        SES_DSN_MTA, R.MAILBOX_NOT_FOUND, "contoso.example", "7.2#17",
    ),
    FailureScenario(
        "m365_dmarc", P, "General", "5.7.509",
        "smtp; 550 5.7.509 Access denied, sending domain notify.example.com does not pass "
        f"DMARC verification and has a DMARC policy of reject. {_MS_FRONT}",
        SES_DSN_MTA, R.AUTH_FAILED, "contoso.example", "7.2#24",
    ),
    FailureScenario(
        "m365_group_senders_only", P, "General", "5.7.133",
        "smtp; 550 5.7.133 RESOLVER.RST.SenderNotAuthenticatedForGroup; authentication "
        "required; Delivery restriction check failed as sender not authenticated for group "
        f"{_MS_FRONT}",
        SES_DSN_MTA, R.POLICY_BLOCKED, "contoso.example", "7.2#26",
    ),
    FailureScenario(
        "m365_mailbox_full", P, "General", "5.2.2",
        "smtp; 554 5.2.2 mailbox full; STOREDRV.Deliver.Exception:QuotaExceededException."
        f"MapiExceptionShutoffQuotaExceeded {_MS_FRONT}",
        SES_DSN_MTA, R.MAILBOX_FULL, "contoso.example", "7.2#27",
    ),
    # Outlook.com's own wording for an unknown address (provider code table, issue 13).
    FailureScenario(
        "outlook_mailbox_unavailable", P, "General", "5.5.0",
        "smtp; 550 5.5.0 Requested action not taken: mailbox unavailable (S2017062302) "
        "[DM6PR11MB4593.namprd11.prod.outlook.com]",
        SES_DSN_MTA, R.MAILBOX_NOT_FOUND, "outlook.com", "7.2#18",
    ),
    FailureScenario(
        "outlook_banned_ip", P, "General", "5.7.606",
        "smtp; 550 5.7.606 Access denied, banned sending IP [192.0.2.20]. To request removal "
        "from this list please visit https://sender.office.com/ and follow the directions. For "
        "more information please go to http://go.microsoft.com/fwlink/?LinkID=526655 AS(1430)",
        SES_DSN_MTA, R.SENDER_BLOCKLISTED, "outlook.com", "7.2#19",
    ),
    FailureScenario(
        "outlook_spamhaus_ip", P, "General", "5.7.1",
        "smtp; 550 5.7.1 Service unavailable, Client host [192.0.2.20] blocked using Spamhaus. "
        "To request removal from this list see https://www.spamhaus.org/query/ip/192.0.2.20 "
        "(AS3130).",
        SES_DSN_MTA, R.SENDER_BLOCKLISTED, "outlook.com", "7.2#20",
    ),
    FailureScenario(
        "outlook_spamhaus_domain", P, "General", "5.7.1",
        "smtp; 550 5.7.1 Service unavailable, MailFrom domain is listed in Spamhaus. To request "
        "removal from this list see https://www.spamhaus.org/query/lookup/ (S8002)",
        SES_DSN_MTA, R.SENDER_BLOCKLISTED, "outlook.com", "7.2#21",
    ),
    FailureScenario(
        "outlook_network_block_list", P, "General", "5.7.1",
        "smtp; 550 5.7.1 Unfortunately, messages from [192.0.2.20] weren't sent. Please "
        "contact your Internet service provider since part of their network is on our block "
        "list (S3150). You can also refer your provider to "
        "http://mail.live.com/mail/troubleshooting.aspx#errors.",
        SES_DSN_MTA, R.SENDER_BLOCKLISTED, "outlook.com", "7.2#22",
    ),
    FailureScenario(
        "outlook_ip_reputation_expired", T, "General", "4.4.7",
        _expired(
            "451 4.7.650 The mail server [192.0.2.20] has been temporarily rate limited due to "
            "IP reputation. For e-mail delivery information, see https://postmaster.live.com "
            "(S775)"
        ),
        SES_DSN_MTA, R.SENDER_BLOCKLISTED, "outlook.com", "4.2+7.2#23", delay_type="IPFailure",
    ),
    # Yahoo / AOL
    FailureScenario(
        "yahoo_no_account", P, "General", "5.0.0",
        "smtp; 554 delivery error: dd This user doesn't have a yahoo.com account "
        "(someone@yahoo.com) [0] - mta1234.mail.gq1.yahoo.com",
        SES_DSN_MTA, R.MAILBOX_NOT_FOUND, "yahoo.com", "7.3#28",
    ),
    FailureScenario(
        "yahoo_no_account_after_delivery", P, "General", "5.0.0",
        "smtp; 554 delivery error: dd This user doesn't have a yahoo.com account "
        "(someone@yahoo.com) [0] - mta1234.mail.gq1.yahoo.com",
        "dns; mta1234.mail.gq1.yahoo.com", R.MAILBOX_NOT_FOUND, "yahoo.com", "7.3#28",
        after_delivery=True,
    ),
    FailureScenario(
        "yahoo_disabled", P, "General", "5.0.0",
        "smtp; 554 delivery error: dd Sorry, your message to someone@yahoo.com cannot be "
        "delivered. This mailbox is disabled (554.30). - mta1234.mail.yahoo.com",
        SES_DSN_MTA, R.MAILBOX_DISABLED, "yahoo.com", "7.3#29",
    ),
    FailureScenario(
        "yahoo_policy", P, "General", "5.7.9",
        "smtp; 554 5.7.9 Message not accepted for policy reasons. See "
        "https://postmaster.yahooinc.com/error-codes",
        SES_DSN_MTA, R.POLICY_BLOCKED, "yahoo.com", "7.3#31",
    ),
    FailureScenario(
        "yahoo_ph01_policy", P, "General", "5.0.0",
        "smtp; 554 Message not allowed - [PH01] Email not accepted for policy reasons. Please "
        "visit https://postmaster.yahooinc.com/error-codes",
        # Yahoo's [PH01] is a content verdict (provider code table, issue 13).
        SES_DSN_MTA, R.SPAM_FILTERED, "yahoo.com", "7.3#32",
    ),
    FailureScenario(
        "yahoo_spamhaus", P, "General", "5.7.1",
        "smtp; 553 5.7.1 [BL21] Connections will not be accepted from 192.0.2.30, because the "
        "ip is in Spamhaus's list; see http://postmaster.yahoo.com/550-bl23.html",
        SES_DSN_MTA, R.SENDER_BLOCKLISTED, "yahoo.com", "7.3#34",
    ),
    # Yahoo's [TSS04]: deferred for the sender's volume/complaints, i.e. its reputation
    # (provider code table, issue 13).
    FailureScenario(
        "yahoo_deferred_expired", T, "General", "4.4.7",
        _expired(
            "421 4.7.0 [TSS04] Messages from 192.0.2.30 temporarily deferred due to unexpected "
            "volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes"
        ),
        SES_DSN_MTA, R.SENDER_BLOCKLISTED, "yahoo.com", "4.2+7.3#33", delay_type="IPFailure",
    ),
    # Apple iCloud
    FailureScenario(
        "icloud_user_unknown", P, "NoEmail", "5.1.1",
        "smtp; 550 5.1.1 <someone@icloud.com>: user does not exist",
        SES_DSN_MTA, R.MAILBOX_NOT_FOUND, "icloud.com", "7.3#35",
    ),
    FailureScenario(
        "icloud_over_quota", T, "MailboxFull", "5.2.2",
        "smtp; 552 5.2.2 <someone@icloud.com>: user is over quota",
        SES_DSN_MTA, R.MAILBOX_FULL, "icloud.com", "7.3#36",
    ),
    FailureScenario(
        "icloud_local_policy", P, "General", "5.7.1",
        "smtp; 554 5.7.1 [CS01] Message rejected due to local policy. Please visit "
        "https://support.apple.com/en-us/HT204137",
        SES_DSN_MTA, R.POLICY_BLOCKED, "icloud.com", "7.3#37",
    ),
    FailureScenario(
        "icloud_dmarc", P, "General", "5.7.1",
        "smtp; 550 5.7.1 Your message was rejected due to notify.example.com's DMARC policy. "
        "See https://support.apple.com/en-us/HT204137 for info",
        SES_DSN_MTA, R.AUTH_FAILED, "icloud.com", "7.3#38",
    ),
    FailureScenario(
        "icloud_proofpoint_ip", P, "General", "5.7.0",
        "smtp; 550 5.7.0 Blocked - see https://ipcheck.proofpoint.com/?ip=192.0.2.40",
        SES_DSN_MTA, R.SENDER_BLOCKLISTED, "icloud.com", "7.3#40",
    ),
    FailureScenario(
        "icloud_spamhaus_dbl", P, "General", "5.7.1",
        "smtp; 550 5.7.1 Your email was rejected due to having a domain present in the "
        "Spamhaus DBL -- see https://www.spamhaus.org/dbl/",
        SES_DSN_MTA, R.SENDER_BLOCKLISTED, "icloud.com", "7.5#67",
    ),
    # Proofpoint (acme.example)
    FailureScenario(
        "proofpoint_ipcheck", P, "General", "5.0.0",
        "smtp; 554 Blocked - see https://ipcheck.proofpoint.com/?ip=192.0.2.50",
        SES_DSN_MTA, R.SENDER_BLOCKLISTED, "acme.example", "7.4#47",
    ),
    FailureScenario(
        "proofpoint_dynamic_reputation", P, "General", "5.7.1",
        "smtp; 550 5.7.1 Service unavailable; client [192.0.2.50] blocked using "
        "prs.proofpoint.com",
        SES_DSN_MTA, R.SENDER_BLOCKLISTED, "acme.example", "7.4#48",
    ),
    FailureScenario(
        "proofpoint_dmarc", P, "General", "5.7.0",
        "smtp; 550 5.7.0 Email rejected per sender's DMARC policy",
        SES_DSN_MTA, R.AUTH_FAILED, "acme.example", "7.4#49",
    ),
    # No product name in the reply and SES's own host reported it: plain policy.
    FailureScenario(
        "proofpoint_local_policy", P, "General", "5.7.1",
        "smtp; 550 5.7.1 Message rejected due to local policy",
        SES_DSN_MTA, R.POLICY_BLOCKED, "acme.example", "7.4#50",
    ),
    # Mimecast (globex.example): a security product's 5xx refusal with no other words.
    FailureScenario(
        "mimecast_anti_spoofing", P, "General", "5.0.0",
        "smtp; 550 Rejected by header based Anti-Spoofing policy: noreply@notify.example.com "
        f"- {_MC_DOC}#550 {_MC_REF}",
        SES_DSN_MTA, R.SECURITY_GATEWAY, "globex.example", "7.4#41",
    ),
    FailureScenario(
        "mimecast_envelope_blocked", P, "General", "5.0.0",
        f"smtp; 550 Envelope blocked - User Entry - {_MC_DOC}#550 {_MC_REF}",
        SES_DSN_MTA, R.SECURITY_GATEWAY, "globex.example", "7.4#42",
    ),
    FailureScenario(
        "mimecast_administrative_prohibition", P, "General", "5.0.0",
        f"smtp; 550 Administrative prohibition - envelope blocked - {_MC_DOC}#550 {_MC_REF}",
        SES_DSN_MTA, R.SECURITY_GATEWAY, "globex.example", "7.4#43",
    ),
    FailureScenario(
        "mimecast_security_policies", P, "General", "5.0.0",
        f"smtp; 554 Email rejected due to security policies - {_MC_DOC}#554 {_MC_REF}",
        SES_DSN_MTA, R.SECURITY_GATEWAY, "globex.example", "7.4#44",
    ),
    FailureScenario(
        "mimecast_dmarc", P, "General", "5.0.0",
        f"smtp; 550 DMARC Sender Invalid - envelope rejected - {_MC_DOC}#550",
        SES_DSN_MTA, R.AUTH_FAILED, "globex.example", "7.4#45",
    ),
    # A gateway's 4xx that outlasted SES's retries is not a verdict.
    FailureScenario(
        "mimecast_greylist_expired", T, "General", "4.4.7",
        _expired(f"451 Internal resource temporarily unavailable - {_MC_DOC}#451"),
        SES_DSN_MTA, R.SOFT_BOUNCE, "globex.example", "4.2+7.4#46",
        delay_type="RecipientServerError",
    ),
    # Barracuda (initech.example)
    FailureScenario(
        "barracuda_reputation", P, "General", "5.0.0",
        "smtp; 554 Service unavailable; Client host [192.0.2.60] blocked using Barracuda "
        "Reputation; http://www.barracudanetworks.com/reputation/?r=1&ip=192.0.2.60",
        SES_DSN_MTA, R.SENDER_BLOCKLISTED, "initech.example", "7.4#51",
    ),
    # Accepted, then refused by the gateway: the product shows in the reporting MTA only.
    FailureScenario(
        "barracuda_blocked_after_delivery", P, "General", "5.0.0",
        "smtp; 550 permanent failure for one or more recipients (someone@initech.example:blocked)",
        "dns; d123456a.ess.barracudanetworks.com", R.SECURITY_GATEWAY, "initech.example",
        "7.4#52", after_delivery=True,
    ),
    FailureScenario(
        "barracuda_spam_url", P, "General", "5.0.0",
        "smtp; 554 rejected due to spam URL in content",
        SES_DSN_MTA, R.SPAM_FILTERED, "initech.example", "7.4#53",
    ),
    FailureScenario(
        "barracuda_banned_content", T, "ContentRejected", "5.0.0",
        "smtp; 554 rejecting banned content",
        SES_DSN_MTA, R.SPAM_FILTERED, "initech.example", "7.4#53",
    ),
    FailureScenario(
        "barracuda_user_unknown", P, "General", "5.1.1",
        "smtp; 550 cuda_nsu 5.1.1 <someone@initech.example>... User unknown",
        SES_DSN_MTA, R.MAILBOX_NOT_FOUND, "initech.example", "7.4#54",
    ),
    # Trend Micro (umbrella.example)
    FailureScenario(
        "trendmicro_rbl", P, "General", "5.0.0",
        "smtp; 550 Service unavailable; Client Host [192.0.2.70] blocked using Trend Micro "
        "RBL+. Please see http://www.mail-abuse.com/cgi-bin/lookup?ip_address=192.0.2.70",
        SES_DSN_MTA, R.SENDER_BLOCKLISTED, "umbrella.example", "7.4#58",
    ),
    FailureScenario(
        "trendmicro_ers_dul", P, "General", "5.7.1",
        "smtp; 550 5.7.1 <someone@umbrella.example>: Recipient address rejected: Mail from "
        "<192.0.2.70> was refused due to the sender IP found in ERS-DUL. For details, query the "
        "IP reputation on https://servicecentral.trendmicro.com/en-US/ers/.",
        SES_DSN_MTA, R.SENDER_BLOCKLISTED, "umbrella.example", "7.4#59",
    ),
    # Symantec / MessageLabs (initrode.example)
    FailureScenario(
        "symantec_spf_fail", P, "General", "5.7.1",
        "smtp; 553-SPF (Sender Policy Framework) domain authentication fail. Refer to the "
        "Troubleshooting page at http://www.symanteccloud.com/troubleshooting for more "
        "information. (#5.7.1)",
        SES_DSN_MTA, R.AUTH_FAILED, "initrode.example", "7.4#61",
    ),
    # Recognised by the symanteccloud marker (reference 7.7); else 5.7.1 → policy_blocked.
    FailureScenario(
        "symantec_message_filtered", P, "General", "5.7.1",
        "smtp; 553 Message filtered. Refer to the Troubleshooting page at "
        "http://www.symanteccloud.com/troubleshooting for more information. (#5.7.1)",
        SES_DSN_MTA, R.SECURITY_GATEWAY, "initrode.example", "7.4#62",
    ),
    FailureScenario(
        "symantec_invalid_recipient", P, "General", "5.1.1",
        "smtp; 550 Invalid recipient <someone@initrode.example> (#5.1.1)",
        SES_DSN_MTA, R.MAILBOX_NOT_FOUND, "initrode.example", "7.4#63",
    ),
    # Public blocklists behind a self-hosted Postfix (hooli.example)
    FailureScenario(
        "spamhaus_zen", P, "General", "5.7.1",
        "smtp; 554 5.7.1 Service unavailable; Client host [192.0.2.80] blocked using "
        "zen.spamhaus.org; https://www.spamhaus.org/query/ip/192.0.2.80",
        SES_DSN_MTA, R.SENDER_BLOCKLISTED, "hooli.example", "7.5#65",
    ),
    FailureScenario(
        "spamcop", P, "General", "5.7.1",
        "smtp; 554 5.7.1 Service unavailable; Client host [192.0.2.90] blocked using "
        "bl.spamcop.net; Blocked - see https://www.spamcop.net/bl.shtml?192.0.2.90",
        SES_DSN_MTA, R.SENDER_BLOCKLISTED, "hooli.example", "7.5#68",
    ),
    FailureScenario(
        "cloudmark", P, "General", "5.7.1",
        "smtp; 550 5.7.1 Service unavailable; client [192.0.2.50] blocked using Cloudmark "
        "Sender Intelligence (Visit http://csi.cloudmark.com/reset-request/ if you feel this "
        "is in error)",
        SES_DSN_MTA, R.SENDER_BLOCKLISTED, "hooli.example", "7.4#64",
    ),
    FailureScenario(
        "connection_timed_out_expired", T, "General", "4.4.7",
        _expired("421 4.4.2 Connection timed out"),
        SES_DSN_MTA, R.SOFT_BOUNCE, "hooli.example", "7.6#72",
        delay_type="TransientCommunicationFailure",
    ),
    FailureScenario(
        "dns_lookup_failed_expired", T, "General", "4.4.7",
        _expired("421 4.4.0 Unable to lookup DNS for gmail.con"),
        SES_DSN_MTA, R.DOMAIN_NOT_FOUND, "gmail.con", "4.2", delay_type="General",
    ),
    # SES itself
    FailureScenario(
        "ses_account_suppression_list", P, "OnAccountSuppressionList", "5.1.1",
        "Amazon SES did not send the message to this address because it is on the suppression "
        "list for your account. For more information about removing addresses from the "
        "suppression list, see the Amazon SES Developer Guide at "
        "https://docs.aws.amazon.com/ses/latest/DeveloperGuide/sending-email-suppression-list.html",
        SES_SUPPRESSION_MTA, R.SUPPRESSED, None, "7.6#70",
    ),
    FailureScenario(
        "ses_global_suppression", P, "Suppressed", "5.1.1",
        "Amazon SES has suppressed sending to this address because it has a recent history of "
        "bouncing as an invalid address. For more information about how to remove an address "
        "from the suppression list, see the Amazon SES Developer Guide: "
        "http://docs.aws.amazon.com/ses/latest/DeveloperGuide/remove-from-suppressionlist.html",
        SES_SUPPRESSION_MTA, R.SUPPRESSED, None, "7.6#71",
    ),
    FailureScenario(
        "ses_undetermined", U, "Undetermined", None, None, None, R.UNDETERMINED, None, "4.1",
    ),
    # A permanent refusal that names no reason: a mail loop (Microsoft's NDR page, 5.4.14).
    FailureScenario(
        "exchange_hop_count_exceeded", P, "General", "5.4.14",
        "smtp; 554 5.4.14 Hop count exceeded - possible mail loop ATTR34",
        SES_DSN_MTA, R.HARD_BOUNCE, None, "MS NDR 5.4.14",
    ),
)  # fmt: skip

SCENARIOS_BY_NAME: Final[Mapping[str, FailureScenario]] = {s.name: s for s in FAILURE_SCENARIOS}


def scenario_bounce(
    mail: Doc,
    address: str,
    scenario: FailureScenario,
    *,
    feedback_id: str,
    timestamp: str | datetime,
    remote_mta_ip: str | None = None,
    reported_address: str | None = None,
    form: DocForm = "event",
) -> Doc:
    """The ``Bounce`` SES sends for ``address`` in ``scenario`` (one recipient entry).

    ``reported_address`` is the ``emailAddress`` as SES writes it, when it differs (a
    display name in suppression bounces)."""
    shown = reported_address or address
    if scenario.status is None and scenario.diagnostic is None:
        entry = bounced_recipient(shown, action=None)
    else:
        entry = bounced_recipient(
            shown, status=scenario.status, diagnostic=scenario.diagnostic_for(address)
        )
    return bounce_event(
        mail,
        [entry],
        scenario.bounce_type,
        scenario.bounce_subtype,
        feedback_id=feedback_id,
        timestamp=timestamp,
        reporting_mta=scenario.reporting_mta,
        remote_mta_ip=remote_mta_ip,
        form=form,
    )


#: Delay replies seen before an eventual delivery, per provider: (delayType, status, reply).
_DELAY_REPLIES: Final[Mapping[str, tuple[tuple[str, str, str], ...]]] = {
    "google": (
        (
            "IPFailure",
            "4.7.28",
            "421 4.7.28 [192.0.2.10] Our system has detected an unusual rate of unsolicited "
            "mail originating from your IP address. To protect our users from spam, mail sent "
            "from your IP address has been temporarily rate limited. Please visit "
            "https://support.google.com/mail/?p=UnsolicitedRateLimitError " + _GTRACE,
        ),
        (
            "RecipientServerError",
            "4.2.1",
            "450 4.2.1 The user you are trying to contact is receiving mail at a rate that "
            "prevents additional messages from being delivered. "
            "https://support.google.com/mail/?p=ReceivingRate " + _GTRACE,
        ),
    ),
    "microsoft": (
        (
            "IPFailure",
            "4.7.650",
            "451 4.7.650 The mail server [192.0.2.20] has been temporarily rate limited due to "
            "IP reputation. For e-mail delivery information, see https://postmaster.live.com "
            "(S775)",
        ),
    ),
    "yahoo": (
        (
            "IPFailure",
            "4.7.0",
            "421 4.7.0 [TSS04] Messages from 192.0.2.30 temporarily deferred due to unexpected "
            "volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes",
        ),
    ),
    "apple": (
        (
            "IPFailure",
            "4.7.1",
            "421 4.7.1 Messages to someone@icloud.com deferred due to excessive volume. Try "
            "again later - https://support.apple.com/en-us/HT204137",
        ),
    ),
    "mimecast": (
        (
            "RecipientServerError",
            "4.0.0",
            f"451 Internal resource temporarily unavailable - {_MC_DOC}#451",
        ),
    ),
    "": (("TransientCommunicationFailure", "4.4.1", "421 4.4.1 Unable to connect to remote host"),),
}

# --- the traffic generator -------------------------------------------------------------
