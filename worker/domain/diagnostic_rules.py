"""The words of receiving servers, as data: which reason each phrase, code or product
marker signals, in the order of outcomes.md ("Bounces", step 4), plus the step-5 status
code table and the provider markers.

Everything here is a table; :mod:`worker.domain.classifier` walks it in order. To teach the
classifier a new phrase, add it to the right row (and a real-world case to the tests).
A phrase may only be added where it plainly means what its reason means.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from itertools import chain, pairwise

from worker.domain.outcomes import Reason

_I = re.IGNORECASE


class Party(StrEnum):
    """Whose problem a reply describes (outcomes.md, Bounces step 4, "whose problem")."""

    RECIPIENT = "recipient"  # the recipient's address or mailbox
    RECIPIENT_DOMAIN = "recipient_domain"  # the recipient's domain or its mail system's rules
    SENDER = "sender"  # our sender: address, domain, sending IP, authentication, reputation
    CONTENT = "content"  # the message itself: spam verdict, attachment, size
    PATH = "path"  # the connection or route: timeouts, rate limits, temporary failures


_GROUP = re.compile(r"\((?:[^()\\]|\\.)*\)[?*]?")
_CLASS = re.compile(r"\[(?:[^\]\\]|\\.)*\][?*+]?|\{\d*,?\d*\}")
_ESCAPED_CLASS = re.compile(r"\\[a-zA-Z]")
_OPTIONAL_CHAR = re.compile(r"(?:\\.|.)[?*]")
#: A character repeated {0,n} times may be absent: "de.{0,40}" must not need "de.".
_OPTIONAL_REPEAT = re.compile(r"(?:\\.|[^\])])\{0,\d*\}")
#: An unescaped "." matches any character: it is no part of the literal text.
_ANY_CHAR = re.compile(r"(?<!\\)\.[+]?")
_ESCAPED_LITERAL = re.compile(r"\\(.)")
_SEPARATOR = "\x00"


def literal_needle(pattern: str) -> str:
    """The longest piece of text every match of ``pattern`` must contain, lower-cased.

    Used as a cheap ``in`` test before running the regex: most replies contain none of
    a rule's words, and a substring test costs a fraction of a case-insensitive search.
    Groups, classes, escapes like ``\\b`` and optional characters break the text.
    """
    text = _GROUP.sub(_SEPARATOR, pattern)
    text = _OPTIONAL_REPEAT.sub(_SEPARATOR, text)
    text = _CLASS.sub(_SEPARATOR, text)
    text = _OPTIONAL_CHAR.sub(_SEPARATOR, text)
    text = _ESCAPED_CLASS.sub(_SEPARATOR, text)
    text = _ANY_CHAR.sub(_SEPARATOR, text)
    text = _ESCAPED_LITERAL.sub(r"\1", text)
    text = re.sub(r"[+^$|]", _SEPARATOR, text)
    return max(text.split(_SEPARATOR), key=len).lower()


#: Every literal needle of every phrase list, so that a reply is scanned for all of them
#: once (:func:`needles_in`) and each list then only checks the needles it found.
ALL_NEEDLES: set[str] = set()


@dataclass(frozen=True, slots=True)
class Phrases:
    """Alternative phrases (regexes, case-insensitive), each behind its literal needle."""

    items: tuple[tuple[str, re.Pattern[str]], ...]
    needles: frozenset[str] = frozenset()
    by_needle: dict[str, tuple[re.Pattern[str], ...]] | None = None

    def search(
        self, text: str, lowered: str | None = None, present: frozenset[str] | None = None
    ) -> bool:
        """Whether any phrase appears. ``present`` (the needles found in the text, from
        :meth:`NeedleIndex.present`) limits the regexes run to those whose needle is
        there: most lists find none at all."""
        if present is not None and self.by_needle is not None:
            if self.needles.isdisjoint(present):
                return False
            by_needle = self.by_needle
            return any(
                pattern.search(text)
                for needle in self.needles.intersection(present)
                for pattern in by_needle[needle]
            )
        low = text.lower() if lowered is None else lowered
        return any(needle in low and pattern.search(text) for needle, pattern in self.items)


def _words(*patterns: str) -> Phrases:
    items = tuple((literal_needle(p), re.compile(p, _I)) for p in patterns)
    needles = frozenset(needle for needle, _ in items)
    by_needle: dict[str, list[re.Pattern[str]]] = {}
    for needle, pattern in items:
        by_needle.setdefault(needle, []).append(pattern)
    ALL_NEEDLES.update(needles)
    return Phrases(items, needles, {key: tuple(found) for key, found in by_needle.items()})


#: The 400 pairs of adjacent characters found in the most replies (document frequency
#: over the real-world table and bench/classify.py's simulated bounces, most common first;
#: regenerate when the word lists change a lot). A needle is filed under its pair that
#: ranks lowest here, so that most replies contain few of the keys.
_COMMON_PAIRS_TEXT = (
    "tpp;mtsm 555; reedercoe omt d es0 se5.s mar  men.c raiin50lete dil sec t"
    "or aouli.1unssdent hton ono st. is umeot eas ioopl fro1 ctblttexamveloht"
    "//:/e..7eltithsaatnoust.ieces. om/heut pacy po nsiges:: fopsag.2n.ne lio"
    "pi-  -7.abup g4 doipad bnditnasu [tal emciur45dd2.icngm 54ha/smpdreaivmi"
    "pp1.g 01d. yspca23preearoc.0an crtbo, ccryyo12ck-1go3 .gso3634hitrmopa ("
    "irogidlal/gl/mgsdialriofjeej4.d:33quxavike5643olp=ni/?67va.41achdcrr1b73"
    "4494d9i1b5hoa76slncbb3a65fosf13c1d3ac07p6-fr2 nsopf eo0.1992.epebe?pueim"
    "rm3.odaura'seta u .ooex oxoknu7 nfavui40k.ov] .p < vdm 4l.tl52xp.m84.< 8"
    "m]<4rnnnp -5) e@dutyowr.-e.nh s/lbrvgu20tm[10]cseq/de-cyeprg0- wrs.5ll13"
    ".aubt'ki10w y.p:.3ftnvnc-cucxip-ts30evptwexccllyeuuo(s03hur0t0@e>:35m>fi"
    "[ao.t/n'3f5e.h#5m517.srcya<sypk 06mlrdah21n: 1-sif@ize.yzo=nc ulpunk/lt,"
    "izxs'tak"
)
_PAIR_RANK: dict[str, int] = {
    _COMMON_PAIRS_TEXT[i : i + 2]: 400 - i // 2 for i in range(0, len(_COMMON_PAIRS_TEXT), 2)
}


def _rarity_key(needle: str) -> tuple[str, str]:
    """The needle's two adjacent characters least likely to occur in a reply."""
    pairs = list(pairwise(needle))
    return min(pairs, key=lambda pair: _PAIR_RANK.get(pair[0] + pair[1], 0))


class NeedleIndex:
    """Finds which of many literal needles occur in a text without testing each one.

    Each needle is filed under its rarest pair of adjacent characters; a text's pairs are
    collected in one C-level pass (``itertools.pairwise``) and only needles filed
    under a pair the text contains are tested with ``in``. With hundreds of needles this
    keeps a reply's scan to a few dozen substring tests.
    """

    __slots__ = ("_buckets", "_keys", "_short")

    def __init__(self, needles: frozenset[str] | set[str]) -> None:
        buckets: dict[tuple[str, str], list[str]] = {}
        short: list[str] = []
        for needle in sorted(needles):
            if len(needle) < 2:
                short.append(needle)
                continue
            buckets.setdefault(_rarity_key(needle), []).append(needle)
        self._buckets = {key: tuple(found) for key, found in buckets.items()}
        self._keys = frozenset(self._buckets)
        self._short = tuple(short)

    def present(self, lowered: str) -> frozenset[str]:
        """The needles that occur in ``lowered``."""
        # All C-level: the text's pairs, the keys among them, their needles, the tests.
        hit = self._keys.intersection(pairwise(lowered))
        candidates = chain(self._short, chain.from_iterable(map(self._buckets.__getitem__, hit)))
        return frozenset(filter(lowered.__contains__, candidates))


def _codes(*codes: str) -> frozenset[str]:
    return frozenset(codes)


@dataclass(frozen=True, slots=True)
class WordRule:
    """One row of step 4: the reason, its phrases, the enhanced codes that count as its
    words, and optionally a pair of patterns that must both appear (SPF + "failed")."""

    reason: Reason
    phrases: Phrases | None
    codes: frozenset[str] = frozenset()
    together: tuple[Phrases, Phrases] | None = None


# Only the short tokens (SPF, DKIM...) need whole words; "failedCONTINUE" still fails.
_FAILURE_WORDS = _words(
    r"fail",
    r"not (?:allowed|permitted|authori[sz]ed) to send",
    r"(?:is|was) not permitted",
    r"reject",
    r"\bblocked\b",
    r"unauthori[sz]ed",
    r"(?:not|n't) pass",
    r"invalid",
    r"(?:not|n't) aligned",
)

_EXTENSION_WORDS = _words(r"\bnot allowed\b", r"\bblocked\b", r"\bunacceptable\b", r"\bbanned\b")

#: Microsoft's banned-sending-IP range, 5.7.606 to 5.7.649.
MICROSOFT_BLOCKLIST_CODES = frozenset(f"5.7.{n}" for n in range(606, 650))

# 5.7.515: Microsoft's "does not meet the required authentication level" (SPF/DKIM/DMARC).
# 5.7.20-5.7.24 and 5.7.26 are RFC 7372's DKIM/SPF/multiple-authentication failures.
# 5.7.27 is *not* here: RFC 7505 defines it as "sender address has null MX" (our domain
# publishes no mail exchanger), a refusal of our sender, hence policy_blocked; Gmail also
# uses it with the words "sender is unauthenticated", which decide auth_failed by words.
AUTH_CODES = _codes(
    "5.7.20", "5.7.21", "5.7.22", "5.7.23", "5.7.24", "5.7.26", "5.7.509", "5.7.515"
)
BLOCKLIST_CODES = MICROSOFT_BLOCKLIST_CODES | _codes("5.7.511", "5.7.513", "4.7.650", "4.7.651")
#: Authentication *required* (not failed), reverse-DNS refusals and our null MX are policy.
POLICY_CODES = _codes("5.7.133", "5.7.134", "5.7.25", "5.7.27")
#: Enhanced codes whose subject is the sender (RFC 3463: X.1.7 bad sender's mailbox
#: address syntax, X.1.8 bad sender's system address) or our sending host (X.7.25 reverse
#: DNS validation failed, X.7.27 sender address has null MX).
SENDER_CODES = _codes("5.1.7", "5.1.8", "4.1.7", "4.1.8", "5.7.25", "4.7.25", "5.7.27", "4.7.27")

#: Text removed before matching: words that look like a reason but are about something
#: else in this context. Postfix's "delivery temporarily suspended: connect to ...: ..."
#: is its own queue backing off a host, not a suspended mailbox.
MASKED_PHRASES = _words(
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
        _words(
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
        _words(
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
        _words(
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
        _words(
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
        _words(r"^\d{3}(?:[ -][245]\.7\.\d{1,3})? (?:message |mail )?rejected\W{0,3}$"),
    ),
    (
        Reason.MESSAGE_TOO_LARGE,
        Party.CONTENT,
        # "exceeded Google's message size limits ... Send attachments": the size decides.
        _words(r"message (?:header )?size limits?", r"exceeded (?:the )?maximum message size"),
    ),
    (
        Reason.MAILBOX_DISABLED,
        Party.RECIPIENT,
        # "invalid mailbox ... unavailable: account is disabled" (Mail.ru): the state
        # named last is the precise one.
        _words(
            r"account (?:is|has been) (?:disabled|deactivated|suspended)",
            r"user is terminated",
            r"mailbox (?:is )?(?:disabled|deactivated|frozen)",
        ),
    ),
    (
        Reason.MAILBOX_DISABLED,
        Party.RECIPIENT,
        # Exchange puts a mailbox in quarantine when it misbehaves: its state, no filter.
        _words(r"recipient mailbox quarantined"),
    ),
    (
        Reason.MAILBOX_FULL,
        Party.RECIPIENT,
        # Gmail: an inbox out of storage *and* inactive is still, first, out of storage.
        _words(r"out of storage space and inactive"),
    ),
)

#: Phrases whose grammatical subject is our sender (envelope sender address, its domain,
#: our sending host or IP, our HELO name) or whose refusal is about who may post (lists,
#: groups). When one appears, the recipient's address, mailbox and domain are not in
#: question: the recipient-side reasons are skipped and the refusal is policy_blocked
#: unless authentication, blocklist, spam or attachment words say more.
SENDER_PHRASES = _words(
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

#: Step 4, in order; the first row whose words appear wins. security_gateway (step 10)
#: is special: see :data:`QUARANTINE_WORDS` and :data:`SECURITY_PRODUCTS`.
WORD_RULES: tuple[WordRule, ...] = (
    WordRule(
        Reason.AUTH_FAILED,
        _words(
            r"\bdmarc\b",
            r"authentication checks",
            r"unauthenticated (?:e-?)?mail",
            r"sender is unauthenticated",
            r"required authentication level",
            r"spf record of the sending domain",
            r"bad spf records?",
            r"inspect your spf",
            r"authentication requirements",
            r"authenticate with (?:either )?spf or dkim",
            r"must pass either spf or dkim",
            r"sender policy framework",
            r"not (?:designated|permitted|allowed) (?:by|to send)[^.;]{0,40}\bspf\b",
        ),
        AUTH_CODES,
        together=(_words(r"\bspf\b", r"\bdkim\b"), _FAILURE_WORDS),
    ),
    WordRule(
        Reason.ATTACHMENT_REJECTED,
        _words(
            r"attachment",
            r"file ?type",
            r"virus",
            r"malware",
            r"content presents a potential security issue",
            r"file[_ ]extension",
            r"\binfected\b",
            r"\bbanned: ",
            r"anhang",
            r"pièce jointe",
            r"adjunto",
            r"anexo",
            r"allegato",
            r"bijlage",
            r"вложени",
            r"вирус",
            r"添付",
            r"附件",
            r"病毒",
        ),
        together=(_words(r"\bextension"), _EXTENSION_WORDS),
    ),
    WordRule(
        Reason.SENDER_BLOCKLISTED,
        _words(
            r"block ?list",
            r"black ?list",
            r"blocklisted",
            r"\blisted (?:at|on|in|by)\b",
            r"blocked using",
            r"\brbl\b",
            r"\bdnsbl\b",
            r"spamhaus",
            r"spamcop",
            r"\bsorbs\b",
            r"barracuda (?:brbl|reputation)",
            r"\bbrbl\b",
            r"ipcheck\.proofpoint\.com",
            r"reputation",
            # Trend Micro Email Reputation Services: ERS-QIL, ERS-RBL, ERS-DUL, and the
            # admin's own IP list, ERS-Customized-Block.
            r"\bers-[a-z]",
            r"banned sending ip",
            r"banned sender",
            r"blocked for abuse",
            r"\b(?:ip|host|server|network)\b[^.;]{0,40}\b(?:has been|is|was) "
            r"(?:temporarily |permanently )?blocked",
            r"blocked (?:ip|sending ip|host|server|network)",
            r"banned (?:ip|sending ip|host|server|network)",
            r"temporarily deferred due to (?:unexpected volume or )?user complaints",
            r"will be permanently deferred",
            r"too many (?:spam|complaints|unwanted messages)",
            r"found on one or more dnsbls",
            r"badmailfrom",
            r"blocked - see",
            r"refused - see",
            r"(?:was|is) blocked by",
            r"listed as abusive",
            r"bad ip profile",
            r"\(ers\)",
            r"zombie",
            r"spam ip",
            r"\d+\.\d+\.\d+\.\d+ (?:is|has been) (?:banned|blocked)",
            r"\bip(?: address)? [\d.:a-f]+ (?:is |has been )?blocked",
            r"bad karma",
            r"unusual rate of unsolicited e?-?mail originating from your",
            r"mail from \d{1,3}(?:\.\d{1,3}){3} (?:not allowed|refused|rejected)",
            r"sperrliste",
            r"liste noire",
            r"lista negra",
            r"lista nera",
            r"черн(?:ый|ом) списк",
            r"黑名单",
        ),
        BLOCKLIST_CODES,
    ),
    WordRule(
        Reason.SPAM_FILTERED,
        _words(
            r"spam",
            r"unsolicited",
            r"\bbulk\b",
            r"content rejected",
            r"message content",
            r"suspicious",
            r"mail content denied",
            r"unacceptable content",
            r"content filter",
            r"junk mail",
            r"\bdcc\b",
            r"\breject, id=\S+ - spam",
            r"prohibited content",
            r"banned content",
            r"rejecting mail content",
            r"recurrent pattern detection",
            r"blocked by our filter",
            r"mail score",
            r"垃圾邮件",
            r"迷惑メール",
            r"спам",
        ),
    ),
    WordRule(
        Reason.DOMAIN_NOT_FOUND,
        _words(
            r"host not found",
            r"domain not found",
            r"no such domain",
            r"\bdns domain",
            r"nxdomain",
            r"\bno mx\b",
            r"\bnull ?mx\b",
            r"unable to lookup dns",
            r"unrouteable mail domain",
            r"nonexistentdomain",
            r"\bdomain (?:\S+ )?does not exist",
            r"host unknown",
            r"unknown host",
            r"host or domain name not found",
            r"unroute?able address",
            r"domain is not reachable",
            r"domain (?:must exist|is unknown|unknown)",
            r"unknown domain",
            r"mail domain mentioned in email address is unknown",
            r"name or service not known",
            r"no mx record",
            r"(?:host|domain|host/domain) does not accept mail",
            r"does not accept mail \(null ?mx\)",
            r"domain [^\s]+ (?:could ?n[o']t|cannot|can't) be found",
            r"(?:host|domain|server) (?:could ?n[o']t|cannot|can't) be found",
            r"dns error: domain (?:name )?not found",
            r"invalid address domain",
            r"domain \S+ does not accept mail",
            r"mx records? for (?:rcpt|recipient) (?:host|domain)",
            r"mx for (?:rcpt|recipient) domain",
            r"no route to (?:host|domain)",
            r"dns (?:lookup|query) fail(?:ed|ure)?[^.;]{0,60}not found",
            r"recipient address has null mx",
            r"domaine? (?:inexistant|introuvable|inconnu)",
            r"dominio (?:inexistente|no existe|desconocido)",
            r"domínio (?:inexistente|não existe)",
            r"domain (?:existiert nicht|unbekannt)",
            r"домен не (?:существует|найден)",
            r"域名不存在",
            r"ドメイン(?:が|は)?(?:存在しません|見つかりません)",
        ),
    ),
    WordRule(
        Reason.MAILBOX_NOT_FOUND,
        _words(
            r"user unknown",
            r"unknown user",
            r"no such user",
            r"does not exist",
            r"doesn'?t exist",
            r"doesn'?t have an? (?:[\w.-]+ ){0,3}account",
            r"does not have an? (?:[\w.-]+ ){0,3}account",
            r"invalid[ -]recipient",
            r"addressee unknown",
            r"recipient not found",
            r"recipientnotfound",
            r"\bcuda_nsu\b",
            r"\bxgemail_0011\b",
            # Microsoft 365 directory-based edge blocking: the address is not in the tenant.
            r"5\.4\.1 (?:\[[^\]]*\]:? )?recipient address rejected: access denied",
            r"mailbox not found",
            r"no such mailbox",
            r"user not found",
            r"unknown recipient",
            r"recipient unknown",
            r"no mailbox here by that name",
            r"address not found",
            r"(?:could ?n[o']t|cannot|can't) be found",
            r"address (?:is )?unknown",
            r"unknown (?:e-?mail )?address",
            r"unknown mailbox",
            r"invalid (?:e-?mail )?address",
            r"not a valid (?:user|recipient|mailbox)",
            r"is not a known user",
            r"no such (?:recipient|person|address)",
            r"no account by that name",
            r"invalid final delivery userid",
            r"not our customer",
            r"recipient (?:address )?rejected: (?:invalid user|unknown)",
            r"no mailbox (?:by that name|found|available)",
            r"(?:recipient|user|mailbox) no longer (?:on server|exists)",
            r"unknown or illegal alias",
            r"no longer valid",
            r"address invalid",
            r"not present in (?:the )?directory",
            r"can'?t accept user",
            r"addresses were unknown",
            r"rejected recipients",
            r"invalid mailbox",
            r"mailbox invalid",
            r"not an active address",
            r"mailbox not present",
            r"no mail ?box available",
            r"account unavailable",
            r"no valid recipients",
            r"not a local address",
            r"userunknown",
            r"recipient is not (?:accepted|local)",
            r"recipient not (?:exist|ok)",
            r"user not (?:exist|known|active)",
            r"recipient ?notfound",
            r"recip ?not ?found",
            r"envelope recipient (?:has been denied|is in my badrcptto)",
            r"email name is not found",
            r"no one at this address",
            r"badrecipientto",
            r"missing home directory",
            r"unknown virtual user",
            r"(?:user|recipient|address|mailbox|account)[^.;]{0,60} was not found in",
            r"(?:user|recipient|mailbox) \S+ (?:was )?not found",
            r"unknown local[- ]?part",
            r"non-?existent user",
            r"in name directory",
            r"unavailable or access denied",
            r"not in (?:the )?recipient list",
            r"not a valid rfc[- ]?5321 address",
            r"address is marked as invalid",
            r"not a valid (?:e-?mail )?address",
            r"bad address syntax",
            r"badrcptto",
            r"not in my validrcptto",
            r"has been replaced by",
            # Other languages, as the commonest providers write them.
            r"unbekannt",
            r"nicht gefunden",
            r"existiert nicht",
            r"gibt es nicht",
            r"utilisateur inconnu",
            r"destinataire inconnu",
            r"adresse introuvable",
            r"introuvable",
            r"n'existe pas",
            r"destinataire invalide",
            r"usuario desconocido",
            r"usuario no existe",
            r"no existe",
            r"dirección no encontrada",
            r"no se ha encontrado la dirección",
            r"no se ha podido encontrar",
            r"usuário desconhecido",
            r"utilizador desconhecido",
            r"não existe",
            r"endereço não encontrado",
            r"utente sconosciuto",
            r"nessun utente",
            r"non esiste",
            r"indirizzo non trovato",
            r"onbekende gebruiker",
            r"bestaat niet",
            r"adres niet gevonden",
            r"пользовател[ья] не (?:найден|существует)",
            r"нет такого пользователя",
            r"не существует",
            r"адрес не найден",
            r"存在しません",
            r"宛先不明",
            r"見つかりません",
            r"ユーザー?不明",
            r"用户不存在",
            r"收件人不存在",
            r"地址不存在",
            r"找不到",
            r"不存在",
        ),
    ),
    WordRule(
        Reason.MAILBOX_DISABLED,
        _words(
            r"disabled",
            r"inactive",
            r"suspended",
            r"deactivated",
            r"no longer active",
            r"mailbox is frozen",
            r"account is (?:locked|frozen|blocked)",
            r"account (?:has been )?locked",
            r"temporar(?:il)?y locked",
            r"recipient account (?:is ?)?blocked",
            r"account isblocked",
            r"archived recipient",
            r"user is terminated",
            r"discontinued",
            r"expired account",
            r"account (?:has been )?closed",
            r"no longer accepts mail",
            r"recipient suspend",
            r"mailbox (?:is |has been )?blocked",
            r"due to inactivity",
            r"account (?:has )?expired",
            r"deaktiviert",
            r"gesperrt",
            r"désactivé",
            r"boite du destinataire archivee",
            r"compte du destinataire est bloque",
            r"desactivad",
            r"deshabilitad",
            r"desativad",
            r"disattivat",
            r"disabilitat",
            r"gedeactiveerd",
            r"заблокирован",
            r"отключен",
            r"停用",
            r"冻结",
            r"凍結",
        ),
    ),
    WordRule(
        Reason.MAILBOX_FULL,
        _words(
            r"mailbox (?:is )?full",
            r"inbox (?:is )?full",
            r"quota",
            r"out of storage",
            r"over ?quota",
            r"mail ?folder is full",
            r"exceeded the local limit",
            r"exhausted (?:the )?(?:allowed )?storage",
            r"speichervolumen",
            r"too many messages on the server",
            r"zu ?viele mails",
            r"mailbox exceeds allowed size",
            r"account is (?:temporarily )?over quota",
            r"full mailbox",
            r"mailbox (?:size )?(?:limit )?exceeded",
            r"mailbox exceeds",
            r"mailbox has exceeded",
            r"exceeded storage allocation",
            r"would exceed (?:the )?maximum allowed storage",
            r"space has been used up",
            r"too much mail data",
            r"insufficient (?:mailbox )?space",
            r"not enough (?:storage|space)",
            r"postfach (?:ist )?voll",
            r"speicherplatz",
            r"boite (?:du destinataire )?pleine",
            r"boîte (?:aux lettres |du destinataire )?pleine",
            r"buzón (?:está )?lleno",
            r"caixa (?:postal |de correio )?(?:está )?cheia",
            r"casella (?:di posta )?piena",
            r"mailbox is vol",
            r"postvak (?:is )?vol",
            r"ящик переполнен",
            r"переполнен",
            r"容量",
            r"邮箱已满",
            r"空间不足",
        ),
    ),
    WordRule(
        Reason.MESSAGE_TOO_LARGE,
        _words(
            r"too large",
            r"too big",
            r"message (?:is )?too long",
            r"size exceeds",
            r"message size",
            r"exceeds (?:the )?(?:maximum )?(?:allowed )?(?:message )?size",
            r"maximum (?:email |message )?size exceeded",
            r"exceeded (?:the )?mail ?size limit",
            r"taille limite du message",
            r"trop volumineux",
            r"demasiado grande",
            r"zu groß",
            r"слишком большое",
        ),
    ),
)

QUARANTINE_WORDS = _words(r"quarantin")

#: Step 11 (after the security-gateway check).
POLICY_RULE = WordRule(
    Reason.POLICY_BLOCKED,
    _words(
        r"access denied",
        r"not authori[sz]ed",
        r"not authenticated",
        r"unauthenticated senders",
        r"authentication (?:is )?required",
        r"not allowed to this address",
        r"block permanently",
        r"authenticated senders",
        r"authrequired",
        r"\brelay",
        r"sender denied",
        r"transport rule",
        r"restricted",
        r"policy",
        r"policies",
        r"\bptr\b",
        r"rejected by recipient",
        r"not accepted for policy reasons",
        r"administrative prohibition",
        r"prohibited",
        r"not in (?:the |my )?(?:whitelist|allowlist)",
        r"\bbatv\b",
        r"spoof",
        r"backscatter",
        r"list of senders to accept mail from",
        r"bouncedeny",
        r"valid-address-filter",
        r"senderfilterconfig",
        r"envelope blocked",
        r"third-party dsns",
        r"fully qualified (?:e-?mail )?address required",
        r"registered gateway user",
        r"address is not verified",
        r"returned mail not accepted",
        r"rule imposed",
        r"empty email address",
        r"does not accept mail from",
        r"access to submit messages",
        r"not accepting (?:any )?mail",
        r"header(?:s)? (?:are not accepted|error)",
        r"organi[sz]ational settings",
        r"protocol violation",
        r"mass mailer",
        r"not a gateway",
        r"don'?t handle mail for",
        r"account is protected by",
        r"user rules",
        r"refuses? to receive",
        r"only accepting mail from",
        r"recipient preferences",
        r"user reject",
        r"blocked by the recipient",
        r"authentication turned on",
        r"message filtered",
        r"\bblocked\b",
        r"go away",
        r"cannot deliver mail for",
    ),
    POLICY_CODES,
)

#: Mail-security products, recognised by name or marker as whole tokens, in the reply or
#: the reporting/remote MTA host.
SECURITY_PRODUCTS: tuple[tuple[str, Phrases], ...] = (
    ("Mimecast", _words(r"\bmimecast\b")),
    ("Proofpoint", _words(r"\bproofpoint\b", r"\bpphosted\b", r"\bppops\b")),
    (
        "Barracuda",
        _words(
            r"\bbarracuda\b", r"\bbarracudanetworks\b", r"\bbarracudacentral\b", r"\bcuda_nsu\b"
        ),
    ),
    ("Cisco", _words(r"\bironport\b", r"\biphmx\b", r"\bcisco\b")),
    ("Sophos", _words(r"\bsophos\b", r"\bxgemail\b", r"\bhydra\.sophos\b")),
    ("Trend Micro", _words(r"\btrend ?micro\b", r"\btrendmicro\b", r"\bers-")),
    (
        "Symantec",
        _words(
            r"\bsymantec\b",
            r"\bmessagelabs\b",
            r"\bsymanteccloud\b",
            r"knowledge\.broadcom\.com",
        ),
    ),
    ("Forcepoint", _words(r"\bforcepoint\b", r"\bmailcontrol\b")),
    ("Hornetsecurity", _words(r"\bhornetsecurity\b")),
)

#: Blocklists and reputation services: named before the mailbox provider that quoted them.
BLOCKLIST_PROVIDERS: tuple[tuple[str, Phrases], ...] = (
    ("Spamhaus", _words(r"spamhaus")),
    ("SpamCop", _words(r"spamcop")),
    ("SORBS", _words(r"\bsorbs\b")),
    ("Cloudmark", _words(r"cloudmark")),
)

MAILBOX_PROVIDERS: tuple[tuple[str, Phrases], ...] = (
    ("Gmail", _words(r"\bgsmtp\b", r"support\.google\.com", r"\bgoogle\.com\b", r"\bgmail\b")),
    (
        "Microsoft",
        _words(
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
        _words(
            r"\byahoo",
            r"yahoodns\.net",
            r"postmaster\.yahooinc\.com",
            r"\[(?:tss|ph|bl)\d\d\]",
            r"\baol\.com\b",
        ),
    ),
    ("Apple", _words(r"\bicloud\b", r"support\.apple\.com", r"\[cs\d\d\]", r"\bapple\b")),
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
