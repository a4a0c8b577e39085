"""Real-world bounce diagnostics from consumer mailbox providers, in many languages.

Pure data (standard library only) so the bench can import it too. Each case is one
``bouncedRecipients[]`` entry as SES would report it: the remote reply wrapped as SES
wraps it ("smtp; 550 ..."), the bounce type/subtype SES gives such a reply, and for 4xx
replies that outlasted SES's retries the expiry text ``554 4.4.7 Message expired: unable
to deliver in N minutes.<...>``. ``expected_reason`` is labelled by what the reply MEANS
under docs/spec/outcomes.md (reason definitions and the "who refused what" rules of issue
13: a refusal of our sender is ``policy_blocked``, our IP/domain on a provider block list
or with poor reputation is ``sender_blocklisted``, a rate-limit deferral without a block
verdict is ``soft_bounce``), not by what the classifier currently outputs.

Reply texts are verbatim from the cited source except that addresses, IPs, hosts and trace
ids are replaced by placeholders (example.com, 192.0.2.x). ``source`` names the primary
source (provider page URL, bug-tracker thread, or repository + path) and ends in ``V`` when
the reply text was seen verbatim there, ``T`` when it is a typical form not seen verbatim.
``mta`` names the provider for the per-provider accuracy table.
"""

from __future__ import annotations

import re

from tests.unit.domain.real_world_diagnostics import DiagnosticCase

SES_MTA = "dsn; a27-30.smtp-out.us-west-2.amazonses.com"

#: ActiveCampaign's public SMTP field manual (per-provider replies seen by an ESP).
AC = "github ActiveCampaign/smtp-field-manual data/codes/"
GOOGLE_REF = "https://support.google.com/a/answer/3726730"
#: A row of Google's SMTP error table (archived copy: github
#: azumakuniyuki/feb-2024-no-auth-no-entry, file
#: google-3726730-smtp-errors-and-codes/text/google-3726730-smtp-errors-and-codes-2026-02-15.txt).
GOOGLE_REF_ROW = GOOGLE_REF + " (error table row"
YAHOO_HELP = "http://help.yahoo.com/l/in/yahoo/mail/original/abuse/abuse-57.html"
SITEPACKAGE = (
    "http://www.sitepackage.de/service/dokumentation/auswertung/"
    "typische-fehlermeldungen-bei-unzustellbarkeit.html"
)
NETEASE = "NetEase enterprise bounce-code table, as reposted at "
"https://biecuoliao.com/pa/MBRrwEM.html"
ORANGE_CODES = "github issue sisimai/p5-sisimai#240 (pasted Orange bounces)"

_ENHANCED = re.compile(r"^smtp; ?\d{3}[ -]([245]\.\d{1,3}\.\d{1,3})\b")


def _expired(inner: str, minutes: int = 840) -> str:
    """An SES expiry diagnostic wrapping the last remote reply."""
    return f"smtp; 554 4.4.7 Message expired: unable to deliver in {minutes} minutes.<{inner}>"


def _c(
    case_id: str,
    mta: str,
    diagnostic: str,
    reason: str,
    source: str,
    *,
    bounce_type: str = "Permanent",
    subtype: str = "General",
    status: str | None = None,
    remote_mta: str | None = None,
) -> DiagnosticCase:
    """One case; ``status`` defaults to the reply's enhanced code as SES copies it."""
    if status is None:
        if "Message expired: unable to deliver" in diagnostic:
            status = "4.4.7"
        else:
            found = _ENHANCED.match(diagnostic)
            status = (
                found.group(1) if found else ("5.0.0" if bounce_type == "Permanent" else "4.0.0")
            )
    return DiagnosticCase(
        case_id=case_id,
        bounce_type=bounce_type,
        bounce_subtype=subtype,
        status=status,
        diagnostic=diagnostic,
        reporting_mta=SES_MTA,
        remote_mta=remote_mta,
        expected_reason=reason,
        source=source,
        mta=mta,
    )


CASES: tuple[DiagnosticCase, ...] = (
    # ------------------------------------------------------------------ Gmail / Google Workspace
    _c(
        "mbp-gmail-nosuchuser-multiline",
        "Gmail",
        "smtp; 550-5.1.1 The email account that you tried to reach does not exist. Please try "
        "550-5.1.1 double-checking the recipient's email address for typos or 550-5.1.1 "
        "unnecessary spaces. Learn more at 550 5.1.1 https://support.google.com/mail/?p=NoSuchUser "
        "7-v6si8057303wrp.401 - gsmtp",
        "mailbox_not_found",
        "https://pastebin.com/DPUU80Xa (Postfix DSN of a Gmail reply) V",
        remote_mta="dns; gmail-smtp-in.l.google.com",
    ),
    _c(
        "mbp-gmail-nosuchuser-answer6596-noemail",
        "Gmail",
        "smtp; 550-5.1.1 The email account that you tried to reach does not exist. Please try "
        "550-5.1.1 double-checking the recipient's email address for typos or 550-5.1.1 "
        "unnecessary spaces. Learn more at 550 5.1.1 https://support.google.com/mail/answer/6596 "
        "u64si99035009qki.62 - gsmtp",
        "mailbox_not_found",
        "https://pastebin.com/1ikpagNB (Sendmail DSN of a Gmail reply) V",
        subtype="NoEmail",
    ),
    _c(
        "mbp-gmail-nosuchuser-2012-state13",
        "Gmail",
        "smtp; 550 550-5.1.1 The email account that you tried to reach does not exist. Please try "
        "550-5.1.1 double-checking the recipient's email address for typos or 550-5.1.1 "
        "unnecessary spaces. Learn more at 550 5.1.1 "
        "http://support.google.com/mail/bin/answer.py?answer=6596 x8si14244020wif.39 (state 13).",
        "mailbox_not_found",
        "https://gist.github.com/ravi/2932287 V",
    ),
    _c(
        "mbp-gmail-nosuchuser-workspace-aspmx",
        "Google Workspace",
        "smtp; 550-5.1.1 The email account that you tried to reach does not exist. Please try "
        "550-5.1.1 double-checking the recipient's email address for typos or 550-5.1.1 "
        "unnecessary spaces. Learn more at 550 5.1.1 https://support.google.com/mail/?p=NoSuchUser "
        "u9-v6si1083608wrr.132 - gsmtp",
        "mailbox_not_found",
        "https://pastebin.com/gedRumE1 (Exim DSN, Workspace domain via aspmx.l.google.com) V",
        remote_mta="dns; aspmx.l.google.com",
    ),
    _c(
        "mbp-gmail-disabled",
        "Gmail",
        "smtp; 550 5.2.1 The email account that you tried to reach is disabled. Learn more at "
        "https://support.google.com/mail/?p=DisabledUser - gsmtp",
        "mailbox_disabled",
        AC + "550.json gmail 5.2.1 V",
    ),
    _c(
        # 5.2.1 here is a receiving-rate limit, not a disabled mailbox: a misleading code.
        "mbp-gmail-receiving-rate-perm",
        "Gmail",
        "smtp; 550 5.2.1 The user you are trying to contact is receiving mail at a rate that "
        "prevents additional messages from being delivered. For more information, please visit "
        "https://support.google.com/mail/?p=ReceivingRatePerm - gsmtp",
        "hard_bounce",
        AC + "550.json gmail 5.2.1-2 V",
    ),
    _c(
        "mbp-gmail-low-domain-reputation",
        "Gmail",
        "smtp; 550 5.7.1 [192.0.2.10] Our system has detected that this message is likely "
        "suspicious due to the very low reputation of the sending domain. To best protect our "
        "users from spam, the message has been blocked. Please visit "
        "https://support.google.com/mail/answer/188131 for more information. - gsmtp",
        "sender_blocklisted",
        AC + "550.json gmail 5.7.1 V",
    ),
    _c(
        "mbp-gmail-dmarc-policy",
        "Gmail",
        "smtp; 550 5.7.1 Unauthenticated email from example.com is not accepted due to domain's "
        "DMARC policy. Please contact the administrator of example.com domain if this was a "
        "legitimate mail. Please visit https://support.google.com/mail/answer/2451690 to learn "
        "about the DMARC initiative. - gsmtp",
        "auth_failed",
        AC + "550.json gmail 5.7.1-2 V",
    ),
    _c(
        "mbp-gmail-dmarc-policy-multiline",
        "Gmail",
        "smtp; 550-5.7.1 Unauthenticated email from example.no is not accepted due to 550-5.7.1 "
        "domain's DMARC policy. Please contact the administrator of 550-5.7.1 example.no domain "
        "if this was a legitimate mail. Please visit 550-5.7.1  "
        "https://support.google.com/mail/answer/2451690 to learn about the 550 5.7.1 DMARC "
        "initiative. r75si5694561wmf.156 - gsmtp",
        "auth_failed",
        "github issue bruceg/ezmlm-idx#11 V",
    ),
    _c(
        "mbp-gmail-5726-unauthenticated",
        "Gmail",
        "smtp; 550-5.7.26 This mail is unauthenticated, which poses a security risk to the "
        "sender and Gmail users, and has been blocked. The sender must authenticate with at "
        "least one of SPF or DKIM.",
        "auth_failed",
        "https://dmarcbeacon.com/blog/gmail-550-error-fix (quoted Gmail reply) V",
    ),
    _c(
        "mbp-gmail-5726-blocked-unauthenticated",
        "Gmail",
        "smtp; 550-5.7.26 This mail has been blocked because the sender is unauthenticated. "
        "550-5.7.26 Gmail requires all senders to authenticate with either SPF or DKIM.",
        "auth_failed",
        "https://powerdmarc.com/ja/fix-this-mail-is-unauthenticated-gmail-error (quoted) V",
    ),
    _c(
        "mbp-gmail-likely-unsolicited",
        "Gmail",
        "smtp; 550-5.7.1 Our system has detected that this message is likely unsolicited mail. "
        "To reduce the amount of spam sent to Gmail, this message has been blocked.",
        "spam_filtered",
        "https://www.suped.com/knowledge/email-deliverability/troubleshooting/"
        "how-do-i-fix-the-gmail-smtp-error-code-571-and-avoid-being-flagged-as-spam (quoted) V",
    ),
    _c(
        "mbp-gmail-over-quota-perm",
        "Gmail",
        "smtp; 552 5.2.2 The email account that you tried to reach is over quota. Please direct "
        "the recipient to https://support.google.com/mail/?p=OverQuotaPerm - gsmtp",
        "mailbox_full",
        AC + "552.json google 5.2.2 V",
    ),
    _c(
        # The local part "." is not a valid address: the address cannot exist (5.1.2 is
        # misleading here, the domain gmail.com exists).
        "mbp-gmail-invalid-rfc5321-address",
        "Gmail",
        "smtp; 553 5.1.2 The recipient address <.@gmail.com> is not a valid RFC-5321 address. "
        "- gsmtp",
        "mailbox_not_found",
        AC + "553.json google 5.1.2 V",
    ),
    _c(
        "mbp-gmail-421-low-reputation-expired",
        "Gmail",
        _expired(
            "421 4.7.0 [192.0.2.10] Our system has detected that this message is suspicious "
            "due to the very low reputation of the sending domain. To best protect our users "
            "from spam, the message has been blocked. Please visit "
            "https://support.google.com/mail/answer/188131 for more information. - gsmtp"
        ),
        "sender_blocklisted",
        AC + "421.json google 4.7.0 V",
        bounce_type="Transient",
    ),
    _c(
        "mbp-gmail-421-suspicious-content-expired",
        "Gmail",
        _expired(
            "421 4.7.0 [192.0.2.10] Our system has detected that this message is suspicious "
            "due to the nature of the content and/or the links within. To best protect our "
            "users from spam, the message has been blocked. Please visit "
            "https://support.google.com/mail/answer/188131 for more information. - gsmtp"
        ),
        "spam_filtered",
        AC + "421.json google 4.7.0-2 V",
        bounce_type="Transient",
    ),
    _c(
        "mbp-gmail-42128-unsolicited-rate-expired",
        "Gmail",
        _expired(
            "421 4.7.28 [192.0.2.10] Our system has detected an unusual rate of unsolicited "
            "mail originating from your IP address. To protect our users from spam, mail sent "
            "from your IP address has been temporarily rate limited. Please visit "
            "https://support.google.com/mail/?p=UnsolicitedRateLimitError to review our Bulk "
            "Email Senders Guidelines. - gsmtp"
        ),
        "sender_blocklisted",
        AC + "421.json google 4.7.28 V",
        bounce_type="Transient",
    ),
    _c(
        "mbp-gmail-450-receiving-too-quickly-expired",
        "Gmail",
        _expired(
            "450 4.2.1 The user you are trying to contact is receiving mail too quickly. Please "
            "resend your message at a later time. If the user is able to receive mail at that "
            "time, your message will be delivered."
        ),
        "soft_bounce",
        GOOGLE_REF + " (450 4.2.1 row) V",
        bounce_type="Transient",
    ),
    _c(
        "mbp-gmail-421-ip-not-whitelisted-expired",
        "Google Workspace",
        _expired("421 4.7.0 IP not in whitelist for RCPT domain, closing connection."),
        "policy_blocked",
        GOOGLE_REF + " (421 4.7.0 row) V",
        bounce_type="Transient",
    ),
    _c(
        "mbp-gmail-421-temporary-system-problem-expired",
        "Gmail",
        _expired("421 4.3.0 Temporary System Problem. Try again later"),
        "soft_bounce",
        GOOGLE_REF + " (421 4.3.0 row) V",
        bounce_type="Transient",
    ),
    _c(
        "mbp-gmail-gcdp-custom-policy",
        "Google Workspace",
        "smtp; 550 5.7.1 This message violates example.com email policy. - gcdp <sessionid> - "
        "gsmtp",
        "policy_blocked",
        GOOGLE_REF + " (gcdp example) V",
    ),
    _c(
        "mbp-gmail-nosuchuser-hackerspace",
        "Google Workspace",
        "smtp; 550-5.1.1 The email account that you tried to reach does not exist. Please try "
        "550-5.1.1 double-checking the recipient's email address for typos or 550-5.1.1 "
        "unnecessary spaces. Learn more at 550 5.1.1  https://support.google.com/mail/answer/6596 "
        "199si26826665wmk.29 - gsmtp",
        "mailbox_not_found",
        "github issue minsk-hackerspace/hackerspace.by#76 V",
        subtype="NoEmail",
    ),
    # ------------------------------------------------------------------ Outlook.com / Hotmail
    _c(
        "mbp-outlook-s3150",
        "Outlook.com",
        "smtp; 550 5.7.1 Unfortunately, messages from [192.0.2.1] weren't sent. Please contact "
        "your Internet service provider since part of their network is on our block list "
        "(S3150). You can also refer your provider to "
        "http://mail.live.com/mail/troubleshooting.aspx#errors. "
        "[VE1EUR01FT080.eop-EUR01.prod.protection.outlook.com]",
        "sender_blocklisted",
        "https://xenforo.com/community/threads/"
        "error-s3150-is-processed-as-soft-bounce-should-be-an-error.234398 V",
    ),
    _c(
        "mbp-outlook-s3140",
        "Outlook.com",
        "smtp; 550 5.7.1 Unfortunately, messages from [192.0.2.2] weren't sent. Please contact "
        "your Internet service provider since part of their network is on our block list "
        "(S3140). You can also refer your provider to "
        "http://mail.live.com/mail/troubleshooting.aspx#errors. "
        "[DM6NAM12FT056.eop-nam12.prod.protection.outlook.com]",
        "sender_blocklisted",
        "https://virtbiz.com/client/index.php?rp=%2Fknowledgebase%2F71%2F"
        "Outlook-or-Hotmail-or-Microsoft-has-blocked-my-email.html V",
    ),
    _c(
        "mbp-outlook-as3150",
        "Outlook.com",
        "smtp; 550 5.7.1 Unfortunately, messages from [192.0.2.3] weren't sent. Please contact "
        "your Internet service provider since part of their network is on our block list "
        "(AS3150). You can also refer your provider to "
        "http://mail.live.com/mail/troubleshooting.aspx#errors.",
        "sender_blocklisted",
        "https://wordtothewise.com/2017/10/troubleshooting-and-codes V",
        remote_mta="dns; outlook-com.olc.protection.outlook.com",
    ),
    _c(
        "mbp-outlook-sc001",
        "Outlook.com",
        "smtp; 550 SC-001 (BAY004-MC4F49) Unfortunately, messages from 192.0.2.4 weren't sent. "
        "Please contact your Internet service provider since part of their network is on our "
        "block list. You can also refer your provider to "
        "http://mail.live.com/mail/troubleshooting.aspx#errors.",
        "sender_blocklisted",
        "https://support.binarylane.com.au/support/solutions/articles/"
        "11000047583-emails-to-hotmail-and-outlook-are-blocked V",
    ),
    _c(
        "mbp-outlook-sc001-col0",
        "Outlook.com",
        "smtp; 550 SC-001 (COL0-MC4-F44) Unfortunately, messages from 192.0.2.5 weren't sent. "
        "Please contact your Internet service provider since part of their network is on our "
        "block list. You can also refer your provider to "
        "http://mail.live.com/mail/troubleshooting.aspx#errors.",
        "sender_blocklisted",
        "https://knowledge.broadcom.com/external/article/158195 V",
    ),
    _c(
        "mbp-outlook-ou002",
        "Outlook.com",
        "smtp; 550 5.7.1 Unfortunately, messages from [192.0.2.6] weren't sent. Please contact "
        "your Internet service provider since part of their network is on our block list "
        "(OU-002). You can also refer your provider to "
        "http://mail.live.com/mail/troubleshooting.aspx",
        "sender_blocklisted",
        "https://www.simplefastwebsites.com/errors/email/"
        "outlook-550-5-7-1-bl-sending-ip-blocklisted-ou-002/ V",
    ),
    _c(
        "mbp-outlook-as843-server-busy-expired",
        "Outlook.com",
        _expired(
            "451 4.7.500 Server busy. Please try again later from [192.0.2.7]. (AS843) "
            "[BN3NAM04FT010.eop-NAM04.prod.protection.outlook.com]"
        ),
        "soft_bounce",
        "https://wordtothewise.com/2017/10/troubleshooting-and-codes V",
        bounce_type="Transient",
    ),
    _c(
        "mbp-outlook-s8002-mailfrom-spamhaus",
        "Outlook.com",
        "smtp; 550 5.7.1 Service unavailable, MailFrom domain is listed in Spamhaus. To request "
        "removal from this list see https://www.spamhaus.org/query/lookup/ (S8002) "
        "[BN8NAM12FT003.eop-nam12.prod.protection.outlook.com]",
        "sender_blocklisted",
        AC + "550.json outlook 5.7.1 V",
    ),
    _c(
        # Outlook.com answers an unknown consumer address with the generic 550 5.5.0 text.
        "mbp-outlook-550-mailbox-unavailable",
        "Outlook.com",
        "smtp; 550 5.5.0 Requested action not taken: mailbox unavailable. "
        "[BN8NAM12FT004.eop-nam12.prod.protection.outlook.com]",
        "mailbox_not_found",
        AC + "550.json outlook 5.5.0 V",
    ),
    _c(
        "mbp-hotmail-550-mailbox-unavailable-old",
        "Hotmail",
        "smtp; 550 Requested action not taken: mailbox unavailable",
        "mailbox_not_found",
        SITEPACKAGE + " (Hotmail, listed under 'Empfänger ist unbekannt') V",
        subtype="NoEmail",
    ),
    _c(
        "mbp-outlook-52122-receive-limit",
        "Outlook.com",
        "smtp; 554 5.2.122 The recipient has exceeded their limit for the number of messages "
        "they can receive per hour. For more information go to "
        "http://go.microsoft.com/fwlink/?LinkId=526653. (#) [outlook.com]",
        "hard_bounce",
        AC + "554.json outlook 5.2.122 V",
    ),
    _c(
        "mbp-outlook-421-service-not-available-expired",
        "Outlook.com",
        _expired("421 4.3.2 Service not available [outlook.com]"),
        "soft_bounce",
        AC + "421.json outlook 4.3.2 V",
        bounce_type="Transient",
    ),
    _c(
        "mbp-outlook-sc001-policy-reasons",
        "Hotmail",
        "smtp; 550 SC-001 Mail rejected by Windows Live Hotmail for policy reasons. Reasons for "
        "rejection may be related to content with spam-like characteristics or IP/domain "
        "reputation. If you are not an email/network admin please contact your E-mail/Internet "
        "Service Provider for help.",
        "sender_blocklisted",
        "https://www.mydigitallife.net/how-to-remove-server-ip-address-from-msn-hotmail-block"
        "-blacklist/ V",
        remote_mta="dns; mx1.hotmail.com",
    ),
    _c(
        "mbp-outlook-sc004-complaints",
        "Hotmail",
        "smtp; 550 SC-004 Mail rejected by Windows Live Hotmail for policy reasons. A block has "
        "been placed against your IP address because we have received complaints concerning mail "
        "coming from that IP address. We recommend enrolling in our Junk Email Reporting Program "
        "(JMRP), a free program intended to help senders remove unwanted recipients from their "
        "email list. If you are not an email/network admin please contact your Email/Internet "
        "Service Provider for help.",
        "sender_blocklisted",
        "https://www.mydigitallife.net/how-to-remove-server-ip-address-from-msn-hotmail-block"
        "-blacklist/ V",
    ),
    _c(
        # Dynamic-IP policy: a connection policy about our sending host, not a blocklist verdict.
        "mbp-outlook-dy001-dynamic-ip",
        "Hotmail",
        "smtp;550 DY-001 Mail rejected by Windows Live Hotmail for policy reasons. We generally do "
        "not accept email from dynamic IP's as they are not typically used to deliver "
        "unauthenticated SMTP e-mail to an Internet mail server. maintains lists of dynamic and "
        "residential IP addresses. If you are not an email/network admin please contact your "
        "E-mail/Internet Service Provider for help. Email/network admins, please visit for email "
        "delivery information and support",
        "policy_blocked",
        "http://intranoggin.com/Blog/April-2008/HotMail-Delivery-Status-Notification"
        "-(Failure).aspx V",
        status="5.5.0",
    ),
    _c(
        "mbp-outlook-as3130-spamhaus",
        "Outlook.com",
        "smtp; 550 5.7.1 Service unavailable, Client host [192.0.2.8] blocked using Spamhaus. To "
        "request removal from this list see https://www.spamhaus.org/query/ip/192.0.2.8 "
        "(AS3130). [VE1EUR01FT062.eop-EUR01.prod.protection.outlook.com]",
        "sender_blocklisted",
        "github issue sendgrid/docs#6275 V",
    ),
    _c(
        "mbp-outlook-4650-ip-reputation-expired",
        "Outlook.com",
        _expired(
            "451 4.7.650 The mail server [192.0.2.9] has been temporarily rate limited due to IP "
            "reputation. For e-mail delivery information, see https://postmaster.live.com (S3113) "
            "[VI1EUR06FT038.eop-eur06.prod.protection.outlook.com]"
        ),
        "sender_blocklisted",
        "github issue sendgrid/docs#6275 V",
        bounce_type="Transient",
    ),
    _c(
        "mbp-outlook-s3140-exim-timestamped",
        "Outlook.com",
        "smtp; 550 5.7.1 Unfortunately, messages from [192.0.2.11] weren't sent. Please contact "
        "your Internet service provider since part of their network is on our block list "
        "(S3140). You can also refer your provider to "
        "http://mail.live.com/mail/troubleshooting.aspx#errors. "
        "[DM6NAM12FT008.eop-nam12.prod.protection.outlook.com 2023-02-01T02:52:56.703Z "
        "08DB03E3F757F606]",
        "sender_blocklisted",
        "github issue hestiacp/hestiacp#2901 V",
        remote_mta="dns; hotmail-com.olc.protection.outlook.com",
    ),
    # ------------------------------------------------------------------ Yahoo / AOL / Verizon Media
    _c(
        "mbp-yahoo-dd-no-account",
        "Yahoo",
        "smtp; 554 delivery error: dd This user doesn't have a yahoo.com account "
        "(someone@yahoo.com) [0] - mta1285.mail.ne1.yahoo.com",
        "mailbox_not_found",
        YAHOO_HELP + " (text); host form from github issue netneutrality/savetheinternet.in#161 V",
    ),
    _c(
        "mbp-yahoo-dd-no-account-ymail",
        "Yahoo",
        "smtp; 554 delivery error: dd This user doesn't have a ymail.com account "
        "(someone@ymail.com) [0] - mta1285.mail.ne1.yahoo.com",
        "mailbox_not_found",
        "github issue netneutrality/savetheinternet.in#161 V",
        subtype="NoEmail",
        remote_mta="dns; mta7.am0.yahoodns.net",
    ),
    _c(
        "mbp-yahoo-dd-no-account-yahoo-fr",
        "Yahoo",
        "smtp; 554 delivery error: dd This user doesn't have a yahoo.fr account "
        "(someone@yahoo.fr) [0] - mta1064.mail.ird.yahoo.com",
        "mailbox_not_found",
        "github issue hippich/PHPMailer-BMH#2 V",
    ),
    _c(
        "mbp-yahoo-dd-no-account-yahoo-de-short",
        "Yahoo",
        "smtp; 554 delivery error: dd This user doesn't have a yahoo.de account",
        "mailbox_not_found",
        SITEPACKAGE + " (Yahoo) V",
    ),
    _c(
        "mbp-yahoo-dd-no-account-verizon-media",
        "Yahoo",
        "smtp; 554 delivery error: dd This user doesn't have a example.com account "
        "(someone@example.com) [-9] - mta4001.mail.gq1.yahoo.com",
        "mailbox_not_found",
        AC + "554.json verizon 5.5.4 V",
        status="5.5.4",
    ),
    _c(
        "mbp-yahoo-dd-over-quota",
        "Yahoo",
        "smtp; 554 delivery error: dd Sorry, your message to someone@yahoo.com cannot be "
        "delivered. This account is over quota.",
        "mailbox_full",
        YAHOO_HELP + " V",
    ),
    _c(
        "mbp-yahoo-dd-mailbox-disabled-55430",
        "Yahoo",
        "smtp; 554 delivery error: dd Sorry, your message to someone@example.com cannot be "
        "delivered. This mailbox is disabled (554.30). - mta4002.mail.gq1.yahoo.com",
        "mailbox_disabled",
        AC + "554.json verizon 5.5.4-1 V",
        status="5.5.4",
    ),
    _c(
        "mbp-yahoo-de-disabled-or-discontinued",
        "Yahoo",
        "smtp; 554 delivery error: dd Sorry your message to someone@yahoo.de cannot be "
        "delivered. This account has been disabled or discontinued",
        "mailbox_disabled",
        SITEPACKAGE + " (Yahoo) V",
    ),
    _c(
        "mbp-yahoo-dd-no-longer-valid",
        "Yahoo",
        "smtp; 554 delivery error: dd someone@example.com is no longer valid. [-20] - "
        "mta4003.mail.gq1.yahoo.com",
        "mailbox_not_found",
        AC + "554.json verizon 5.5.4-6 V",
        status="5.5.4",
    ),
    _c(
        "mbp-yahoo-552-mailbox-not-found",
        "Yahoo",
        "smtp; 552 1 Requested mail action aborted, mailbox not found",
        "mailbox_not_found",
        AC + "552.json verizon 5.1.1 V",
        status="5.1.1",
    ),
    _c(
        "mbp-yahoo-dd-requested-action-aborted",
        "Yahoo",
        "smtp; 554 delivery error: dd Requested mail action aborted - mta4004.mail.gq1.yahoo.com",
        "hard_bounce",
        AC + "554.json verizon 5.5.4-2 V",
        status="5.5.4",
    ),
    _c(
        "mbp-yahoo-579-policy-reasons",
        "Yahoo",
        "smtp; 554 5.7.9 Message not accepted for policy reasons. See "
        "https://help.yahoo.com/kb/postmaster/SLN7253.html",
        "policy_blocked",
        AC + "554.json verizon 5.7.9 V",
    ),
    _c(
        # PH01: Yahoo suspects phishing in the message: a content verdict.
        "mbp-yahoo-ph01-phishing",
        "Yahoo",
        "smtp; 554 Message not allowed - [PH01] Email not accepted for policy reasons. Please "
        "visit https://help.yahoo.com/kb/postmaster/SLN5067.html [120]",
        "spam_filtered",
        AC + "554.json verizon 5.5.4-3 (description: suspicion of phishing) V",
        status="5.5.4",
    ),
    _c(
        "mbp-yahoo-headers-not-rfc-compliant",
        "Yahoo",
        "smtp; 554 Message not allowed - Headers are not RFC compliant[291]",
        "policy_blocked",
        AC + "554.json verizon 5.5.4-4 V",
        status="5.5.4",
    ),
    _c(
        "mbp-yahoo-tss04-complaints-expired",
        "Yahoo",
        _expired(
            "421 4.7.0 [TSS04] Messages from 192.0.2.20 temporarily deferred due to user "
            "complaints - 4.16.55.1; see https://help.yahoo.com/kb/postmaster/SLN3434.html"
        ),
        "sender_blocklisted",
        "github issue Mailu/Mailu#583 (Postfix log of a Yahoo reply) V",
        bounce_type="Transient",
        remote_mta="dns; mx-tw.mail.gm0.yahoodns.net",
    ),
    _c(
        "mbp-yahoo-tss04-volume-expired",
        "Yahoo",
        _expired(
            "421 4.7.0 [TSS04] Messages from 192.0.2.21 temporarily deferred due to unexpected "
            "volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes"
        ),
        "sender_blocklisted",
        "https://smtp.codes/yahoo V",
        bounce_type="Transient",
    ),
    _c(
        "mbp-yahoo-max-messages-per-connection-expired",
        "Yahoo",
        _expired("421 Max message per connection reached, closing transmission channel"),
        "soft_bounce",
        AC + "421.json verizon 4.0.0-2 V",
        bounce_type="Transient",
    ),
    _c(
        "mbp-yahoo-resources-unavailable-expired",
        "Yahoo",
        _expired("421 Resources temporarily unavailable. Please try again later."),
        "soft_bounce",
        YAHOO_HELP + " V",
        bounce_type="Transient",
    ),
    _c(
        "mbp-yahoo-service-not-available-expired",
        "Yahoo",
        _expired("421 Service not available, closing transmission channel"),
        "soft_bounce",
        AC + "421.json verizon 4.0.0 V",
        bounce_type="Transient",
    ),
    _c(
        # Yahoo throttles an IP that sends to many unknown users: a reputation deferral.
        "mbp-yahoo-vs1-ip-excessive-unknown-expired",
        "Yahoo",
        _expired(
            "421 VS1-IP Excessive unknown recipients - possible Open Relay "
            "http://help.yahoo.com/help/us/mail/spam/spam-18.html (#4.1.8)"
        ),
        "sender_blocklisted",
        "http://zort.org/email/excessive-unknown-recipients (telnet to mx4.mail.yahoo.com) V",
        bounce_type="Transient",
    ),
    _c(
        "mbp-yahoo-553-mail-from-not-allowed-open-relay",
        "Yahoo",
        "smtp; 553 Mail from 192.0.2.22 not allowed",
        "sender_blocklisted",
        "https://help.yahoo.com/kb/SLN5066.html (open relay/proxy block of the sending IP) V",
    ),
    _c(
        "mbp-aol-mailbox-not-found",
        "AOL",
        "smtp; 550 MAILBOX NOT FOUND",
        "mailbox_not_found",
        SITEPACKAGE + " (AOL) V",
        subtype="NoEmail",
    ),
    _c(
        "mbp-yahoo-japan-no-account",
        "Yahoo! JAPAN",
        "smtp; 550 5.1.1 This user doesn't have a yahoo.co.jp account (someone@yahoo.co.jp)",
        "mailbox_not_found",
        "http://mahoro-ba.net/e771.html (Yahoo! JAPAN DSN text 'This user doesn't have a "
        "yahoo.co.jp account'; reply code typical) T",
    ),
    # ------------------------------------------------------------------ Verizon
    _c(
        # verizon.net moved its mailboxes to AOL; its old MX refuses to relay for them.
        "mbp-verizon-relaying-denied",
        "Verizon",
        "smtp; 550 relaying denied for <someone@example.com>",
        "policy_blocked",
        AC + "550.json verizon 5.0.0 V",
    ),
    # ------------------------------------------------------------------ iCloud / Apple
    _c(
        "mbp-icloud-user-does-not-exist",
        "iCloud",
        "smtp; 550 5.1.1 <someone@icloud.com>: user does not exist",
        "mailbox_not_found",
        AC + "550.json icloud 5.1.1 V",
        subtype="NoEmail",
    ),
    _c(
        "mbp-icloud-user-does-not-exist-general",
        "iCloud",
        "smtp; 550 5.1.1 <someone@me.com>: user does not exist",
        "mailbox_not_found",
        AC + "550.json icloud 5.1.1 (me.com domain) V",
    ),
    _c(
        # CS01 is Apple's generic local-policy refusal (filtering of sender/content).
        "mbp-icloud-cs01-local-policy",
        "iCloud",
        "smtp; 550 5.7.1 [CS01] Message rejected due to local policy. Please visit "
        "https://support.apple.com/en-us/HT204137",
        "policy_blocked",
        AC + "550.json icloud 5.7.1 V",
    ),
    _c(
        "mbp-icloud-dmarc",
        "iCloud",
        "smtp; 550 5.7.1 Your message was rejected due to example.com's DMARC policy. See "
        "https://support.apple.com/en-us/HT204137 for info",
        "auth_failed",
        AC + "550.json icloud 5.7.1-2 V",
    ),
    _c(
        "mbp-icloud-spamhaus-sbl",
        "iCloud",
        "smtp; 550 5.7.1 Mail from IP 192.0.2.30 was rejected due to listing in Spamhaus SBL. "
        "For details please see http://www.spamhaus.org/query/bl?ip=192.0.2.30",
        "sender_blocklisted",
        "github issues sendgrid/docs#6275 and devmehq/email-validator-js#100 (iCloud) V",
    ),
    _c(
        "mbp-icloud-relay-access-denied",
        "iCloud",
        "smtp; 554 5.7.1 <someone@icloud.com>: Relay access denied",
        "policy_blocked",
        AC + "554.json apple 5.7.1 V",
    ),
    _c(
        "mbp-icloud-overquota",
        "iCloud",
        "smtp; 552 5.2.2 <someone@icloud.com>: user is overquota",
        "mailbox_full",
        AC + "552.json apple 5.2.2 V",
    ),
    _c(
        "mbp-icloud-overquota-mailboxfull-subtype",
        "iCloud",
        "smtp; 552 5.2.2 <someone@me.com>: user is overquota",
        "mailbox_full",
        AC + "552.json apple 5.2.2 (me.com domain) V",
        bounce_type="Transient",
        subtype="MailboxFull",
    ),
    _c(
        "mbp-icloud-excessive-volume-expired",
        "iCloud",
        _expired(
            "421 4.7.1 Messages to someone@icloud.com deferred due to excessive volume. Try "
            "again later - https://support.apple.com/en-us/HT204137"
        ),
        "soft_bounce",
        AC + "421.json apple 4.7.1 V",
        bounce_type="Transient",
    ),
    _c(
        "mbp-icloud-too-many-errors-expired",
        "iCloud",
        _expired("421 4.7.0 me.com Error: too many errors"),
        "soft_bounce",
        AC + "421.json apple 4.7.0 V",
        bounce_type="Transient",
    ),
    # ------------------------------------------------------------------ Comcast / Xfinity
    _c(
        "mbp-comcast-not-our-customer",
        "Comcast",
        "smtp; 550 5.1.1 Not our Customer",
        "mailbox_not_found",
        AC + "550.json comcast 5.1.1 V",
    ),
    _c(
        "mbp-comcast-mailbox-unallocated",
        "Comcast",
        "smtp; 550 5.1.1 <someone@comcast.net> recipient mailbox unallocated",
        "mailbox_not_found",
        AC + "550.json comcast 5.1.1-2 V",
        subtype="NoEmail",
    ),
    _c(
        "mbp-comcast-dmarc",
        "Comcast",
        "smtp; 550 5.2.0 Message rejected due to DMARC. Please see "
        "http://postmaster.comcast.net/smtp-error-codes.php#DM000001",
        "auth_failed",
        AC + "550.json comcast 5.2.0 V",
    ),
    _c(
        # Comcast closes mailboxes left over quota; the code says 5.1.1 but the words say full.
        "mbp-comcast-extended-quota-violation",
        "Comcast",
        "smtp; 552 5.1.1 <someone@comcast.net> recipient rejected - extended quota violation",
        "mailbox_full",
        AC + "552.json comcast 5.1.1 V",
    ),
    _c(
        "mbp-comcast-ptr-required",
        "Comcast",
        "smtp; 554 resimta-po-02v.sys.comcast.net comcast 192.0.2.40 Comcast requires that all "
        "mail servers must have a PTR record with a valid Reverse DNS entry.",
        "policy_blocked",
        "github pull ActiveCampaign/smtp-field-manual#65 V",
    ),
    _c(
        "mbp-comcast-block-for-spam",
        "Comcast",
        "smtp; 554 imta14.emeryville.ca.mail.comcast.net comcast 192.0.2.41 Comcast block for "
        "spam.",
        "sender_blocklisted",
        "github pull ActiveCampaign/smtp-field-manual#65 V",
    ),
    _c(
        "mbp-comcast-bl000000-patterns-of-spam",
        "Comcast",
        "smtp; 554 resimta-ch2-18v.sys.comcast.net comcast 192.0.2.42 BL000000 Email from your "
        "mail server has been sent in patterns that are characteristic of spam.",
        "sender_blocklisted",
        "https://docs.hetrixtools.com/how-to-remove-your-ip-from-the-comcast-blacklist/ (code "
        "and text verbatim; Comcast host prefix typical) V (prefix T)",
    ),
    _c(
        "mbp-comcast-bl000001-spamhaus",
        "Comcast",
        "smtp; 554 resimta-ch2-18v.sys.comcast.net comcast 192.0.2.43 found on one or more "
        "DNSBLs, see http://postmaster.comcast.net/smtp-error-codes.php#BL000001",
        "sender_blocklisted",
        "http://postmaster.comcast.net/mail-error-codes.html (BL000001 = Spamhaus Zen); wire "
        "form typical T",
    ),
    _c(
        "mbp-comcast-bl000010-cloudmark",
        "Comcast",
        "smtp; 554 resimta-ch2-18v.sys.comcast.net comcast 192.0.2.44 found on one or more "
        "DNSBLs, see http://postmaster.comcast.net/smtp-error-codes.php#BL000010",
        "sender_blocklisted",
        "http://postmaster.comcast.net/mail-error-codes.html (BL000010 = Cloudmark CSI); wire "
        "form typical T",
    ),
    _c(
        "mbp-comcast-rl000001-rate-expired",
        "Comcast",
        _expired(
            "421 resimta-ch2-18v.sys.comcast.net comcast 192.0.2.45 Too many sessions opened. "
            "Please see http://postmaster.comcast.net/smtp-error-codes.php#RL000001"
        ),
        "soft_bounce",
        "http://security.comcast.net/get-help/Mail-Delivery-Error-Messages.aspx (RL codes, "
        "'Too many sessions opened'); wire form typical T",
        bounce_type="Transient",
    ),
    # ------------------------------------------------------------------ Cox
    _c(
        "mbp-cox-cxbl-blocked",
        "Cox",
        "smtp; 554 cmsmtp blocked. Refer to Error Codes section at "
        "https://www.cox.com/residential/support/email-error-codes.html for more information. "
        "AUP#CXBL",
        "sender_blocklisted",
        "https://forums.cox.com/discussions/internet/"
        "emails-to-me-from-rice-edu-being-rejected-aupcxbl-error-554-5-0-0/122275 V (URL from "
        "github issue sisimai/p5-sisimai#398)",
    ),
    _c(
        "mbp-cox-cdrbl-temporary-block",
        "Cox",
        "smtp; 554 cmsmtp 192.0.2.50 blocked. Refer to Error Codes section at "
        "https://www.cox.com/residential/support/email-error-codes.html for more information. "
        "AUP#CDRBL",
        "sender_blocklisted",
        "http://postmaster.cox.net/confluence/display/postmaster/Error+Codes (CDRBL: IP "
        "temporarily blocked for spam-like behaviour); wire form typical T",
    ),
    _c(
        "mbp-cox-ipbl0001-spamhaus",
        "Cox",
        "smtp; 554 cmsmtp 192.0.2.51 blocked. Refer to Error Codes section at "
        "https://www.cox.com/residential/support/email-error-codes.html for more information. "
        "AUP#IPBL0001",
        "sender_blocklisted",
        "http://postmaster.cox.net/confluence/display/postmaster/Error+Codes (IPBL0001: listed "
        "in Spamhaus Zen); wire form typical T",
    ),
    _c(
        # CXSNDR: our sender domain does not resolve / fails its checks: a refusal of our sender.
        "mbp-cox-cxsndr-sender-domain",
        "Cox",
        "smtp; 550 5.1.0 cmsmtp <bounce@example.com> sender rejected. Refer to Error Codes "
        "section at https://www.cox.com/residential/support/email-error-codes.html for more "
        "information. AUP#CXSNDR",
        "policy_blocked",
        "https://forums.cox.com/discussions/internet/"
        "aupcxsndr----error-trigger-depends-upon-message-content/109845 (CXSNDR meaning); wire "
        "form typical T",
    ),
    _c(
        "mbp-cox-cxcnct-connections-expired",
        "Cox",
        _expired(
            "421 cmsmtp 192.0.2.52 too many connections. Refer to Error Codes section at "
            "https://www.cox.com/residential/support/email-error-codes.html for more "
            "information. AUP#CXCNCT"
        ),
        "soft_bounce",
        "https://www.suped.com/knowledge/email-deliverability/troubleshooting/"
        "how-to-troubleshoot-coxnet-421-aupcxcnct-email-rejections (421 AUP#CXCNCT); wire "
        "form typical T",
        bounce_type="Transient",
    ),
    # -------------------------------------------------------- AT&T (att.net, sbcglobal, prodigy...)
    _c(
        "mbp-att-addressee-unknown",
        "AT&T",
        "smtp; 550 5.2.1 <SOMEONE@PRODIGY.NET>... Addressee unknown, relay=[192.0.2.60]",
        "mailbox_not_found",
        AC + "550.json att 5.2.1 V",
    ),
    _c(
        "mbp-att-addressee-unknown-noemail",
        "AT&T",
        "smtp; 550 5.2.1 <SOMEONE@SBCGLOBAL.NET>... Addressee unknown, relay=[192.0.2.61]",
        "mailbox_not_found",
        AC + "550.json att 5.2.1 (sbcglobal.net domain) V",
        subtype="NoEmail",
    ),
    _c(
        "mbp-att-no-valid-reverse-dns",
        "AT&T",
        "smtp; 550 5.7.1 Connections not accepted from servers without a valid sender "
        "example.com. Fix reverse DNS for 192.0.2.62",
        "policy_blocked",
        AC + "550.json att 5.7.1 V",
    ),
    # -------------------------------------------------------------- Charter / Spectrum / Roadrunner
    _c(
        # Charter documents that mail its filter flags as spam gets a bare "550 Message Rejected".
        "mbp-charter-bare-message-rejected",
        "Charter/Spectrum",
        "smtp; 550 Message Rejected",
        "spam_filtered",
        "http://www.myaccount.charter.com/customers/support.aspx?supportarticleid=1953 "
        "(Handling Spam) V",
    ),
    _c(
        # Cloudmark "time-out" of a sending IP with poor reputation (5 min to 24 h).
        "mbp-charter-aup-i1310-timeout",
        "Charter/Spectrum",
        "smtp; 550 5.1.0 sender rejected AUP#I-1310",
        "sender_blocklisted",
        "https://www.spamresource.com/2019/10/charterroadrunner-bounces.html V",
    ),
    _c(
        "mbp-charter-aup-i1330-timeout",
        "Charter/Spectrum",
        "smtp; 550 5.1.0 sender rejected AUP#I-1330",
        "sender_blocklisted",
        "https://www.spamresource.com/2019/10/charterroadrunner-bounces.html V",
    ),
    # ---------------------------------------------------- GMX / WEB.DE / mail.com (United Internet)
    _c(
        "mbp-gmx-ip-block-listed",
        "GMX",
        "smtp; 554-gmx.net (mxgmx104) Nemesis ESMTP Service not available 554-No SMTP service "
        "554-IP address is block listed. 554 For explanation visit "
        "https://postmaster.gmx.net/en/case?c=r0201&i=ip&v=192.0.2.70&r=1MNcgj-1ue23t3pyV-00S2YR",
        "sender_blocklisted",
        "https://postmaster.gmx.com/en/error-messages V",
    ),
    _c(
        "mbp-gmx-mailbox-unavailable",
        "GMX",
        "smtp; 550 <someone@gmx.net>: Requested action not taken: mailbox unavailable",
        "mailbox_not_found",
        "https://smtp.codes/unitedinternet/ (GMX: 'The specified recipient does not exist') V",
    ),
    _c(
        "mbp-gmx-spf-policy",
        "GMX",
        "smtp; 550 <someone@gmx.de>: Reject due to SPF policy. The originating IP of the message "
        "is not permitted by the domain owner",
        "auth_failed",
        "https://smtp.codes/unitedinternet/ V",
    ),
    _c(
        "mbp-gmx-syntax-error-config",
        "GMX",
        "smtp; 501 Syntax error in parameters or arguments",
        "policy_blocked",
        "https://smtp.codes/unitedinternet/ ('Due to an incorrect configuration, email "
        "reception has been refused') V",
    ),
    _c(
        "mbp-gmx-quota-exceeded",
        "GMX",
        "smtp; 552 Requested mail action aborted: exceeded storage allocation Quota exceeded.",
        "mailbox_full",
        AC + "552.json gmx V",
    ),
    _c(
        "mbp-gmx-user-unknown",
        "GMX",
        "smtp; 550 5.1.1 <someone@gmx.de>... User is unknown",
        "mailbox_not_found",
        SITEPACKAGE + " (GMX) V",
    ),
    _c(
        "mbp-gmx-user-inactive",
        "GMX",
        "smtp; 550 5.2.1 <someone@gmx.de>... User is inactive",
        "mailbox_disabled",
        SITEPACKAGE + " (GMX) V",
    ),
    _c(
        "mbp-webde-benutzer-unbekannt",
        "WEB.DE",
        "smtp; 550 Benutzer nicht bekannt/User unknown",
        "mailbox_not_found",
        SITEPACKAGE + " (Web.de) V",
    ),
    _c(
        "mbp-webde-user-unknown",
        "WEB.DE",
        "smtp; 550 User unknown.",
        "mailbox_not_found",
        SITEPACKAGE + " (Web.de) V",
        subtype="NoEmail",
    ),
    _c(
        "mbp-webde-speichervolumen",
        "WEB.DE",
        "smtp; 550 Benutzer hat das Speichervolumen ueberschritten. / User has exhausted allowed "
        "storage space.",
        "mailbox_full",
        SITEPACKAGE + " (Web.de) V",
    ),
    _c(
        "mbp-webde-zuviele-mails",
        "WEB.DE",
        "smtp; 550 Benutzer hat zuviele Mails auf dem Server. / User has too many messages on "
        "the server.",
        "mailbox_full",
        SITEPACKAGE + " (Web.de) V",
    ),
    _c(
        "mbp-webde-policy-violations-expired",
        "WEB.DE",
        _expired("421 Reject due to policy violations"),
        "sender_blocklisted",
        "https://new-faq.comservice-ffo.de/smtp-fehlermeldungen-e-mail-fehler/ (IP blocked for a "
        "poor delivery rate) V",
        bounce_type="Transient",
    ),
    _c(
        "mbp-webde-rate-limit-expired",
        "WEB.DE",
        _expired("421 Rate limit reached. Please try again later"),
        "soft_bounce",
        "https://new-faq.comservice-ffo.de/smtp-fehlermeldungen-e-mail-fehler/ V",
        bounce_type="Transient",
    ),
    # ------------------------------------------------------------------ T-Online (Deutsche Telekom)
    _c(
        "mbp-tonline-ip-bl",
        "T-Online",
        "smtp; 554 IP=192.0.2.80 - A problem occurred. (Ask your postmaster for help or to "
        "contact tosa@rx.t-online.de to clarify.) (BL)",
        "sender_blocklisted",
        "github issue mailcow/mailcow-dockerized#2532 V",
        remote_mta="dns; mx02.t-online.de",
    ),
    _c(
        "mbp-tonline-ip-bl-mx03",
        "T-Online",
        "smtp; 554 IP=192.0.2.81 - A problem occurred. (Ask your postmaster for help or to "
        "contact tosa@rx.t-online.de to clarify.) (BL)",
        "sender_blocklisted",
        "github issue Mailu/Mailu#1614 V",
        remote_mta="dns; mx03.t-online.de",
    ),
    _c(
        "mbp-tonline-eab-expired",
        "T-Online",
        _expired("450 4.7.1 [EAB] 554 IP=192.0.2.82 - A problem occurred."),
        "sender_blocklisted",
        "https://coviserver.de/e-mail-geblockt V",
        bounce_type="Transient",
    ),
    _c(
        "mbp-tonline-user-unknown",
        "T-Online",
        "smtp; 550 5.1.1 user unknown",
        "mailbox_not_found",
        SITEPACKAGE + " (T-Online) V",
        subtype="NoEmail",
    ),
    _c(
        "mbp-tonline-over-storage-quota",
        "T-Online",
        "smtp; 552 5.2.2 Over STORAGE quota",
        "mailbox_full",
        SITEPACKAGE + " (T-Online) V",
    ),
    # -------------------------------------------------------------- Freenet, Lycos, CompuServe (DE)
    _c(
        # Freenet's Exim answers an unknown local user with "unrouteable address": the
        # domain exists, the mailbox does not.
        "mbp-freenet-unrouteable-address",
        "freenet.de",
        "smtp; 550 unrouteable address",
        "mailbox_not_found",
        SITEPACKAGE + " (Freenet, listed under 'Empfänger ist unbekannt') V",
    ),
    _c(
        "mbp-lycos-account-closed",
        "Lycos",
        "smtp; 550 <someone@lycos.de>: Recipient address rejected: Account Closed",
        "mailbox_disabled",
        SITEPACKAGE + " (Lycos) V",
    ),
    _c(
        "mbp-compuserve-mailbox-not-found",
        "CompuServe",
        "smtp; 550 5.1.1 <someone@compuserve.de>... Mailbox not found",
        "mailbox_not_found",
        SITEPACKAGE + " (Compuserve) V",
    ),
    _c(
        "mbp-compuserve-rdns-country-code",
        "CompuServe",
        "smtp; 554 Refused. Your reverse DNS entry contains your IP address and a country code.",
        "policy_blocked",
        SITEPACKAGE + " (Compuserve) V",
    ),
    # ------------------------------------------------------------------ Orange / Wanadoo (FR)
    _c(
        "mbp-orange-ofr416-destinataire-invalide",
        "Orange",
        "smtp; 550 5.1.1 Adresse d au moins un destinataire invalide. Invalid recipient. "
        "OFR_416 [416]",
        "mailbox_not_found",
        ORANGE_CODES + " V",
    ),
    _c(
        "mbp-orange-ofr416-noemail",
        "Orange",
        "smtp; 550 5.1.1 Adresse d au moins un destinataire invalide. Invalid recipient. "
        "OFR_416 [416]",
        "mailbox_not_found",
        ORANGE_CODES + " V",
        subtype="NoEmail",
        remote_mta="dns; smtp-in.orange.fr",
    ),
    _c(
        "mbp-orange-ofr417-boite-pleine",
        "Orange",
        "smtp; 552 5.1.1 Boite du destinataire pleine. Recipient overquota. OFR_417 [417]",
        "mailbox_full",
        ORANGE_CODES + "; " + AC + "552.json orange V",
    ),
    _c(
        "mbp-orange-ofr417-mailboxfull-subtype",
        "Orange",
        "smtp; 552 5.1.1 Boite du destinataire pleine. Recipient overquota. OFR_417 [417]",
        "mailbox_full",
        ORANGE_CODES + " V",
        bounce_type="Transient",
        subtype="MailboxFull",
    ),
    _c(
        # The sender address is refused: our sender, not the recipient.
        "mbp-orange-ofr415-emetteur-invalide",
        "Orange",
        "smtp; 550 5.1.0 Emetteur invalide. Invalid Sender. OFR_415 [415]",
        "policy_blocked",
        ORANGE_CODES + " V",
    ),
    _c(
        "mbp-orange-ofr004-405-emetteur-invalide",
        "Orange",
        "smtp; 501 5.1.0 Emetteur invalide. Invalid Sender. OFR004_405 [405]",
        "policy_blocked",
        "github issue MieuxVoter/app.mieuxvoter.fr-front#71 (Mailgun log) V",
        remote_mta="dns; smtp-in.orange.fr",
    ),
    _c(
        "mbp-orange-ofr514-taille-limite",
        "Orange",
        "smtp; 550 5.2.0 Taille limite du message atteinte. Maximum size of the message reached. "
        "OFR_514 [514]",
        "message_too_large",
        ORANGE_CODES + " (text verbatim; reply code typical) V (code T)",
        status="5.2.0",
    ),
    _c(
        "mbp-orange-ofr006-102-ip-bloquee-spam",
        "Orange",
        "smtp; 550 mwinf5c14 ME Adresse IP source bloquee pour incident de spam. Client host "
        "blocked for spamming issues. OFR006_102 Ref "
        "http://csi.cloudmark.com/reset-request/?ip=192.0.2.90 [102]",
        "sender_blocklisted",
        "github pull ActiveCampaign/smtp-field-manual#60 (Postfix log) V",
    ),
    _c(
        "mbp-orange-ofr004-104-trop-de-connexions-expired",
        "Orange",
        _expired(
            "421 mwinf5c27 ME Trop de connexions, veuillez verifier votre configuration. Too "
            "many connections, slow down. OFR004_104 [104]"
        ),
        "soft_bounce",
        ORANGE_CODES + " V",
        bounce_type="Transient",
    ),
    # ------------------------------------------------------------------ Free / Proxad (FR)
    _c(
        "mbp-free-spam-detected",
        "Free",
        "smtp; 550 spam detected",
        "spam_filtered",
        "http://postmaster.free.fr/ ; github issue JamBrain/JamBrain#270 V",
        remote_mta="dns; mx1.free.fr",
    ),
    _c(
        "mbp-free-quota-mailbox-full",
        "Free",
        "smtp; 554 5.2.2 <someone@free.fr>: Recipient address rejected: Quota exceeded (mailbox "
        "for user is full)",
        "mailbox_full",
        AC + "554.json free 5.2.2 V",
    ),
    _c(
        "mbp-free-user-quota-exceeded",
        "Free",
        "smtp; 552 5.2.2 user quota exceeded (UserSearch)",
        "mailbox_full",
        AC + "552.json free 5.2.2 V",
    ),
    # ------------------------------------------------------------------ SFR (FR)
    _c(
        "mbp-sfr-message-content-rejected",
        "SFR",
        "smtp; 550 5.7.1 Message content rejected",
        "spam_filtered",
        "https://doc.gadz.org/pages/diffpages.action?originalId=21791317&pageId=21792015 "
        "(smtp-in.sfr.fr) V",
        remote_mta="dns; smtp-in.sfr.fr",
    ),
    # ------------------------------------------------------------------ La Poste (FR)
    _c(
        "mbp-laposte-lpn416-destinataire-invalide",
        "La Poste",
        "smtp; 550 5.1.1 Adresse d au moins un destinataire invalide. Invalid recipient. LPN416 "
        "416",
        "mailbox_not_found",
        "github issue sisimai/p5-sisimai#241 (pasted La Poste bounces) V",
    ),
    _c(
        "mbp-laposte-lpn004-420-archivee",
        "La Poste",
        "smtp; 550 550 5.1.1 Boite du destinataire archivee. Archived recipient. LPN004_420 [420]",
        "mailbox_disabled",
        "github issue sisimai/p5-sisimai#241 V",
    ),
    _c(
        "mbp-laposte-lpn004-401-spf",
        "La Poste",
        "smtp; 550 5.5.0 SPF: 192.0.2.95 is not allowed to send mail. LPN004_401",
        "auth_failed",
        "github issue sisimai/p5-sisimai#241 V",
    ),
    _c(
        # Refused at end of DATA; French admins file it under spam/virus refusals.
        "mbp-laposte-lpn007-510-service-refuse",
        "La Poste",
        "smtp; 550 5.5.0 Service refuse. Veuillez essayer plus tard. service refused, please try "
        "later. LPN007_510",
        "spam_filtered",
        "github issue JamBrain/JamBrain#270; categorised as 'SPAM ou VIRUS' at "
        "https://doc.gadz.org/pages/diffpages.action?originalId=21791317&pageId=21792015 V",
        remote_mta="dns; smtpz4.laposte.net",
    ),
    # ------------------------------------------------------------------ Mail.ru (RU)
    _c(
        "mbp-mailru-account-disabled",
        "Mail.ru",
        "smtp; 550 Message was not accepted -- invalid mailbox. Local mailbox someone@mail.ru is "
        "unavailable: account is disabled",
        "mailbox_disabled",
        AC + "550.json mailru 1 V",
    ),
    _c(
        "mbp-mailru-account-disabled-bk-ru",
        "Mail.ru",
        "smtp; 550 Message was not accepted -- invalid mailbox. Local mailbox someone@bk.ru is "
        "unavailable: account is disabled",
        "mailbox_disabled",
        AC + "550.json mailru 3 (bk.ru domain) V",
    ),
    _c(
        "mbp-mailru-user-not-found",
        "Mail.ru",
        "smtp; 550 Message was not accepted -- invalid mailbox. Local mailbox someone@mail.ru is "
        "unavailable: user not found",
        "mailbox_not_found",
        "https://mailout.ru/2015/09 (Mail.ru: error contains 'User not found'); wire form after "
        + AC
        + "550.json mailru T",
    ),
    _c(
        "mbp-mailru-spam-message-rejected",
        "Mail.ru",
        "smtp; 550 spam message rejected. Please visit "
        "http://help.mail.ru/notspam-support/id?c=7y4ytdHbuOGv3O50NYTwpz1F"
        "-TVIpnactxtFPeFQSDYMAAAAaKgAAOX_3hE~ "
        "or report details to abuse@corp.mail.ru. Error code: "
        "B5322EEFE1B8DBD174EEDCAFA7F0843535F9453D9C76A6483D451BB7364850E1. ID: "
        "0000000000000000",
        "spam_filtered",
        AC + "550.json mailru 2 V",
    ),
    _c(
        "mbp-mailru-dmarc-rfc7489",
        "Mail.ru",
        "smtp; 550 5.7.1 This message was not accepted due to domain owner DMARC policy (RFC "
        "7489) https://help.mail.ru/mail-help/postmaster/dmarc",
        "auth_failed",
        "https://viws.ru/en/poterya-pochtovyh-soobshchenii-oshibki-pochtovoi-sistemy.html V",
    ),
    # ------------------------------------------------------------------ Yandex (RU)
    _c(
        "mbp-yandex-no-such-user",
        "Yandex",
        "smtp; 550 5.7.1 No such user!",
        "mailbox_not_found",
        "github issue maxcom/lorsource#1094; " + AC + "550.json yandex 5.7.1-2 V",
    ),
    _c(
        "mbp-yandex-no-such-user-noemail",
        "Yandex",
        "smtp; 550 5.7.1 No such user!",
        "mailbox_not_found",
        "github issue maxcom/lorsource#1094 V",
        subtype="NoEmail",
        remote_mta="dns; mx.yandex.ru",
    ),
    _c(
        # Yandex: "Your recipient's account has been blocked due to User Agreement violations".
        "mbp-yandex-policy-rejection-target",
        "Yandex",
        "smtp; 550 5.7.1 Policy rejection on the target address",
        "mailbox_disabled",
        AC + "550.json yandex 5.7.1; meaning from "
        "https://yandex.com/support/mail/bounces/yandex/policy-rejection-on-the-target"
        "-address.html V",
    ),
    _c(
        "mbp-yandex-dmarc-mailru",
        "Yandex",
        "smtp; 550 5.7.1 Email rejected per DMARC policy for mail.ru 1234567890abcdef",
        "auth_failed",
        AC + "550.json yandex 5.7.1-3 V",
    ),
    _c(
        "mbp-yandex-mailbox-size-limit",
        "Yandex",
        "smtp; 552 5.2.2 Mailbox size limit exceeded",
        "mailbox_full",
        AC + "552.json yandex 5.2.2; https://yandex.com/support/mail/bounces/yandex.html V",
    ),
    _c(
        "mbp-yandex-mailbox-size-limit-mailboxfull",
        "Yandex",
        "smtp; 552 5.2.2 Mailbox size limit exceeded",
        "mailbox_full",
        AC + "552.json yandex 5.2.2 V",
        bounce_type="Transient",
        subtype="MailboxFull",
    ),
    _c(
        "mbp-yandex-suspicion-of-spam",
        "Yandex",
        "smtp; 554 5.7.1 [1] Message rejected under suspicion of SPAM; https://ya.cc/1IrBc "
        "1634567890-AbCdEfGhIj-1",
        "spam_filtered",
        AC + "554.json yandex 5.7.1 V",
    ),
    _c(
        "mbp-yandex-recipient-rate-limit-expired",
        "Yandex",
        _expired("450 4.2.1 The recipient has exceeded message rate limit. Try again later."),
        "soft_bounce",
        AC + "450.json yandex 4.2.1 V",
        bounce_type="Transient",
    ),
    _c(
        "mbp-yandex-spf-check-failed",
        "Yandex",
        "smtp; 550 5.7.1 SPF check failed: 192.0.2.100 is not authorized to send in the name of "
        "domain example.com.",
        "auth_failed",
        "https://www.yandex.com/support/mail/bounces/other.html (listed reply) V",
    ),
    # ------------------------------------------------------------------ Rambler (RU)
    _c(
        "mbp-rambler-spam-message-rejected",
        "Rambler",
        "smtp; 554 5.7.1 Spam message rejected; If this is not spam contact abuse",
        "spam_filtered",
        AC + "554.json rambler 5.7.1 V",
    ),
    # ------------------------------------------------------------------ QQ Mail / Tencent (CN)
    _c(
        "mbp-qq-mailbox-not-found",
        "QQ Mail",
        "smtp; 550 Mailbox not found. "
        "http://service.mail.qq.com/cgi-bin/help?subtype=1&&id=20022&&no=1000728",
        "mailbox_not_found",
        "https://www.dbmailserver.com/tui-xin-address-not-exist.htm (item 1) V",
        remote_mta="dns; mx3.qq.com",
    ),
    _c(
        "mbp-qq-mailbox-not-found-noemail",
        "QQ Mail",
        "smtp; 550 Mailbox not found. "
        "http://service.mail.qq.com/cgi-bin/help?subtype=1&&id=20022&&no=1000728",
        "mailbox_not_found",
        "https://www.dbmailserver.com/tui-xin-address-not-exist.htm V",
        subtype="NoEmail",
    ),
    _c(
        # An address QQ cannot parse cannot exist there.
        "mbp-qq-bad-address-syntax",
        "QQ Mail",
        "smtp; 501 Bad address syntax. "
        "http://service.mail.qq.com/cgi-bin/help?subtype=1&&id=20022&&no=1000730",
        "mailbox_not_found",
        "https://www.dbmailserver.com/tui-xin-address-not-exist.htm (item 8, listed under "
        "'address does not exist') V",
    ),
    _c(
        "mbp-qq-content-rejected",
        "QQ Mail",
        "smtp; 550 Error: content rejected.",
        "spam_filtered",
        "https://qqmailbox.com/transceivers/169.html (QQ bounce keyword table) V",
    ),
    # --------------------------------------------------------------- NetEase 163.com / 126.com (CN)
    _c(
        "mbp-163-user-not-found",
        "NetEase 163",
        "smtp; 550 User not found: someone@163.com",
        "mailbox_not_found",
        "https://www.dbmailserver.com/tui-xin-address-not-exist.htm (item 5) V",
    ),
    _c(
        "mbp-163-dt-spm",
        "NetEase 163",
        "smtp; 554 DT:SPM 163 mx12,EMCowACnzwc_BjhcKMZmAQ--.20404S2 1547175487,please see "
        "http://mail.163.com/help/help_spam_16.htm?ip=192.0.2.110&hostid=mx12&time=1547175487",
        "spam_filtered",
        "github issue zabbix-book/zabbix_mail_with_graph#1 (reply text; host id mx12 in place of "
        "smtp12) V",
    ),
    _c(
        "mbp-163-dt-spm-retry-expired",
        "NetEase 163",
        _expired("451 DT:SPM 163 mx5,QMCowEBZ5kE_Bjhc2JQSAQ--.2S2 1547175487,please try again"),
        "spam_filtered",
        NETEASE + " (451 DT:SPM ,please try again); wire form after the 554 DT:SPM reply T",
        bounce_type="Transient",
    ),
    _c(
        "mbp-163-dt-rbl-expired",
        "NetEase 163",
        _expired(
            "450 DT:RBL 163 mx5,QMCowEBZ5kE_Bjhc2JQSAQ--.3S2 1547175487,please see "
            "http://mail.163.com/help/help_spam_16.htm?ip=192.0.2.111&hostid=mx5&time=1547175487"
        ),
        "sender_blocklisted",
        NETEASE + " (450 DT:RBL: sending IP in one or more RBLs); wire form typical T",
        bounce_type="Transient",
    ),
    _c(
        "mbp-163-hl-rep-expired",
        "NetEase 163",
        _expired(
            "421 HL:REP 163 mx5,QMCowEBZ5kE_Bjhc2JQSAQ--.4S2 1547175487,please see "
            "http://mail.163.com/help/help_spam_16.htm?ip=192.0.2.112&hostid=mx5&time=1547175487"
        ),
        "sender_blocklisted",
        NETEASE + " (421 HL:REP: IP behaviour abnormal, many unknown recipients, connection "
        "banned); wire form typical T",
        bounce_type="Transient",
    ),
    _c(
        "mbp-163-hl-icc-connections-expired",
        "NetEase 163",
        _expired(
            "421 HL:ICC 163 mx5,QMCowEBZ5kE_Bjhc2JQSAQ--.5S2 1547175487,please see "
            "http://mail.163.com/help/help_spam_16.htm?ip=192.0.2.113&hostid=mx5&time=1547175487"
        ),
        "soft_bounce",
        NETEASE + " (421 HL:ICC: too many concurrent connections); wire form typical T",
        bounce_type="Transient",
    ),
    _c(
        "mbp-163-hl-ifc-frequency-expired",
        "NetEase 163",
        _expired(
            "421 HL:IFC 163 mx5,QMCowEBZ5kE_Bjhc2JQSAQ--.6S2 1547175487,please see "
            "http://mail.163.com/help/help_spam_16.htm?ip=192.0.2.114&hostid=mx5&time=1547175487"
        ),
        "soft_bounce",
        NETEASE + " (421 HL:IFC: too much mail in a short time); wire form typical T",
        bounce_type="Transient",
    ),
    # ------------------------------------------------------------------ Japanese mobile carriers
    _c(
        # docomo answers both an unknown address and a recipient's own reject setting this way.
        "mbp-docomo-unknown-user",
        "NTT docomo",
        "smtp; 550 Unknown user someone@docomo.ne.jp",
        "mailbox_not_found",
        "https://note.com/sendmagic/n/neb6bbe7e51cf ; "
        "https://akisoftware.com/pmsrv/help/docomo.html V",
        remote_mta="dns; mfsmax.docomo.ne.jp",
    ),
    _c(
        "mbp-docomo-unknown-user-noemail",
        "NTT docomo",
        "smtp; 550 Unknown user someone@docomo.ne.jp",
        "mailbox_not_found",
        "https://note.com/sendmagic/n/neb6bbe7e51cf V",
        subtype="NoEmail",
    ),
    _c(
        "mbp-docomo-too-much-mail-data",
        "NTT docomo",
        "smtp; 552 Too much mail data someone@docomo.ne.jp",
        "mailbox_full",
        "https://note.com/sendmagic/n/neb6bbe7e51cf (552: recipient mailbox full) V",
    ),
    _c(
        "mbp-au-user-unknown",
        "au (KDDI)",
        "smtp; 550 <someone@ezweb.ne.jp>: User unknown",
        "mailbox_not_found",
        "https://note.com/sendmagic/n/n875d8dcb6cb8 V",
    ),
    _c(
        # au answers a malformed address (two @, "!" in the local part) with a relay refusal.
        "mbp-au-relay-access-denied-bad-address",
        "au (KDDI)",
        "smtp; 554 <some!one@ezweb.ne.jp>: Relay access denied",
        "mailbox_not_found",
        "https://note.com/sendmagic/n/n875d8dcb6cb8 (554: recipient address format invalid) V",
    ),
    _c(
        "mbp-softbank-invalid-recipient",
        "SoftBank",
        "smtp; 550 Invalid recipient: <someone@i.softbank.jp>",
        "mailbox_not_found",
        "https://note.com./sendmagic/n/n5afbf98aeb25 V",
    ),
    _c(
        # The envelope-from domain has no DNS records: our sender is refused, not the recipient.
        "mbp-softbank-sender-domain-does-not-exist",
        "SoftBank",
        "smtp; 553 bounce.example.com does not exist",
        "policy_blocked",
        "https://note.com./sendmagic/n/n5afbf98aeb25 (553: envelope-From domain without DNS "
        "records) V",
    ),
    # ------------------------------------------------------------------ Naver / Daum (KR)
    _c(
        "mbp-naver-no-such-user",
        "Naver",
        "smtp; 550 5.1.1 No such user. For more information, go to "
        "https://help.naver.com/alias/mail/newmail10.naver YFIkhhfiSGCl2Nuynp4eNQ - nsmtp",
        "mailbox_not_found",
        "github issue your-digital-rights/yourdigitalrights.org#736 V",
    ),
    _c(
        "mbp-daum-mailbox-inactive",
        "Daum/Hanmail",
        "smtp; 550 5.2.1 RACT 192.0.2.120: Mailbox is inactive: <someone@hanmail.net>",
        "mailbox_disabled",
        "github issue reacherhq/check-if-email-exists#1216 V",
        remote_mta="dns; mx1.hanmail.net",
    ),
    # ------------------------------------------------------------------ Zoho
    _c(
        "mbp-zoho-user-unknown",
        "Zoho",
        "smtp; 550 5.1.1 <someone@zoho.com> User unknown",
        "mailbox_not_found",
        AC + "550.json zoho 5.1.1 V",
    ),
    _c(
        "mbp-zoho-dmarc",
        "Zoho",
        "smtp; 550 5.7.1 Email rejected per DMARC policy for zoho.com",
        "auth_failed",
        AC + "550.json zoho 5.7.1 V",
    ),
    _c(
        "mbp-zoho-flagged-as-spam",
        "Zoho",
        "smtp; 554 5.7.1 Email cannot be delivered. Reason: Email flagged as Spam.",
        "spam_filtered",
        AC + "554.json zoho 5.7.1 V",
    ),
    _c(
        "mbp-zoho-virus-detected",
        "Zoho",
        "smtp; 552 5.7.1 virus Win.Test.EICAR_HDB-1 detected by Zoho Mail",
        "attachment_rejected",
        AC + "552.json zoho 5.7.1 V",
    ),
    # ------------------------------------------------------------------ Seznam (CZ), Interia (PL)
    _c(
        "mbp-seznam-service-not-mapped",
        "Seznam",
        "smtp; 550 5.1.1 szn; User hasn't got the service mapped",
        "mailbox_not_found",
        "https://napoveda.seznam.cz/uzivatel-neexistuje (reason text V; reply code typical) "
        "V (code T)",
    ),
    _c(
        "mbp-interia-account-not-found",
        "Interia",
        "smtp; 550 5.1.1 Account not found",
        "mailbox_not_found",
        "https://pomoc.poczta.interia.pl/news-dlaczego-wiadomosc-nie-zostala"
        "-dostarczona,nId,6589600 V",
    ),
    _c(
        # The recipient put our sender on their personal block list.
        "mbp-interia-recipient-doesnt-want-your-mail",
        "Interia",
        "smtp; 550 5.7.1 Recipient doesn't want your mail",
        "policy_blocked",
        "https://pomoc.poczta.interia.pl/news-dlaczego-wiadomosc-nie-zostala"
        "-dostarczona,nId,6589600 V",
    ),
    _c(
        "mbp-interia-spf-not-allowed",
        "Interia",
        "smtp; 550 5.7.0 [SPF] host 192.0.2.121 is not allowed to send mail from domain "
        "example.com",
        "auth_failed",
        "https://pomoc.poczta.interia.pl/news-dlaczego-wiadomosc-nie-zostala"
        "-dostarczona,nId,6589600 V",
    ),
    # ---------------------------------------------------------------- Terra / UOL (BR), AOL aim.com
    _c(
        "mbp-terra-recipient-address-rejected",
        "Terra",
        "smtp;550 5.1.1 5.1.1 <someone@terra.com.br>: Recipient address rejected",
        "mailbox_not_found",
        "github issue magicdude4eva/port25-bouncehandler#8 (PowerMTA accounting line) V",
        remote_mta="dns; vip-us-br-mx.terra.com",
    ),
    _c(
        "mbp-aol-aim-recipient-rejected",
        "AOL",
        "smtp; 550 5.1.1 someone@aim.com: Recipient address rejected: aim.com",
        "mailbox_not_found",
        "github issue hippich/PHPMailer-BMH#1 V",
        remote_mta="dns; mailin-03.mx.aol.com",
    ),
    # ----------------------------------------------------------------- Libero / Virgilio / TIM (IT)
    _c(
        "mbp-virgilio-disk-quota-expired",
        "Virgilio",
        _expired("443 RCPT TO:<someone@virgilio.it> Mailbox disk quota exceeded"),
        "mailbox_full",
        "http://xoomer.virgilio.it/cpoeri/PCTel/Trucchi/Suggerimento007.htm (remote MTA "
        "ims1c.cp.tin.it) V",
        bounce_type="Transient",
    ),
    # -------------------------------------------------------------- more 4xx that outlasted retries
    _c(
        "mbp-gmail-451-temporarily-rejected-expired",
        "Gmail",
        _expired("451 4.3.0 Mail server temporarily rejected message. - gsmtp"),
        "soft_bounce",
        AC + "451.json gmail 4.3.0 V",
        bounce_type="Transient",
    ),
    _c(
        "mbp-gmail-450-receiving-rate-expired",
        "Gmail",
        _expired(
            "450 4.2.1 The user you are trying to contact is receiving mail at a rate that "
            "prevents additional messages from being delivered. Please resend your message at "
            "a later time. If the user is able to receive mail at that time, your message will "
            "be delivered. For more information, please visit "
            "https://support.google.com/mail/?p=ReceivingRate - gsmtp"
        ),
        "soft_bounce",
        AC + "450.json google 4.2.1 V",
        bounce_type="Transient",
    ),
    _c(
        "mbp-yahoo-450-receiving-too-quickly-expired",
        "Yahoo",
        _expired("450 User is receiving mail too quickly"),
        "soft_bounce",
        AC + "450.json verizon 4.0.0 V",
        bounce_type="Transient",
    ),
    _c(
        # "quota" here is the receiving organisation's queue, not a mailbox.
        "mbp-outlook-450-organization-queue-quota-expired",
        "Outlook.com",
        _expired("450 4.7.3 Organization queue quota exceeded. [outlook.com]"),
        "soft_bounce",
        AC + "450.json outlook 4.7.3 V",
        bounce_type="Transient",
    ),
    _c(
        "mbp-comcast-450-recipient-temporarily-unavailable-expired",
        "Comcast",
        _expired("450 4.2.0 <someone@comcast.net> - Recipient temporarily unavailable"),
        "soft_bounce",
        AC + "450.json comcast 4.2.0 V",
        bounce_type="Transient",
    ),
    _c(
        # Our sender domain "not found": a refusal of the sender, not a missing recipient domain.
        "mbp-infomaniak-sender-domain-not-found-expired",
        "Infomaniak",
        _expired("450 4.1.8 Sender address rejected: Domain not found"),
        "policy_blocked",
        AC + "450.json infomaniak 4.1.8 V",
        bounce_type="Transient",
    ),
    _c(
        "mbp-yahoo-452-temporary-domain-failure-expired",
        "Yahoo",
        _expired("452 temporary domain failure <someone@yahoo.com>"),
        "soft_bounce",
        AC + "452.json yahoo 4.0.0 V",
        bounce_type="Transient",
    ),
    _c(
        "mbp-outlook-452-insufficient-resources-expired",
        "Outlook.com",
        _expired("452 4.3.1 Insufficient system resources (TSTE) [outlook.com]"),
        "soft_bounce",
        AC + "452.json microsoft 4.3.1 V",
        bounce_type="Transient",
    ),
    _c(
        "mbp-gmail-452-over-quota-temp-expired",
        "Gmail",
        _expired(
            "452 4.2.2 The email account that you tried to reach is over quota. Please direct "
            "the recipient to https://support.google.com/mail/?p=OverQuotaTemp - gsmtp"
        ),
        "mailbox_full",
        AC + "452.json google 4.2.2 V",
        bounce_type="Transient",
    ),
    _c(
        "mbp-outlook-501-invalid-address",
        "Outlook.com",
        "smtp; 501 5.1.3 Invalid address [outlook.com]",
        "mailbox_not_found",
        AC + "501.json microsoft 5.1.3 V",
    ),
    # ------------------------------------------------- Gmail: rows of Google's SMTP error reference
    _c(
        "mbp-gmailref-5512-recipient-domain-not-found",
        "Gmail",
        "smtp; 553 5.1.2 We weren't able to find the recipient domain. Please check for any "
        "spelling errors and make sure you didn't enter any spaces, periods, or other "
        "punctuation after the recipient's email address. For more information, go to Fix "
        "bounced or rejected emails.",
        "domain_not_found",
        GOOGLE_REF_ROW + " 553 5.1.2) V",
    ),
    _c(
        # 5.1.7 is about OUR sender address, not the recipient.
        "mbp-gmailref-5517-sender-address-invalid",
        "Gmail",
        "smtp; 553 5.1.7 The sender address bounce@example.com is not a valid RFC 5321 address. "
        "For more information, go to About SMTP error messages and review RFC 5321 "
        "specifications.",
        "policy_blocked",
        GOOGLE_REF_ROW + " 553 5.1.7) V",
    ),
    _c(
        "mbp-gmailref-5521-inactive",
        "Gmail",
        "smtp; 550 5.2.1 The email account that you tried to reach is inactive. For more "
        "information, go to https://support.google.com/mail/?p=DisabledUser",
        "mailbox_disabled",
        GOOGLE_REF_ROW + " 550 5.2.1) V",
    ),
    _c(
        # Both full and abandoned; the storage state is what refuses the message.
        "mbp-gmailref-5522-out-of-storage-and-inactive",
        "Gmail",
        "smtp; 552 5.2.2 The recipient's inbox is out of storage space and inactive. Please "
        "direct the recipient to Manage files in your Google Drive storage.",
        "mailbox_full",
        GOOGLE_REF_ROW + " 552 5.2.2) V",
    ),
    _c(
        "mbp-gmailref-4522-out-of-storage-expired",
        "Gmail",
        _expired(
            "452 4.2.2 The recipient's inbox is out of storage space. Please direct the "
            "recipient to Manage files in your Google Drive storage."
        ),
        "mailbox_full",
        GOOGLE_REF_ROW + " 452 4.2.2) V",
        bounce_type="Transient",
    ),
    _c(
        "mbp-gmailref-5534-size-limits",
        "Gmail",
        "smtp; 552 5.3.4 Your message exceeded Google's message size limits. To view our "
        "message size guidelines, go to Send attachments with your Gmail message.",
        "message_too_large",
        GOOGLE_REF_ROW + " 552 5.3.4) V",
    ),
    _c(
        "mbp-gmailref-5534-size-limits-messagetoolarge-subtype",
        "Gmail",
        "smtp; 552 5.3.4 The size of your message (size bytes) exceeded Google's message size "
        "limits of limit bytes. To view our message size guidelines, go to Gmail receiving "
        "limits in Google Workspace.",
        "message_too_large",
        GOOGLE_REF_ROW + " 552 5.3.4, byte-count form) V",
        bounce_type="Transient",
        subtype="MessageTooLarge",
    ),
    _c(
        "mbp-gmailref-5534-header-size",
        "Gmail",
        "smtp; 552 5.3.4 Your message exceeded Google's message header size limits. To view our "
        "header size guidelines, go to Gmail message header limits.",
        "message_too_large",
        GOOGLE_REF_ROW + " 552 5.3.4, header form) V",
    ),
    _c(
        "mbp-gmailref-5546-hops-loop",
        "Gmail",
        "smtp; 554 5.4.6 Message exceeded 50 hops, this may indicate an email loop.",
        "hard_bounce",
        GOOGLE_REF_ROW + " 554 5.4.6) V",
    ),
    _c(
        "mbp-gmailref-5560-malformed",
        "Gmail",
        "smtp; 554 5.6.0 Email message is malformed. Not accepted. For more information, go to "
        "Email sender guidelines and review RFC 5322 specifications.",
        "hard_bounce",
        GOOGLE_REF_ROW + " 554 5.6.0) V",
    ),
    _c(
        # The linked page is "File types blocked in Gmail": an attachment/content security verdict.
        "mbp-gmailref-5570-security-issue",
        "Gmail",
        "smtp; 552 5.7.0 This message was blocked because its content presents a potential "
        "security issue. To review our message content and attachment content guidelines, go "
        "to File types blocked in Gmail.",
        "attachment_rejected",
        GOOGLE_REF_ROW + " 552 5.7.0) V",
    ),
    _c(
        "mbp-gmailref-5571-recipient-policy",
        "Google Workspace",
        "smtp; 550 5.7.1 The user or domain that you are sending to (or from) has a policy that "
        "prohibits the email that you sent. Contact your domain administrator for assistance. "
        "For more information, go to Sorry, a policy is in place that prevents your message "
        "from being sent.",
        "policy_blocked",
        GOOGLE_REF_ROW + " 550 5.7.1 policy) V",
    ),
    _c(
        "mbp-gmailref-5571-likely-unsolicited",
        "Gmail",
        "smtp; 550 5.7.1 This message is likely unsolicited email. To reduce the amount of spam "
        "sent to Gmail, this message has been blocked. For more information, go to Why has "
        "Gmail blocked my messages?",
        "spam_filtered",
        GOOGLE_REF_ROW + " 550 5.7.1 unsolicited) V",
    ),
    _c(
        "mbp-gmailref-5571-ipv6-ptr",
        "Gmail",
        "smtp; 550 5.7.1 This message does not meet IPv6 sending guidelines regarding PTR "
        "records and authentication. For more information, go to Email sender guidelines.",
        "policy_blocked",
        GOOGLE_REF_ROW + " 550 5.7.1 IPv6) V",
    ),
    _c(
        "mbp-gmailref-5571-low-ip-reputation",
        "Gmail",
        "smtp; 550 5.7.1 This message is likely suspicious due to the very low reputation of "
        "the sending IP address. To best protect our users from spam, the message has been "
        "blocked. For more information, go to Why has Gmail blocked my messages?",
        "sender_blocklisted",
        GOOGLE_REF_ROW + " 550 5.7.1 IP reputation) V",
    ),
    _c(
        "mbp-gmailref-5571-missing-message-id",
        "Gmail",
        "smtp; 550 5.7.1 Messages missing a valid Message-ID: header are not accepted. For more "
        "information, go to Email sender guidelines and review RFC 5322 specifications.",
        "policy_blocked",
        GOOGLE_REF_ROW + " 550 5.7.1 Message-ID) V",
    ),
    _c(
        # Mentions spam, but the cause is a formatting rule of the receiver.
        "mbp-gmailref-5571-duplicate-headers",
        "Gmail",
        "smtp; 550 5.7.1 This message is not RFC 5322 compliant because it has duplicate "
        "headers. To reduce the amount of spam sent to Gmail, this message has been blocked. "
        "For more information, go to Email sender guidelines and review RFC 5322 "
        "specifications.",
        "policy_blocked",
        GOOGLE_REF_ROW + " 550 5.7.1 duplicate headers) V",
    ),
    _c(
        # A dynamic/end-user IP must use its provider's relay: connection policy.
        "mbp-gmailref-5571-ip-not-authorized-direct",
        "Gmail",
        "smtp; 550 5.7.1 The IP you're using to send email is not authorized to send email "
        "directly to our servers. Use the SMTP relay at your service provider instead. For more "
        "information, go to 'The IP you're using to send email is not authorized...'.",
        "policy_blocked",
        GOOGLE_REF_ROW + " 550 5.7.1 not authorized) V",
    ),
    _c(
        "mbp-gmailref-5725-no-ptr",
        "Gmail",
        "smtp; 550 5.7.25 This message was blocked because the sending IP address doesn't have "
        "a PTR record, or the forwarding DNS entry doesn't reference the sending IP address. "
        "Gmail requires that sending IP addresses have a PTR record.",
        "policy_blocked",
        GOOGLE_REF_ROW + " 550 5.7.25) V",
    ),
    _c(
        "mbp-gmailref-5726-dkim-spf-did-not-pass",
        "Gmail",
        "smtp; 550 5.7.26 This email has been blocked because the sender is unauthenticated. "
        "Gmail requires all senders to authenticate with either SPF or DKIM. Authentication "
        "results: DKIM = did not pass SPF [example.com] with ip: [192.0.2.130] = did not pass. "
        "For instructions on setting up authentication, go to Email sender guidelines.",
        "auth_failed",
        GOOGLE_REF_ROW + " 550 5.7.26) V",
    ),
    _c(
        "mbp-gmailref-5726-spf-hard-fail",
        "Gmail",
        "smtp; 550 5.7.26 The (E)MAIL FROM domain [example.com] has an SPF record with a hard "
        "fail policy (-all) but it fails to pass SPF checks with the ip: [192.0.2.131]. To best "
        "protect our users from spam and phishing, the message has been blocked. For more "
        "information, go to Email sender guidelines.",
        "auth_failed",
        GOOGLE_REF_ROW + " 550 5.7.26 SPF -all) V",
    ),
    _c(
        "mbp-gmailref-5727-spf-did-not-pass",
        "Gmail",
        "smtp; 550 5.7.27 This message was blocked because it didn't pass SPF authentication. "
        "Gmail requires bulk email senders to authenticate their email with SPF. "
        "Authentication results: SPF with 192.0.2.132 = did not pass",
        "auth_failed",
        GOOGLE_REF_ROW + " 550 5.7.27) V",
    ),
    _c(
        "mbp-gmailref-5728-unsolicited-ip-blocked",
        "Gmail",
        "smtp; 550 5.7.28 There is an unusual rate of unsolicited email originating from your "
        "IP address. To protect our users from spam, email sent from your IP address has been "
        "blocked. To review our bulk email senders guidelines, go to Email sender guidelines.",
        "sender_blocklisted",
        GOOGLE_REF_ROW + " 550 5.7.28) V",
    ),
    _c(
        "mbp-gmailref-5729-no-tls",
        "Gmail",
        "smtp; 550 5.7.29 This message was blocked because it wasn't sent over a TLS "
        "connection. Gmail requires all bulk email senders to use TLS/SSL for SMTP connections.",
        "policy_blocked",
        GOOGLE_REF_ROW + " 550 5.7.29) V",
    ),
    _c(
        "mbp-gmailref-5730-dkim-did-not-pass",
        "Gmail",
        "smtp; 550 5.7.30 This message was blocked because it didn't pass DKIM authentication. "
        "Gmail requires bulk email senders to authenticate their email with DKIM. "
        "Authentication results: DKIM = did not pass",
        "auth_failed",
        GOOGLE_REF_ROW + " 550 5.7.30) V",
    ),
    _c(
        "mbp-gmailref-5740-no-dmarc-record",
        "Gmail",
        "smtp; 550 5.7.40 Your message was blocked because the sending domain doesn't have a "
        "DMARC record or the DMARC record doesn't specify a DMARC policy. Gmail requires all "
        "bulk email senders to add a DMARC record to their sending domain.",
        "auth_failed",
        GOOGLE_REF_ROW + " 550 5.7.40) V",
    ),
    _c(
        "mbp-gmailref-5732-from-not-aligned",
        "Gmail",
        "smtp; 421 5.7.32 Your email was blocked because the From: header (RFC5322) in this "
        "message isn't aligned with either the authenticated SPF or DKIM organizational domain.",
        "auth_failed",
        GOOGLE_REF_ROW + " 421 5.7.32) V",
    ),
    _c(
        "mbp-gmailref-4726-rate-limited-unauthenticated-expired",
        "Gmail",
        _expired(
            "421 4.7.26 This email has been rate limited because it is unauthenticated. Gmail "
            "requires all senders to authenticate with either SPF or DKIM. Authentication "
            "results: DKIM = did not pass SPF example.com with ip: 192.0.2.133 = did not pass."
        ),
        "auth_failed",
        GOOGLE_REF_ROW + " 421 4.7.26) V",
        bounce_type="Transient",
    ),
    _c(
        "mbp-gmailref-4727-spf-rate-limited-expired",
        "Gmail",
        _expired(
            "421 4.7.27 Your email has been rate limited because SPF authentication didn't pass "
            "for this message. Gmail requires all bulk email senders to authenticate their email "
            "with SPF. Authentication results: SPF example.com with IP address: 192.0.2.134 = "
            "Did not pass."
        ),
        "auth_failed",
        GOOGLE_REF_ROW + " 421 4.7.27) V",
        bounce_type="Transient",
    ),
    _c(
        "mbp-gmailref-4730-dkim-rate-limited-expired",
        "Gmail",
        _expired(
            "421 4.7.30 Your email has been rate limited because DKIM authentication didn't "
            "pass for this message. Gmail requires all email bulk senders to authenticate their "
            "email with DKIM. Authentication results: DKIM = Did not pass."
        ),
        "auth_failed",
        GOOGLE_REF_ROW + " 421 4.7.30) V",
        bounce_type="Transient",
    ),
    _c(
        "mbp-gmailref-4740-no-dmarc-rate-limited-expired",
        "Gmail",
        _expired(
            "421 4.7.40 Your email has been rate limited because the sending domain doesn't "
            "have a DMARC record, or the DMARC record doesn't specify a DMARC policy. Gmail "
            "requires all bulk email senders to add a DMARC record to their sending domain."
        ),
        "auth_failed",
        GOOGLE_REF_ROW + " 421 4.7.40) V",
        bounce_type="Transient",
    ),
    _c(
        "mbp-gmailref-4726-dmarc-temp-dns-expired",
        "Gmail",
        _expired(
            "451 4.7.26 Unauthenticated email from example.com is not accepted due to domain's "
            "DMARC policy, but temporary DNS failures prevent authentication. Please contact "
            "the administrator of example.com domain if this was a legitimate email."
        ),
        "auth_failed",
        GOOGLE_REF_ROW + " 451 4.7.26) V",
        bounce_type="Transient",
    ),
    _c(
        "mbp-gmailref-4724-suspicious-spf-record-expired",
        "Gmail",
        _expired(
            "451 4.7.24 The SPF record of the sending domain has one or more suspicious "
            "entries. To protect our users from spam, email sent from your IP address has been "
            "temporarily rate limited. For more information, go to Email sender guidelines."
        ),
        "auth_failed",
        GOOGLE_REF_ROW + " 451 4.7.24) V",
        bounce_type="Transient",
    ),
    _c(
        # PTR/forward-DNS mismatch of our sending IP: our configuration, a policy refusal.
        "mbp-gmailref-4723-ptr-rate-limited-expired",
        "Gmail",
        _expired(
            "451 4.7.23 192.0.2.135 The sending IP address for this message doesn't have a PTR "
            "record, or the PTR record's forward DNS entry doesn't match the sending IP "
            "address. To protect users from spam, your email has been temporarily rate limited."
        ),
        "policy_blocked",
        GOOGLE_REF_ROW + " 451 4.7.23) V",
        bounce_type="Transient",
    ),
    _c(
        "mbp-gmailref-4470-no-ptr-rate-limited-expired",
        "Gmail",
        _expired(
            "421 4.7.0 The IP address sending this message does not have a PTR record, or the "
            "corresponding forward DNS entry does not point to the sending IP. To protect our "
            "users from spam, email sent from your IP address has been temporarily rate "
            "limited. For more information, go to Email sender guidelines."
        ),
        "policy_blocked",
        GOOGLE_REF_ROW + " 421 4.7.0 PTR) V",
        bounce_type="Transient",
    ),
    _c(
        "mbp-gmailref-4470-low-ip-reputation-expired",
        "Gmail",
        _expired(
            "421 4.7.0 This message is suspicious due to the very low reputation of the sending "
            "IP address. To protect our users from spam, email sent from your IP address has "
            "been temporarily rate limited. For more information, go to Why has Gmail blocked "
            "my messages?."
        ),
        "sender_blocklisted",
        GOOGLE_REF_ROW + " 421 4.7.0 IP reputation) V",
        bounce_type="Transient",
    ),
    _c(
        # A plain volume rate limit, no spam or reputation verdict.
        "mbp-gmailref-4728-unusual-rate-expired",
        "Gmail",
        _expired(
            "421 4.7.28 Gmail has detected an unusual rate of email originating from your IP "
            "address 192.0.2.136. To protect our users from spam, email sent from your IP "
            "address has been temporarily rate limited. To review our bulk email senders "
            "guidelines, go to Email sender guidelines."
        ),
        "soft_bounce",
        GOOGLE_REF_ROW + " 421 4.7.28 unusual rate) V",
        bounce_type="Transient",
    ),
    _c(
        "mbp-gmailref-4728-unsolicited-url-domain-expired",
        "Gmail",
        _expired(
            "421 4.7.28 Gmail has detected an unusual rate of unsolicited email containing one "
            "of your URL domains. To protect our users from spam, email with the URL has been "
            "temporarily rate limited. To review our bulk email senders guidelines, go to Email "
            "sender guidelines."
        ),
        "spam_filtered",
        GOOGLE_REF_ROW + " 421 4.7.28 URL domains) V",
        bounce_type="Transient",
    ),
    _c(
        "mbp-gmailref-4728-unsolicited-dkim-domain-expired",
        "Gmail",
        _expired(
            "421 4.7.28 Gmail has detected an unusual rate of unsolicited email originating from "
            "your DKIM domain example.com. To protect our users from spam, email sent from your "
            "domain has been temporarily rate limited. To review our bulk email senders "
            "guidelines, go to Email sender guidelines."
        ),
        "sender_blocklisted",
        GOOGLE_REF_ROW + " 421 4.7.28 DKIM domain) V",
        bounce_type="Transient",
    ),
    _c(
        "mbp-gmailref-4729-no-tls-rate-limited-expired",
        "Gmail",
        _expired(
            "421 4.7.29 Your email has been rate limited because you're not using a TLS "
            "connection. Gmail requires all bulk email senders to use TLS/SSL for SMTP "
            "connections."
        ),
        "policy_blocked",
        GOOGLE_REF_ROW + " 421 4.7.29) V",
        bounce_type="Transient",
    ),
    _c(
        "mbp-gmailref-4470-tls-required-expired",
        "Google Workspace",
        _expired(
            "421 4.7.0 TLS required for RCPT domain, closing connection. For more information, "
            "go to Email encryption in transit."
        ),
        "policy_blocked",
        GOOGLE_REF_ROW + " 421 4.7.0 TLS) V",
        bounce_type="Transient",
    ),
    _c(
        "mbp-gmailref-4442-timeout-expired",
        "Gmail",
        _expired(
            "451 4.4.2 Timeout - closing connection. For more information, go to About SMTP "
            "error messages."
        ),
        "soft_bounce",
        GOOGLE_REF_ROW + " 451 4.4.2) V",
        bounce_type="Transient",
    ),
    # -------------------------------------------------------------- more iCloud, Outlook.com, Yahoo
    _c(
        "mbp-icloud-cs01-554-end-of-data",
        "iCloud",
        "smtp; 554 5.7.1 [CS01] Message rejected due to local policy. Please visit "
        "https://support.apple.com/en-us/HT204137",
        "policy_blocked",
        "github issues chatmail/core#6547 and minosiants/pencil#57 V",
        remote_mta="dns; mx02.mail.icloud.com",
    ),
    _c(
        "mbp-icloud-local-policy-no-code",
        "iCloud",
        "smtp; 550 5.7.1 Message rejected due to local policy. Please visit "
        "https://support.apple.com/en-us/HT204137",
        "policy_blocked",
        "github issue MailCore/mailcore2#1738 (Yahoo DSN quoting iCloud as '550: 5.7.1 ...') V",
    ),
    _c(
        # iCloud's inbound MX answers from a Proofpoint DNSBL when our IP is listed.
        "mbp-icloud-proofpoint-dnsbl-554",
        "iCloud",
        "smtp; 554 5.7.0 Blocked - see "
        "https://support.proofpoint.com/dnsbl-lookup.cgi?ip=192.0.2.140",
        "sender_blocklisted",
        "github issue zone-eu/zone-mta#301 (greeting of mx01.mail.icloud.com) V",
        remote_mta="dns; mx01.mail.icloud.com",
    ),
    _c(
        "mbp-icloud-proofpoint-dnsbl-550",
        "iCloud",
        "smtp; 550 5.7.0 Blocked - see "
        "https://support.proofpoint.com/dnsbl-lookup.cgi?ip=192.0.2.141",
        "sender_blocklisted",
        "github issue forwardemail/free-email-forwarding#219 V",
    ),
    _c(
        # Our HELO name does not resolve: connection policy about our host.
        "mbp-icloud-helo-host-not-found-expired",
        "iCloud",
        _expired("450 4.7.1 <mta.example.com>: Helo command rejected: Host not found"),
        "policy_blocked",
        "github issue sisimai/set-of-emails#11 (iCloud MX) V",
        bounce_type="Transient",
    ),
    _c(
        "mbp-outlook-57515-authentication-level",
        "Outlook.com",
        "smtp; 550 5.7.515 Access denied, sending domain example.com does not meet the required "
        "authentication level.",
        "auth_failed",
        "Microsoft Defender for Office 365 blog 'Strengthening Email Ecosystem: Outlook's New "
        "Requirements for High-Volume Senders' (archived in github "
        "azumakuniyuki/feb-2024-no-auth-no-entry) V",
    ),
    _c(
        "mbp-yahoo-vs1-mf-excessive-unknown-expired",
        "Yahoo",
        _expired("451 VS1-MF Excessive unknown recipients - possible Open Relay (#4.4.5)"),
        "sender_blocklisted",
        "https://help.yahoo.com/kb/mail-for-desktop/SLN3444.html V",
        bounce_type="Transient",
    ),
    # ------------------------------------------------------------------ Forpsi / GRhosting (CZ)
    _c(
        "mbp-forpsi-mailbox-full-chkuser",
        "Forpsi (CZ)",
        "smtp; 552 5.1.1 5.2.2 sorry, final recipient mailbox is full (chkuser)",
        "mailbox_full",
        "https://support.grhosting.cz/kb/a290/email-se-vratil-odesilateli-jako-nedorucitelny.aspx "
        "V",
    ),
    _c(
        # The recipient's own block list names our sender address.
        "mbp-forpsi-sender-is-blacklisted",
        "Forpsi (CZ)",
        "smtp; 550 5.1.1 <bounce@example.com> sender is blacklisted",
        "policy_blocked",
        "https://support.grhosting.cz/kb/a290/email-se-vratil-odesilateli-jako-nedorucitelny.aspx "
        "(recipient's personal blacklist) V",
    ),
    _c(
        "mbp-forpsi-spam-detected",
        "Forpsi (CZ)",
        "smtp; 552 5.2.0 0biL1i00V1cmcpM01biL4w spam detected",
        "spam_filtered",
        "https://support.grhosting.cz/kb/a290/email-se-vratil-odesilateli-jako-nedorucitelny.aspx "
        "V",
    ),
    _c(
        "mbp-forpsi-blocked-by-spf",
        "Forpsi (CZ)",
        "smtp; 550 5.1.0 0bcW1i00G0jifNx01bcmHa blocked by SPF",
        "auth_failed",
        "https://support.grhosting.cz/kb/a290/email-se-vratil-odesilateli-jako-nedorucitelny.aspx "
        "V",
    ),
    # ------------------------------------------------------------------ Strato (DE/NL)
    _c(
        "mbp-strato-no-spam-please-b-url",
        "Strato",
        "smtp; 550 5.7.1 Refused by local policy. No SPAM please! (B-URL)",
        "spam_filtered",
        "https://www.strato.nl/faq/mail/waarom-krijg-ik-foutmeldingen-bij-het-werken-met-e-mail/ "
        "(text and B-URL marker verbatim; reply code typical) V (code T)",
    ),
    # --------------------------------------------------------------- local-language forms (typical)
    _c(
        "mbp-movistar-usuario-desconocido",
        "Telefonica/Movistar",
        "smtp; 550 5.1.1 <someone@movistar.es>: Usuario desconocido",
        "mailbox_not_found",
        "Spanish wording of 550 5.1.1 as in Microsoft's Spanish Exchange documentation "
        "(github corpus, '550 5.1.1 Usuario desconocido'); provider form typical T",
    ),
    _c(
        "mbp-uol-caixa-postal-cheia",
        "UOL",
        "smtp; 552 5.2.2 <someone@uol.com.br>: Caixa postal cheia",
        "mailbox_full",
        "https://netbit.com.br/suporte/kb_E-mail_Problemas-comuns-no-envio.php (Portuguese "
        "meaning 'caixa postal ... está cheia'); provider form typical T",
    ),
    _c(
        "mbp-libero-utente-inesistente",
        "Libero",
        "smtp; 550 5.1.1 <someone@libero.it>: Utente inesistente",
        "mailbox_not_found",
        "https://aiuto.libero.it/articolo/mail/messaggi-di-errore-piu-frequenti-dopo-invio-email "
        "('L'indirizzo di posta al quale stai scrivendo non esiste'); provider form typical T",
    ),
    _c(
        "mbp-ziggo-gebruiker-onbekend",
        "Ziggo",
        "smtp; 550 5.1.1 <someone@ziggo.nl>: Gebruiker onbekend",
        "mailbox_not_found",
        "https://www.exedo.nl/mailmeldingen (Dutch explanation of 'User unknown'); provider "
        "form typical T",
    ),
    _c(
        "mbp-mailru-polzovatel-ne-najden",
        "Mail.ru",
        "smtp; 550 Пользователь не найден",
        "mailbox_not_found",
        "https://mailout.ru/2015/09 ('User not found' / 'No such user' explained in Russian); "
        "Russian reply form typical T",
    ),
    _c(
        "mbp-docomo-atesaki-fumei",
        "NTT docomo",
        "smtp; 550 宛先不明 someone@docomo.ne.jp",
        "mailbox_not_found",
        "https://www.pa-solution.net/as/scope3/chupicom/web/detail.aspx?id=921&a=102&isCrawler=1 "
        "('宛先不明' = unknown recipient); Japanese reply form typical T",
    ),
    _c(
        "mbp-qq-ci-yonghu-bu-cunzai",
        "QQ Mail",
        "smtp; 550 此用户不存在 someone@qq.com",
        "mailbox_not_found",
        "https://qqmailbox.com/transceivers/169.html ('该用户不存在' keyword); Chinese reply "
        "form typical T",
    ),
)
