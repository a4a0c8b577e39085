"""The words of receiving servers, as data: which reason each phrase, code or product
marker signals, in the order of outcomes.md ("Bounces"): the enhanced codes, the masked
and decisive phrases, the sender phrases, the provider markers, and the step-3, step-5
and step-6 tables. Step 4's ordered word rules are :mod:`worker.domain.word_rules`; the
matching machinery is :mod:`worker.domain.phrases`.

Everything here is a table; :mod:`worker.domain.classifier` walks it in order. To teach the
classifier a new phrase, add it to the right row (and a real-world case to the tests).
A phrase may only be added where it plainly means what its reason means.
"""

from __future__ import annotations

from enum import StrEnum

from worker.domain.outcomes import Reason
from worker.domain.phrases import Phrases, codes, words


class Party(StrEnum):
    """Whose problem a reply describes (outcomes.md, Bounces step 4, "whose problem")."""

    RECIPIENT = "recipient"  # the recipient's address or mailbox
    RECIPIENT_DOMAIN = "recipient_domain"  # the recipient's domain or its mail system's rules
    SENDER = "sender"  # our sender: address, domain, sending IP, authentication, reputation
    CONTENT = "content"  # the message itself: spam verdict, attachment, size
    PATH = "path"  # the connection or route: timeouts, rate limits, temporary failures


#: Microsoft's banned-sending-IP range, 5.7.606 to 5.7.649.
MICROSOFT_BLOCKLIST_CODES = frozenset(f"5.7.{n}" for n in range(606, 650))

# 5.7.515: Microsoft's "does not meet the required authentication level" (SPF/DKIM/DMARC).
# 5.7.20-5.7.24 and 5.7.26 are RFC 7372's DKIM/SPF/multiple-authentication failures.
# 5.7.27 is *not* here: RFC 7505 defines it as "sender address has null MX" (our domain
# publishes no mail exchanger), a refusal of our sender, hence policy_blocked; Gmail also
# uses it with the words "sender is unauthenticated", which decide auth_failed by words.
AUTH_CODES = codes("5.7.20", "5.7.21", "5.7.22", "5.7.23", "5.7.24", "5.7.26", "5.7.509", "5.7.515")
BLOCKLIST_CODES = MICROSOFT_BLOCKLIST_CODES | codes("5.7.511", "5.7.513", "4.7.650", "4.7.651")
#: Authentication *required* (not failed), reverse-DNS refusals and our null MX are policy.
POLICY_CODES = codes("5.7.133", "5.7.134", "5.7.25", "5.7.27")
#: Enhanced codes whose subject is the sender (RFC 3463: X.1.7 bad sender's mailbox
#: address syntax, X.1.8 bad sender's system address) or our sending host (X.7.25 reverse
#: DNS validation failed, X.7.27 sender address has null MX).
SENDER_CODES = codes("5.1.7", "5.1.8", "4.1.7", "4.1.8", "5.7.25", "4.7.25", "5.7.27", "4.7.27")

#: Text removed before matching: words that look like a reason but are about something
#: else in this context. Postfix's "delivery temporarily suspended: connect to ...: ..."
#: is its own queue backing off a host, not a suspended mailbox.
MASKED_PHRASES = words(
    r"delivery temporarily suspended",
    # Exim: characters in the local part it refuses, not a "restricted" policy.
    r"restricted characters in address",
    # cPanel's generic callout text lists every possible cause at once.
    r"they may be blacklisted, or missing the proper dns entries",
)

#: Phrases that decide a reason before the ordered list, because a word of an earlier
#: row would otherwise misread them ("not listed in Domino Directory" contains "listed in";
#: "blacklisted URL in message" contains "blacklisted"). (reason, whose problem, phrases)
DECISIVE_PHRASES: tuple[tuple[Reason | None, Party, Phrases], ...] = (
    (
        Reason.MAILBOX_NOT_FOUND,
        Party.RECIPIENT,
        words(
            # Lotus/HCL Domino: the user is not in the server's directory.
            r"not listed in (?:the )?(?:domino |public )?directory",
            r"not listed in public name (?:&|and) address book",
            r"non répertorié dans l'annuaire domino",
            r"domino ディレクトリには見つかりません",
            r"domino directory entry does not",
            r"not found in (?:the )?directory",
            r"no such user in (?:the )?directory",
        ),
    ),
    (
        Reason.SPAM_FILTERED,
        Party.CONTENT,
        words(
            # A URL or domain *in the message* on a list: the content, not our IP.
            r"(?:black|block)listed (?:url|uri|link|domain)s? (?:in|found in|within)",
            r"(?:url|uri|link|domain)s? in (?:the |your )?(?:message|body|email)[^.;]{0,40}"
            r"(?:black|block)?listed",
            r"\buribl\b",
            r"\bsurbl\b",
            r"\bivmuri\b",
            r"breaches local uribl policy",
        ),
    ),
    (
        None,  # decided by the bounce type (step 6): temporary by nature
        Party.PATH,
        words(
            # Greylisting asks every unknown sender to retry: not a verdict on us.
            r"gr[ae]y ?list",
            # Gmail's per-recipient receiving rate and Microsoft's organisation queue
            # quota: the receiver's load, not the mailbox's size or state.
            r"receiving mail at a rate that prevents",
            r"receiving mail too quickly",
            r"unusual rate of email originating",
            # Connection-count limits: the receiver's load, retried by SES, not a block.
            r"too many (?:concurrent |simultaneous )?(?:smtp )?(?:connections|sessions)",
            r"connection rate limit",
            r"organi[sz]ation queue quota",
            # Exchange: a corrupt message.
            r"invalid message content",
        ),
    ),
    (
        Reason.POLICY_BLOCKED,
        Party.CONTENT,
        # The receiver's rules on the message's format (headers, RFC 5322) or on the
        # connection (TLS required), not a spam verdict: "to reduce spam" is their motive.
        words(
            r"not rfc ?-?\d* ?compliant",
            r"tls connection",
            r"tls required",
            r"requires? (?:start)?tls",
            r"not using (?:a )?tls",
            r"bare lf",
            r"bare linefeed",
            r"- bad header",
            r"duplicate header",
            r"multiple \w+ headers",
        ),
    ),
    (
        Reason.SPAM_FILTERED,
        Party.CONTENT,
        # A bare "550 Rejected" / "550 Message Rejected": providers that answer with nothing
        # else document it as their content filter's refusal (Charter's "Handling Spam").
        words(r"^\d{3}(?:[ -][245]\.7\.\d{1,3})? (?:message |mail )?rejected\W{0,3}$"),
    ),
    (
        Reason.MESSAGE_TOO_LARGE,
        Party.CONTENT,
        # "exceeded Google's message size limits ... Send attachments": the size decides.
        words(r"message (?:header )?size limits?", r"exceeded (?:the )?maximum message size"),
    ),
    (
        Reason.MAILBOX_DISABLED,
        Party.RECIPIENT,
        # "invalid mailbox ... unavailable: account is disabled" (Mail.ru): the state
        # named last is the precise one.
        words(
            r"account (?:is|has been) (?:disabled|deactivated|suspended)",
            r"user is terminated",
            r"mailbox (?:is )?(?:disabled|deactivated|frozen)",
        ),
    ),
    (
        Reason.MAILBOX_DISABLED,
        Party.RECIPIENT,
        # Exchange puts a mailbox in quarantine when it misbehaves: its state, no filter.
        words(r"recipient mailbox quarantined"),
    ),
    (
        Reason.MAILBOX_FULL,
        Party.RECIPIENT,
        # Gmail: an inbox out of storage *and* inactive is still, first, out of storage.
        words(r"out of storage space and inactive"),
    ),
)

#: Phrases whose grammatical subject is our sender (envelope sender address, its domain,
#: our sending host or IP, our HELO name) or whose refusal is about who may post (lists,
#: groups). When one appears, the recipient's address, mailbox and domain are not in
#: question: the recipient-side reasons are skipped and the refusal is policy_blocked
#: unless authentication, blocklist, spam or attachment words say more.
SENDER_PHRASES = words(
    r"sender address rejected",
    r"sender address is (?:invalid|not valid|blocked|denied|rejected)",
    r"sender (?:email |e-mail )?address (?:has been )?(?:rejected|refused|denied)",
    r"domain of sender address",
    r"sender domain (?:does not exist|not found|must exist|must resolve|is empty|is invalid)",
    r"sender'?s? domain (?:does not exist|not found|has no)",
    r"unroutable sender",
    r"unrouteable sender",
    r"sender verify failed",
    r"sender verification (?:failed|is required)",
    r"could not verify sender",
    r"cannot verify sender",
    r"invalid sender",
    r"sender (?:was )?rejected",
    r"sender not (?:allowed|authorized|authorised|permitted|pre-approved)",
    r"mail from (?:address )?(?:rejected|refused|not accepted)",
    r"bad sender",
    r"envelope sender",
    r"return[- ]path (?:rejected|invalid|domain)",
    r"from: domain is invalid",
    r"mail from not owned by user",
    r"verifiable sender",
    r"sender ip address",
    r"your access ip",
    r"open proxy",
    r"smtp server of your isp",
    r"not allowed to connect",
    r"no access from mail server",
    r"confirm this mail server",
    r"invalid ip for sending",
    r"is not allowed to send mail from",
    r"unverif(?:y|i)able sending ip",
    r"bogus mail from",
    r"purported responsible address",
    r"null sender is not allowed",
    r"empty envelope sender",
    r"for sender address",
    r"\bsender domain\b",
    r"your from address",
    r"\bfcrdns\b",
    r"mail server at \S+ is blocked",
    r"\bemetteur invalide\b",
    # Our sending host: reverse DNS, PTR, HELO, client host, connection policy.
    r"client host rejected",
    r"client host \[?[\w.:-]*\]? ?(?:is )?(?:rejected|refused|not allowed)",
    r"reverse dns",
    r"\brdns\b",
    r"reverse (?:lookup|resolution)",
    r"\bptr\b",
    r"cannot find your hostname",
    r"cannot resolve your (?:address|hostname)",
    r"unresolvable (?:relay )?host ?name",
    r"mismatches client ip",
    r"(?:helo|ehlo) (?:command )?rejected",
    r"bad helo",
    r"invalid (?:helo|ehlo)",
    r"may not be (?:a )?mail exchanger",
    r"not accepting connections",
    r"connections? (?:not accepted|refused|denied) from",
    r"\byour (?:ip|ip address|host|server|network|mail server)\b",
    r"sending (?:ip|host|server|mta)\b",
    r"dynamic(?:ally[- ]assigned)? ip",
    r"generic (?:dns|ptr)",
    r"dynamic (?:dns|ptr)",
    r"does not (?:accept|allow) (?:e-?mail |mail )?(?:from )?(?:dynamic|residential)",
    # Lists and groups: who may post, not whether the address exists.
    r"not a member",
    r"non-?member",
    r"members[- ]only",
    r"(?:permission|not allowed|not authori[sz]ed|not permitted) to post",
    r"may not (?:have permission to )?post",
    r"not (?:allowed|permitted|authori[sz]ed) to send (?:e-?mail |mail |messages )?to "
    r"(?:this|the) (?:group|list|mailing list)",
    r"not subscribed to this (?:group|list)",
    r"closed mailing list",
    r"moderat(?:ed|or)",
    r"kein mitglied",
    r"n'êtes pas (?:un )?membre",
    r"no (?:es|eres) (?:un )?miembro",
    r"não é (?:um )?membro",
    r"non sei (?:un )?membro",
    r"geen lid",
    r"не являетесь участником",
    # Google Groups' "may not have permission to post" in its other languages.
    r"nicht berechtigt, nachrichten",
    r"keine berechtigung",
    r"autorisée? à publier",
    r"permiso para publicar",
    r"permissão para (?:postar|publicar)",
    r"autorizzazione per pubblicare",
    r"toestemming om berichten",
    r"投稿の権限",
    r"разрешения на публикацию",
    r"无权在该群组",
    r"无权发帖",
)

#: The reasons that are about the recipient's address, mailbox or domain: not candidates
#: when the reply is about our sender.
RECIPIENT_REASONS = frozenset(
    {
        Reason.DOMAIN_NOT_FOUND,
        Reason.MAILBOX_NOT_FOUND,
        Reason.MAILBOX_DISABLED,
        Reason.MAILBOX_FULL,
    }
)


#: Mail-security products, recognised by name or marker as whole tokens, in the reply or
#: the reporting/remote MTA host.
SECURITY_PRODUCTS: tuple[tuple[str, Phrases], ...] = (
    ("Mimecast", words(r"\bmimecast\b")),
    ("Proofpoint", words(r"\bproofpoint\b", r"\bpphosted\b", r"\bppops\b")),
    (
        "Barracuda",
        words(r"\bbarracuda\b", r"\bbarracudanetworks\b", r"\bbarracudacentral\b", r"\bcuda_nsu\b"),
    ),
    ("Cisco", words(r"\bironport\b", r"\biphmx\b", r"\bcisco\b")),
    ("Sophos", words(r"\bsophos\b", r"\bxgemail\b", r"\bhydra\.sophos\b")),
    ("Trend Micro", words(r"\btrend ?micro\b", r"\btrendmicro\b", r"\bers-")),
    (
        "Symantec",
        words(
            r"\bsymantec\b",
            r"\bmessagelabs\b",
            r"\bsymanteccloud\b",
            r"knowledge\.broadcom\.com",
        ),
    ),
    ("Forcepoint", words(r"\bforcepoint\b", r"\bmailcontrol\b")),
    ("Hornetsecurity", words(r"\bhornetsecurity\b")),
)

#: Blocklists and reputation services: named before the mailbox provider that quoted them.
BLOCKLIST_PROVIDERS: tuple[tuple[str, Phrases], ...] = (
    ("Spamhaus", words(r"spamhaus")),
    ("SpamCop", words(r"spamcop")),
    ("SORBS", words(r"\bsorbs\b")),
    ("Cloudmark", words(r"cloudmark")),
)

MAILBOX_PROVIDERS: tuple[tuple[str, Phrases], ...] = (
    ("Gmail", words(r"\bgsmtp\b", r"support\.google\.com", r"\bgoogle\.com\b", r"\bgmail\b")),
    (
        "Microsoft",
        words(
            r"outlook\.com",
            r"\bresolver\.",
            r"\bstoredrv\b",
            r"\bAS\(\d+\)",
            r"sender\.office\.com",
            r"postmaster\.live\.com",
            r"mail\.live\.com",
            r"\bhotmail\b",
            r"\bmicrosoft\b",
            r"\bfwlink\b",
        ),
    ),
    (
        "Yahoo",
        words(
            r"\byahoo",
            r"yahoodns\.net",
            r"postmaster\.yahooinc\.com",
            r"\[(?:tss|ph|bl)\d\d\]",
            r"\baol\.com\b",
        ),
    ),
    ("Apple", words(r"\bicloud\b", r"support\.apple\.com", r"\[cs\d\d\]", r"\bapple\b")),
)

#: Step 5: the enhanced status code decides when no words matched.
STATUS_CODE_REASONS: dict[str, Reason] = {
    "5.1.1": Reason.MAILBOX_NOT_FOUND,
    "5.1.10": Reason.MAILBOX_NOT_FOUND,
    "5.1.2": Reason.DOMAIN_NOT_FOUND,
    "5.4.4": Reason.DOMAIN_NOT_FOUND,
    "5.2.1": Reason.MAILBOX_DISABLED,
    "5.2.2": Reason.MAILBOX_FULL,
    "4.2.2": Reason.MAILBOX_FULL,
    "5.3.4": Reason.MESSAGE_TOO_LARGE,
    "5.2.3": Reason.MESSAGE_TOO_LARGE,
    **dict.fromkeys(AUTH_CODES, Reason.AUTH_FAILED),
    **dict.fromkeys(BLOCKLIST_CODES, Reason.SENDER_BLOCKLISTED),
    **dict.fromkeys(POLICY_CODES, Reason.POLICY_BLOCKED),
}
#: Any other 5.7.x is a policy refusal.
POLICY_CODE_CLASS = "5.7."

#: Step 3: bounce subtypes that decide by themselves.
SUBTYPE_REASONS: dict[str, Reason] = {
    "noemail": Reason.MAILBOX_NOT_FOUND,
    "mailboxfull": Reason.MAILBOX_FULL,
    "messagetoolarge": Reason.MESSAGE_TOO_LARGE,
    "attachmentrejected": Reason.ATTACHMENT_REJECTED,
}
#: ContentRejected: the first of these whose words appear, else spam_filtered.
CONTENT_REJECTED_CANDIDATES = (
    Reason.AUTH_FAILED,
    Reason.ATTACHMENT_REJECTED,
    Reason.SENDER_BLOCKLISTED,
    Reason.SECURITY_GATEWAY,
)

#: Step 6: when nothing decides.
FALLBACK_REASONS: dict[str, Reason] = {
    "permanent": Reason.HARD_BOUNCE,
    "transient": Reason.SOFT_BOUNCE,
    "undetermined": Reason.UNDETERMINED,
}
