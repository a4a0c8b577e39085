"""What mailbox providers and mail-security gateways mean by their own codes, as data.

Many receivers name a block by a code rather than by words: Outlook.com's ``SC-001`` or
``S3150``, Cox's ``AUP#CXBL``, Yahoo's ``[TSS04]``, Orange's ``OFR_416``. Each entry below
says which provider uses the code, what it means in the contract's vocabulary
(docs/spec/outcomes.md), *whose* problem it describes, and where the provider documents
it. When a code matches, it decides the reason (outcomes.md, Bounces step 4, "provider
codes"), and the documentation page becomes the help link support is shown when the
reply carries no link of its own.

Patterns are case-insensitive regexes, matched behind a literal needle like the word
rules. Only codes a provider documents (or that are unambiguous in its replies) belong
here; a code's meaning is the provider's, not a guess from the surrounding words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from worker.domain.diagnostic_rules import Party
from worker.domain.outcomes import Reason
from worker.domain.phrases import literal_needle

_I = re.IGNORECASE

# Public documentation pages, one per provider (or per code family).
MICROSOFT_NDR = (
    "https://learn.microsoft.com/en-us/exchange/mail-flow-best-practices/"
    "non-delivery-reports-in-exchange-online/non-delivery-reports-in-exchange-online"
)
OUTLOOK_COM = "https://sendersupport.olc.protection.outlook.com/pm/troubleshooting.aspx"
GMAIL = "https://support.google.com/a/answer/3726730"
YAHOO = "https://senders.yahooinc.com/smtp-error-codes"
AOL = YAHOO  # AOL mail runs on Yahoo's platform and points to the same page.
APPLE = "https://support.apple.com/en-us/102322"
COMCAST = "https://postmaster.comcast.net/smtp-error-codes.php"
COX = "https://www.cox.com/residential/support/email-error-codes-and-descriptions.html"
ATT = "http://att.net/blocks"
SPECTRUM = "https://www.spectrum.net/support/internet/understanding-email-error-codes"
T_ONLINE = "https://postmaster.t-online.de/"
ORANGE = "https://postmaster.orange.fr/"
GMX = "https://postmaster.gmx.net/en/error-messages"
WEB_DE = "https://postmaster.web.de/en/error-messages"
MAIL_RU = "https://help.mail.ru/mail/postmaster/errors"
YANDEX = "https://yandex.com/support/mail/web/spam/honest-mailers.html"
QQ = "https://service.mail.qq.com/detail/122"
NETEASE = "http://mail.163.com/help/help_spam_16.htm"
MIMECAST = (
    "https://community.mimecast.com/s/article/"
    "email-security-cloud-gateway-mimecast-smtp-error-codes"
)
PROOFPOINT = "https://ipcheck.proofpoint.com/"
BARRACUDA = "https://www.barracudacentral.org/rbl/removal-request"
CISCO = "https://talosintelligence.com/reputation_center"
TREND_MICRO = "https://ers.trendmicro.com/"
SYMANTEC = "https://ipremoval.sms.symantec.com/"
SPAMHAUS = "https://check.spamhaus.org/"


@dataclass(frozen=True, slots=True)
class ProviderCode:
    """One provider code: who uses it, what it means, whose problem, where documented."""

    provider: str
    pattern: str
    reason: Reason
    party: Party
    doc_url: str | None
    meaning: str


@dataclass(frozen=True, slots=True)
class CompiledCode:
    needle: str
    regex: re.Pattern[str]
    code: ProviderCode


def _top_level_alternatives(pattern: str) -> list[str]:
    """``a|b`` as ``[a, b]`` (only bars outside groups and classes): each alternative gets
    its own literal needle, since no single needle is common to all of them."""
    parts: list[str] = []
    depth = 0
    in_class = False
    start = 0
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
        i += 1
    parts.append(pattern[start:])
    return parts


_S = Party.SENDER
_R = Party.RECIPIENT
_D = Party.RECIPIENT_DOMAIN
_C = Party.CONTENT
_P = Party.PATH


def _orange(codes: str) -> str:
    """Orange/La Poste reply labels: ``OFR_416``, ``OFR004_405``, ``LPN007_420``, ``OUK_513``
    (one alternative per prefix, so that each gets its own literal needle)."""
    return "|".join(rf"\b{prefix}[0-9A-Z]*_(?:{codes})\b" for prefix in ("OFR", "LPN", "OUK"))


#: In order: the first code found in a reply decides.
PROVIDER_CODES: tuple[ProviderCode, ...] = (
    # --- Microsoft: Outlook.com / Hotmail consumer codes -------------------------------
    ProviderCode(
        "Microsoft",
        r"\bSC-00[1-5]\b",
        Reason.SENDER_BLOCKLISTED,
        _S,
        OUTLOOK_COM,
        "Outlook.com refused the sending IP for reputation, mining or complaints",
    ),
    ProviderCode(
        "Microsoft",
        r"\bDY-00[12]\b",
        Reason.POLICY_BLOCKED,
        _S,
        OUTLOOK_COM,
        "Outlook.com does not accept mail from dynamic or compromised IP ranges",
    ),
    ProviderCode(
        "Microsoft",
        r"\bOU-00[12]\b",
        Reason.SENDER_BLOCKLISTED,
        _S,
        OUTLOOK_COM,
        "Outlook.com: part of the sender's network is on its block list",
    ),
    ProviderCode(
        "Microsoft",
        r"\(S3\d{3}\)|\bS3(?:1[0-9]|[0-9])0\b",
        Reason.SENDER_BLOCKLISTED,
        _S,
        OUTLOOK_COM,
        "Outlook.com S3xxx: the sending network is on its block list",
    ),
    ProviderCode(
        "Microsoft",
        r"\(S77[0-9]\)|\bS77[0-9]\b",
        Reason.SENDER_BLOCKLISTED,
        _S,
        OUTLOOK_COM,
        "Outlook.com S77x: rate limited due to IP reputation",
    ),
    ProviderCode(
        "Microsoft",
        r"\(S8[0-9]{2}\)",
        Reason.SENDER_BLOCKLISTED,
        _S,
        OUTLOOK_COM,
        "Outlook.com S8xx: IP temporarily limited for reputation",
    ),
    # --- Microsoft 365 / Exchange Online enhanced codes ---------------------------------
    ProviderCode(
        "Microsoft",
        r"\b5\.7\.(?:6[0-4][0-9])\b",
        Reason.SENDER_BLOCKLISTED,
        _S,
        MICROSOFT_NDR,
        "Access denied, banned sending IP (5.7.606-649)",
    ),
    ProviderCode(
        "Microsoft",
        r"\b[45]\.7\.7(?:0[0-9]|[1-4][0-9]|50)\b",
        Reason.SENDER_BLOCKLISTED,
        _S,
        MICROSOFT_NDR,
        "5.7.700-750: traffic not accepted from this IP / tenant over threshold",
    ),
    ProviderCode(
        "Microsoft",
        r"\b5\.7\.50[1-3]\b",
        Reason.SENDER_BLOCKLISTED,
        _S,
        MICROSOFT_NDR,
        "Access denied, spam abuse detected",
    ),
    ProviderCode(
        "Microsoft",
        r"\b5\.7\.506\b",
        Reason.POLICY_BLOCKED,
        _S,
        MICROSOFT_NDR,
        "5.7.506 bad HELO: the sender introduced itself as the receiver",
    ),
    ProviderCode(
        "Microsoft",
        r"\b5\.7\.507\b",
        Reason.SENDER_BLOCKLISTED,
        _S,
        MICROSOFT_NDR,
        "5.7.507 the recipient organisation blocked the sending IP",
    ),
    ProviderCode(
        "Microsoft",
        r"\b5\.7\.50[45]\b",
        Reason.MAILBOX_NOT_FOUND,
        _R,
        MICROSOFT_NDR,
        "5.7.504/5.7.505 recipient address rejected / banned recipient",
    ),
    ProviderCode(
        "Microsoft",
        r"\(AS345\)",
        Reason.ATTACHMENT_REJECTED,
        _C,
        MICROSOFT_NDR,
        "5.0.350 policy violation AS345: too deeply nested attachments",
    ),
    ProviderCode(
        "Microsoft",
        r"\b5\.7\.51[02]\b",
        Reason.POLICY_BLOCKED,
        _P,
        MICROSOFT_NDR,
        "5.7.510 no mail over IPv6 / 5.7.512 message not RFC 5322 compliant",
    ),
    ProviderCode(
        "Microsoft",
        r"\b5\.7\.513\b",
        Reason.SENDER_BLOCKLISTED,
        _S,
        MICROSOFT_NDR,
        "the recipient domain put the sending IP on its customer block list",
    ),
    ProviderCode(
        "Microsoft",
        r"\b5\.7\.(?:509|515)\b",
        Reason.AUTH_FAILED,
        _S,
        MICROSOFT_NDR,
        "sending domain fails DMARC / does not meet the required authentication",
    ),
    ProviderCode(
        "Microsoft",
        r"\b4\.7\.[5-8]\d\d access denied, please try again later",
        Reason.SENDER_BLOCKLISTED,
        _S,
        MICROSOFT_NDR,
        "4.7.500-899: suspicious activity from the sending IP, temporarily restricted",
    ),
    ProviderCode(
        "Microsoft",
        r"\b4\.7\.(?:650|651)\b",
        Reason.SENDER_BLOCKLISTED,
        _S,
        MICROSOFT_NDR,
        "rate limited due to IP reputation",
    ),
    # --- Yahoo / AOL / Verizon (Yahoo platform) ----------------------------------------
    ProviderCode(
        "Yahoo",
        r"\[TSS?0\d\]",
        Reason.SENDER_BLOCKLISTED,
        _S,
        YAHOO,
        "deferred for volume, complaints or poor sender reputation",
    ),
    ProviderCode(
        "Yahoo",
        r"\[BL2\d\]",
        Reason.SENDER_BLOCKLISTED,
        _S,
        YAHOO,
        "sending IP is on Spamhaus's lists",
    ),
    ProviderCode(
        "Yahoo",
        r"\[PH0\d\]",
        Reason.SPAM_FILTERED,
        _C,
        YAHOO,
        "content flagged (phishing/spam): 'not accepted for policy reasons'",
    ),
    ProviderCode(
        "Yahoo",
        r"\bVS\d-(?:IP|MF)\b",
        Reason.SENDER_BLOCKLISTED,
        _S,
        YAHOO,
        "old Yahoo code: the sending IP is limited (unknown recipients, open relay)",
    ),
    ProviderCode(
        "Yahoo",
        r"\bRLY:(?:B[123]|BB|BL|CH|IP)\b|\bRTR:(?:B[123]|BB|BL|CH|IP)\b",
        Reason.SENDER_BLOCKLISTED,
        _S,
        AOL,
        "AOL: the sending IP is blocked (complaints, reputation)",
    ),
    ProviderCode(
        "Yahoo",
        r"\bDYN:T1\b",
        Reason.SENDER_BLOCKLISTED,
        _S,
        AOL,
        "AOL: dynamic IP range not accepted",
    ),
    ProviderCode(
        "Yahoo",
        r"\bHVU:B1\b",
        Reason.SPAM_FILTERED,
        _C,
        AOL,
        "AOL: a URL in the message is blocked",
    ),
    ProviderCode(
        "Yahoo",
        r"\bDNS:NR\b",
        Reason.POLICY_BLOCKED,
        _S,
        AOL,
        "AOL: no reverse DNS for the sending IP",
    ),
    # --- Microsoft / GMX: their own wording for an unknown address ------------------------
    ProviderCode(
        "Microsoft",
        r"requested action not taken: mailbox unavailable[^<]{0,80}"
        r"(?:outlook\.com|hotmail|\(S\d{10}\))",
        Reason.MAILBOX_NOT_FOUND,
        _R,
        OUTLOOK_COM,
        "Outlook.com's reply for an address that does not exist",
    ),
    ProviderCode(
        "GMX",
        r"@(?:gmx|web)\.[a-z.]{2,6}>: requested action not taken: "
        r"mailbox unavailable",
        Reason.MAILBOX_NOT_FOUND,
        _R,
        GMX,
        "GMX/web.de's reply for an address that does not exist",
    ),
    # --- Apple iCloud ------------------------------------------------------------------
    ProviderCode(
        "Apple", r"\[HME1\]", Reason.AUTH_FAILED, _S, APPLE, "iCloud: failed both SPF and DKIM"
    ),
    ProviderCode(
        "Apple",
        r"\[CS0\d\]|\[HM0\d\]",
        Reason.POLICY_BLOCKED,
        _C,
        APPLE,
        "iCloud: message rejected due to local policy",
    ),
    # --- Comcast -------------------------------------------------------------------------
    ProviderCode(
        "Comcast",
        r"\bBL0000\d\d\b",
        Reason.SENDER_BLOCKLISTED,
        _S,
        COMCAST,
        "Comcast: the sending IP is on a blocklist Comcast uses",
    ),
    ProviderCode(
        "Comcast",
        r"\bRL0000\d\d\b",
        Reason.SOFT_BOUNCE,
        _P,
        COMCAST,
        "Comcast: rate limited (too many connections or messages)",
    ),
    ProviderCode(
        "Comcast",
        r"comcast block for spam",
        Reason.SENDER_BLOCKLISTED,
        _S,
        COMCAST,
        "Comcast: the sending IP is blocked for spam",
    ),
    # --- Charter / Spectrum -----------------------------------------------------------------
    ProviderCode(
        "Spectrum",
        r"AUP#In?-\d{4}",
        Reason.SENDER_BLOCKLISTED,
        _S,
        SPECTRUM,
        "Spectrum: the sending IP is blocked or timed out for reputation",
    ),
    # --- T-Online ---------------------------------------------------------------------------
    ProviderCode(
        "T-Online",
        r"rx\.t-online\.de.{0,40}\((?:BL|RBL|EAB)\)|\[EAB\]",
        Reason.SENDER_BLOCKLISTED,
        _S,
        T_ONLINE,
        "T-Online: the sending IP is blocked (BL) or individually rejected (EAB)",
    ),
    # --- Yandex -----------------------------------------------------------------------------
    ProviderCode(
        "Yandex",
        r"policy rejection on the target address",
        Reason.MAILBOX_DISABLED,
        _R,
        YANDEX,
        "Yandex: the recipient's mailbox is blocked",
    ),
    # --- KDDI au: bad addresses are refused as relaying ---------------------------------------
    ProviderCode(
        "KDDI",
        r"@ezweb\.ne\.jp>: relay access denied",
        Reason.MAILBOX_NOT_FOUND,
        _R,
        None,
        "au (KDDI): its reply for an address that does not exist",
    ),
    # --- Cox -----------------------------------------------------------------------------
    ProviderCode(
        "Cox",
        r"AUP#(?:CXBL|CDRBL|IPBL\d+|BL)\b",
        Reason.SENDER_BLOCKLISTED,
        _S,
        COX,
        "Cox: the sending IP is blocked or on a DNSBL Cox uses",
    ),
    ProviderCode(
        "Cox",
        r"AUP#URLBL\d*",
        Reason.SPAM_FILTERED,
        _C,
        COX,
        "Cox: a URL in the message is on a URL blocklist",
    ),
    ProviderCode(
        "Cox",
        r"AUP#CXDNS\b",
        Reason.POLICY_BLOCKED,
        _S,
        COX,
        "Cox: reverse DNS of the sending IP fails",
    ),
    ProviderCode(
        "Cox",
        r"AUP#CXSNDR\b",
        Reason.AUTH_FAILED,
        _S,
        COX,
        "Cox: the sender's domain fails SPF/DKIM",
    ),
    ProviderCode(
        "Cox",
        r"AUP#(?:CXSMTP|CXTHRT|CXMJ)\b",
        Reason.POLICY_BLOCKED,
        _S,
        COX,
        "Cox: SMTP violation or suspicious sending activity",
    ),
    ProviderCode(
        "Cox",
        r"AUP#(?:CXCNCT|CXMXRT)\b",
        Reason.SOFT_BOUNCE,
        _P,
        COX,
        "Cox: connection or rate limit",
    ),
    # --- AT&T ------------------------------------------------------------------------------
    ProviderCode(
        "AT&T",
        r"blocked for abuse",
        Reason.SENDER_BLOCKLISTED,
        _S,
        ATT,
        "AT&T: the sending IP is blocked for abuse",
    ),
    # --- Orange / Wanadoo / La Poste (France) -------------------------------------------
    ProviderCode(
        "Orange",
        _orange("10[1-3]|510|999"),
        Reason.SENDER_BLOCKLISTED,
        _S,
        ORANGE,
        "Orange: sending IP blocked",
    ),
    ProviderCode(
        "Orange",
        _orange("401|517"),
        Reason.AUTH_FAILED,
        _S,
        ORANGE,
        "Orange: SPF or DMARC check failed",
    ),
    ProviderCode(
        "Orange",
        _orange("305|402|403|405|415|421|630"),
        Reason.POLICY_BLOCKED,
        _S,
        ORANGE,
        "Orange: invalid sender, authentication required or client host rejected",
    ),
    ProviderCode(
        "Orange", _orange("416"), Reason.MAILBOX_NOT_FOUND, _R, ORANGE, "Orange: invalid recipient"
    ),
    ProviderCode(
        "Orange", _orange("417"), Reason.MAILBOX_FULL, _R, ORANGE, "Orange: recipient over quota"
    ),
    ProviderCode(
        "Orange",
        _orange("420|426"),
        Reason.MAILBOX_DISABLED,
        _R,
        ORANGE,
        "Orange: archived or blocked recipient account",
    ),
    ProviderCode(
        "Orange", _orange("506"), Reason.SPAM_FILTERED, _C, ORANGE, "Orange: mail rejected (spam)"
    ),
    ProviderCode(
        "Orange",
        _orange("514"),
        Reason.MESSAGE_TOO_LARGE,
        _C,
        ORANGE,
        "Orange: message size limit reached",
    ),
    # --- SFR (France) ------------------------------------------------------------------------
    ProviderCode(
        "SFR",
        r"abus detecte",
        Reason.SENDER_BLOCKLISTED,
        _S,
        None,
        "SFR: the sending IP was flagged for abuse (codes GU_EIB_xx)",
    ),
    # --- Tencent QQ / NetEase 163 ---------------------------------------------------------
    ProviderCode(
        "QQ",
        r"suspected spam ip|suspected bounce attacks",
        Reason.SENDER_BLOCKLISTED,
        _S,
        QQ,
        "QQ Mail: the sending IP is suspected of spam",
    ),
    ProviderCode(
        "QQ",
        r"mail content denied|spam is embedded",
        Reason.SPAM_FILTERED,
        _C,
        QQ,
        "QQ Mail: content refused as spam",
    ),
    ProviderCode(
        "QQ",
        r"is a deactivated mailbox",
        Reason.MAILBOX_DISABLED,
        _R,
        QQ,
        "QQ Mail: the mailbox is deactivated",
    ),
    ProviderCode(
        "QQ",
        r"(?:ip|domain|sender|connection) frequency limited",
        Reason.SOFT_BOUNCE,
        _P,
        QQ,
        "QQ Mail: rate limited",
    ),
    ProviderCode(
        "NetEase",
        r"\bDT:SPM\b",
        Reason.SPAM_FILTERED,
        _C,
        NETEASE,
        "NetEase 163/126: content identified as spam",
    ),
    ProviderCode(
        "NetEase",
        r"\bHL:REP\b",
        Reason.SENDER_BLOCKLISTED,
        _S,
        NETEASE,
        "NetEase 163/126: the sending IP's reputation is too low",
    ),
    ProviderCode(
        "NetEase",
        r"\bHL:I[A-Z]C\b",
        Reason.SOFT_BOUNCE,
        _P,
        NETEASE,
        "NetEase 163/126: too many connections or too frequent sending",
    ),
    ProviderCode(
        "NetEase",
        r"\bRP:(?:DRC|CEL|QRC|TRC|FQS)\b",
        Reason.SENDER_BLOCKLISTED,
        _S,
        NETEASE,
        "NetEase 163/126: sender refused by its anti-spam reputation checks",
    ),
    # --- Mail-security gateways -------------------------------------------------------------
    ProviderCode(
        "Mimecast",
        r"local ct ip reputation",
        Reason.SENDER_BLOCKLISTED,
        _S,
        MIMECAST,
        "Mimecast: rejected for poor IP reputation",
    ),
    ProviderCode(
        "Mimecast",
        r"(?:spf|dkim|dmarc) sender invalid",
        Reason.AUTH_FAILED,
        _S,
        MIMECAST,
        "Mimecast: SPF/DKIM/DMARC check failed",
    ),
    ProviderCode(
        "Proofpoint",
        r"ipcheck\.proofpoint\.com|dnsbl-lookup\.cgi",
        Reason.SENDER_BLOCKLISTED,
        _S,
        PROOFPOINT,
        "Proofpoint: the sending IP has a poor reputation (Proofpoint Dynamic Reputation)",
    ),
    ProviderCode(
        "Barracuda",
        r"barracudacentral\.org|\bbrbl\b",
        Reason.SENDER_BLOCKLISTED,
        _S,
        BARRACUDA,
        "Barracuda Reputation Block List",
    ),
    ProviderCode(
        "Cisco",
        r"your access to submit messages to this e-mail system has been "
        r"rejected",
        Reason.SECURITY_GATEWAY,
        _D,
        CISCO,
        "Cisco Secure Email (IronPort): its access table refused the message",
    ),
    ProviderCode(
        "Trend Micro",
        r"block permanently \(sender filtering",
        Reason.SECURITY_GATEWAY,
        _D,
        TREND_MICRO,
        "Trend Micro Deep Discovery Email Inspector: sender filtering",
    ),
    ProviderCode(
        "Cisco",
        r"senderbase|talosintelligence",
        Reason.SENDER_BLOCKLISTED,
        _S,
        CISCO,
        "Cisco: sender reputation (SenderBase / Talos)",
    ),
    ProviderCode(
        "Trend Micro",
        r"\bers-[a-z]",
        Reason.SENDER_BLOCKLISTED,
        _S,
        TREND_MICRO,
        "Trend Micro Email Reputation Services",
    ),
    ProviderCode(
        "Symantec",
        r"ipremoval\.sms\.symantec\.com",
        Reason.SENDER_BLOCKLISTED,
        _S,
        SYMANTEC,
        "Symantec/Broadcom: the sending IP is on its block list",
    ),
)

_COMPILED: tuple[CompiledCode, ...] = tuple(
    CompiledCode(literal_needle(alternative), re.compile(alternative, _I), code)
    for code in PROVIDER_CODES
    for alternative in _top_level_alternatives(code.pattern)
)


#: Every needle of the table, for the classifier's one-pass needle scan.
CODE_NEEDLES: frozenset[str] = frozenset(compiled.needle for compiled in _COMPILED)


def provider_code_in(
    text: str, lowered: str, present: frozenset[str] | None = None
) -> ProviderCode | None:
    """The first provider code found in a reply, or None. ``present``: the needles known
    to occur in ``lowered`` (most replies contain none of the table's)."""
    if present is not None:
        if CODE_NEEDLES.isdisjoint(present):
            return None
        for compiled in _COMPILED:
            if compiled.needle in present and compiled.regex.search(text):
                return compiled.code
        return None
    for compiled in _COMPILED:
        if compiled.needle in lowered and compiled.regex.search(text):
            return compiled.code
    return None
