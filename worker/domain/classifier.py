"""Classifier: what one event means for each of its recipients (outcomes.md, "How one
event is classified"), plus what support needs to explain it: the enhanced status code,
the provider or security product that answered, and the help link in the reply.

The bounce procedure follows the contract's steps in order; the words themselves live in
:mod:`worker.domain.diagnostic_rules` as data.
"""

from __future__ import annotations

import re
from functools import lru_cache

from msgspec import Struct

from worker.domain.classify_providers import (
    MAX_DIAGNOSTIC_CHARS,
    PROVIDER_INDEX,
    SECURITY_INDEX,
    SECURITY_NEEDLES,
    provider_in,
    provider_of,
)
from worker.domain.diagnostic_rules import (
    CONTENT_REJECTED_CANDIDATES,
    DECISIVE_PHRASES,
    FALLBACK_REASONS,
    MASKED_PHRASES,
    POLICY_CODE_CLASS,
    RECIPIENT_REASONS,
    SECURITY_PRODUCTS,
    SENDER_CODES,
    SENDER_PHRASES,
    STATUS_CODE_REASONS,
    SUBTYPE_REASONS,
    Party,
)
from worker.domain.events import EventType, FeedbackEvent, RecipientFeedback
from worker.domain.outcomes import STATUS_OF_REASON, Reason, Status
from worker.domain.phrases import ALL_NEEDLES, NeedleIndex, WordRule
from worker.domain.provider_codes import CODE_NEEDLES, ProviderCode, provider_code_in
from worker.domain.word_rules import POLICY_RULE, QUARANTINE_WORDS, WORD_RULES

__all__ = [
    "MAX_DIAGNOSTIC_CHARS",
    "Party",
    "RecipientOutcome",
    "ServerReply",
    "Verdict",
    "classify_bounce_entry",
    "classify_event",
    "help_url_of",
    "party_of",
    "provider_of",
    "read_reply",
    "status_code_of",
]


class Verdict(Struct, frozen=True, gc=False):
    """A decided outcome for one recipient, with what support needs to explain it.

    A frozen msgspec ``Struct`` (not a dataclass): built per recipient on the ingest hot
    path, it costs a fifth of a frozen dataclass and is never tracked by the garbage
    collector (it holds only text and enums)."""

    status: Status
    reason: Reason
    smtp_status: str | None = None
    provider: str | None = None
    help_url: str | None = None
    #: Whose problem the reply describes (recipient, their domain, our sender, the
    #: content, the path); None when nothing says (outcomes.md, "whose problem").
    party: Party | None = None


class RecipientOutcome(Struct, frozen=True, gc=False):
    """One (event, recipient) pair: the ledger row to be. ``verdict`` is None when the
    event decides nothing for this recipient (open, click, auto-reply, not-spam...)."""

    identity: str
    address: str
    original: str
    event_type: EventType
    occurred_at: str
    verdict: Verdict | None
    diagnostic: str | None


# --- reading a server reply ------------------------------------------------------------

# A pattern that starts with a character class lets the regex engine skip the positions
# that cannot start a match; so each look-behind comes after the first character it
# precedes ("[245](?<![\d.][245])" is "(?<![\d.])[245]").
_ENHANCED_CODE = re.compile(r"([245](?<![\d.][245])\.\d{1,3}\.\d{1,3})(?!\.?\d)")
_LEADING_REPLY_CODE = re.compile(r"^\s*#?([245]\d\d)(?![\d.])")
_ANY_REPLY_CODE = re.compile(r"([245](?<![\d.#][245])\d\d)(?=[\s-])")
_DIAGNOSTIC_TYPE = re.compile(r"^\s*(?:smtp|x-postfix|x-unix|x-local)\s*;\s*", re.IGNORECASE)
# Continuation markers of multi-line replies ("550-5.1.1 ") split phrases in two.
_CONTINUATION = re.compile(r"[245](?<=\s[245])\d\d[ -][245]\.\d{1,3}\.\d{1,3}\s+")
_EXPIRED = re.compile(r"message expired|unable to deliver in \d+ minutes", re.IGNORECASE)
_QUOTED_REPLY = re.compile(r"<(?=\s*[245]\d\d[\s-])")
# A link ends at whitespace, quotes, brackets or any control character (an ESC or NUL in
# a reply must not become part of the help link support is shown).
_URL = re.compile(r"https?://[^\s<>\"'\]\[\x00-\x1f\x7f]+", re.IGNORECASE)

_URL_TRAILING = ".,;:)!?'\""


#: Every needle a reply is tested for (rule words, product markers, provider codes).
_REPLY_NEEDLES = NeedleIndex(ALL_NEEDLES | CODE_NEEDLES)


class ServerReply(Struct, frozen=True, gc=False):
    """A receiving server's reply, ready for matching (a frozen msgspec ``Struct``: built
    for every bounce whose reply is new, it costs far less than a frozen dataclass).

    ``text`` is the reply that decides (for an SES expiry bounce, the last remote reply
    it quotes); ``words`` is the same text with continuation markers removed and
    whitespace collapsed; ``codes`` are the enhanced status codes in it, in order.
    """

    text: str
    words: str
    lowered: str
    codes: tuple[str, ...]
    reply_code: str | None
    expired: bool
    #: The literal needles of every rule that occur in ``lowered``: found in one pass, so
    #: each phrase list only tests its own needles that are really there.
    present: frozenset[str] = frozenset()


def read_reply(diagnostic: str | None, *, scan: bool = True) -> ServerReply:
    """Normalise a Diagnostic-Code / smtpResponse for matching (reference, section 7).

    ``scan=False`` skips finding the rule needles (``present`` stays empty): for a bounce
    whose subtype decides, only the status codes are needed."""
    if not diagnostic:
        return ServerReply("", "", "", (), None, expired=False)
    text = (
        diagnostic[:MAX_DIAGNOSTIC_CHARS]
        .replace("<CRLF>", " ")
        .replace("\r", " ")
        .replace("\n", " ")
    )
    text = _DIAGNOSTIC_TYPE.sub("", text)
    # The expiry regex only where its words can be (a C-level test spares most replies).
    low = text.lower()
    expired = ("expired" in low or "unable to deliver" in low) and bool(_EXPIRED.search(text))
    if expired:
        quotes = list(_QUOTED_REPLY.finditer(text))
        if quotes:
            inner = text[quotes[-1].end() :].strip()
            text = inner[:-1] if inner.endswith(">") else inner
    # str.split() splits on exactly the characters \s matches, in C.
    words = " ".join(_CONTINUATION.sub(" ", text).split())
    lowered = words.lower()
    for needle, pattern in MASKED_PHRASES.items:
        if needle in lowered:
            words = pattern.sub(" ", words)
            lowered = words.lower()
    codes = tuple(_ENHANCED_CODE.findall(text))
    leading = _LEADING_REPLY_CODE.match(text) or _ANY_REPLY_CODE.search(text)
    return ServerReply(
        text,
        words,
        lowered,
        codes,
        leading.group(1) if leading else None,
        expired,
        _REPLY_NEEDLES.present(lowered) if scan else frozenset(),
    )


def status_code_of(status: str | None) -> str | None:
    """The enhanced code in a DSN ``status`` field (``5.1.1``), if any."""
    if not status:
        return None
    found = _ENHANCED_CODE.search(status)
    return found.group(1) if found else None


def help_url_of(text: str | None) -> str | None:
    """The first http(s) link in a reply: the seeds tell support to follow it."""
    if not text or "://" not in text:
        return None  # every link has "://": a C-level test spares most replies the regex
    found = _URL.search(text[:MAX_DIAGNOSTIC_CHARS])
    if not found:
        return None
    return found.group(0).rstrip(_URL_TRAILING) or None


def _reply_provider(
    reply: ServerReply, diagnostic: str | None, hosts: tuple[str | None, ...]
) -> str | None:
    """:func:`provider_of` for a bounce, reusing the needles already found in the reply.
    An expiry bounce's earlier quoted replies are not in ``reply.words``: read them all."""
    if reply.expired:
        return provider_of(diagnostic, *hosts)
    host_text = " ".join(host for host in hosts if host)
    present = reply.present
    if host_text:
        present = present | _host_needles(host_text)[0]
    return provider_in(f"{reply.words} {host_text}", present)


@lru_cache(maxsize=1 << 10)
def _host_needles(host_text: str) -> tuple[frozenset[str], frozenset[str]]:
    """The provider and the security-product needles in the reporting/remote MTA hosts
    (the same few hosts report most bounces)."""
    lowered = host_text.lower()
    return PROVIDER_INDEX.present(lowered), SECURITY_INDEX.present(lowered)


def _security_product(reply: ServerReply, hosts: tuple[str | None, ...]) -> str | None:
    """A mail-security product named in the reply or in the reporting/remote MTA host."""
    host_text = " ".join(host for host in hosts if host)
    host_present = _host_needles(host_text)[1] if host_text else frozenset()
    if not host_present and reply.present.isdisjoint(SECURITY_NEEDLES):
        return None
    for name, markers in SECURITY_PRODUCTS:
        if markers.search(reply.words, present=reply.present) or markers.search(
            host_text, present=host_present
        ):
            return name
    return None


# --- the bounce procedure --------------------------------------------------------------


def _rule_matches(rule: WordRule, reply: ServerReply) -> bool:
    if rule.phrases is not None and rule.phrases.search(reply.words, present=reply.present):
        return True
    if rule.codes and any(code in rule.codes for code in reply.codes):
        return True
    if rule.together is not None:
        first, second = rule.together
        return first.search(reply.words, present=reply.present) and second.search(
            reply.words, reply.lowered
        )
    return False


def _is_permanent_refusal(reply: ServerReply, status_code: str | None, bounce_type: str) -> bool:
    if reply.reply_code is not None:
        return reply.reply_code.startswith("5")
    if reply.codes:
        return reply.codes[0].startswith("5")
    if status_code is not None and not reply.expired:
        return status_code.startswith("5")
    return bounce_type == "permanent"


def _is_security_gateway(
    reply: ServerReply, hosts: tuple[str | None, ...], status_code: str | None, bounce_type: str
) -> bool:
    if QUARANTINE_WORDS.search(reply.words, present=reply.present):
        return True
    # A 4xx deferral that merely outlasted SES's retries is not a verdict.
    return _security_product(reply, hosts) is not None and _is_permanent_refusal(
        reply, status_code, bounce_type
    )


def _reason_from_words(
    reply: ServerReply,
    hosts: tuple[str | None, ...],
    status_code: str | None,
    bounce_type: str,
    *,
    candidates: tuple[Reason, ...] | None = None,
    skip: frozenset[Reason] = frozenset(),
) -> Reason | None:
    for rule in WORD_RULES:
        if candidates is not None and rule.reason not in candidates:
            continue
        if rule.reason in skip:
            continue
        if _rule_matches(rule, reply):
            return rule.reason
    gateway_allowed = candidates is None or Reason.SECURITY_GATEWAY in candidates
    if (
        gateway_allowed
        and Reason.SECURITY_GATEWAY not in skip
        and _is_security_gateway(reply, hosts, status_code, bounce_type)
    ):
        return Reason.SECURITY_GATEWAY
    if candidates is None and _rule_matches(POLICY_RULE, reply):
        return Reason.POLICY_BLOCKED
    return None


def _reason_from_code(reply: ServerReply, status_code: str | None) -> Reason | None:
    if reply.reply_code == "556":
        return Reason.DOMAIN_NOT_FOUND  # RFC 7505: the domain does not accept mail (null MX)
    for code in (*reply.codes, status_code):
        if code is None:
            continue
        reason = STATUS_CODE_REASONS.get(code)
        if reason is None and code.startswith(POLICY_CODE_CLASS):
            reason = Reason.POLICY_BLOCKED
        if reason is not None:
            return reason
    return None


def _about_sender(reply: ServerReply, status_code: str | None) -> bool:
    """Whether the reply's subject is our sender (address, domain, host, IP) or who may
    post to a list, rather than the recipient (step 4, "whose problem")."""
    if any(code in SENDER_CODES for code in reply.codes):
        return True
    if status_code in SENDER_CODES and not reply.codes:
        return True
    return SENDER_PHRASES.search(reply.words, present=reply.present)


_DECISIVE_NEEDLES = frozenset(
    needle for _, _, phrases in DECISIVE_PHRASES for needle in phrases.needles
)


def _decisive(reply: ServerReply) -> tuple[Reason | None, Party] | None:
    if _DECISIVE_NEEDLES.isdisjoint(reply.present):
        return None
    for reason, party, phrases in DECISIVE_PHRASES:
        if phrases.search(reply.words, present=reply.present):
            return reason, party
    return None


#: Whose problem each reason describes when nothing more specific is known.
_PARTY_OF_REASON: dict[Reason, Party] = {
    Reason.MAILBOX_NOT_FOUND: Party.RECIPIENT,
    Reason.MAILBOX_DISABLED: Party.RECIPIENT,
    Reason.MAILBOX_FULL: Party.RECIPIENT,
    Reason.DOMAIN_NOT_FOUND: Party.RECIPIENT_DOMAIN,
    Reason.AUTH_FAILED: Party.SENDER,
    Reason.SENDER_BLOCKLISTED: Party.SENDER,
    Reason.SPAM_FILTERED: Party.CONTENT,
    Reason.ATTACHMENT_REJECTED: Party.CONTENT,
    Reason.MESSAGE_TOO_LARGE: Party.CONTENT,
    Reason.SECURITY_GATEWAY: Party.RECIPIENT_DOMAIN,
    Reason.POLICY_BLOCKED: Party.RECIPIENT_DOMAIN,
    Reason.SOFT_BOUNCE: Party.PATH,
}


#: Not candidates when the reply is about our sender: the recipient-side reasons, and a
#: spam verdict ("to protect our users from spam, your IP ..." is the receiver's motive
#: for refusing our host, not a verdict on this message's content), and the generic
#: security-gateway verdict (a refusal of our sender is the more specific one).
_NOT_ABOUT_SENDER = RECIPIENT_REASONS | {Reason.SPAM_FILTERED, Reason.SECURITY_GATEWAY}


def _general_reason(
    reply: ServerReply, hosts: tuple[str | None, ...], status_code: str | None, kind: str
) -> tuple[Reason, Party | None, ProviderCode | None]:
    """Step 4 onwards for a General/Undetermined/other subtype: provider codes, decisive
    phrases, whose problem, the ordered words, the status code, the bounce type."""
    code = provider_code_in(reply.words, reply.lowered, reply.present)
    if code is not None:
        return code.reason, code.party, code
    decisive = _decisive(reply)
    if decisive is not None:
        reason = decisive[0] or _fallback(reply, status_code, kind)
        return reason, decisive[1], None
    if _about_sender(reply, status_code):
        # The recipient's address, mailbox and domain are not in question: only the
        # quarantined reasons remain, and without more specific words it is policy.
        reason = (
            _reason_from_words(reply, hosts, status_code, kind, skip=_NOT_ABOUT_SENDER)
            or Reason.POLICY_BLOCKED
        )
        if reason in (Reason.POLICY_BLOCKED, Reason.SECURITY_GATEWAY):
            return reason, Party.SENDER, None
        return reason, _PARTY_OF_REASON.get(reason), None
    reason = (
        _reason_from_words(reply, hosts, status_code, kind)
        or _reason_from_code(reply, status_code)
        or _fallback(reply, status_code, kind)
    )
    return reason, _PARTY_OF_REASON.get(reason), None


def _fallback(reply: ServerReply, status_code: str | None, kind: str) -> Reason:
    """Step 6. An Undetermined bounce whose reply or status still says permanent (5xx,
    5.x.x) or temporary (4xx, 4.x.x) is a hard or soft bounce: that much SES left open."""
    if kind != "undetermined":
        return FALLBACK_REASONS.get(kind, Reason.UNDETERMINED)
    first = reply.reply_code or (reply.codes[0] if reply.codes else None) or status_code
    if first is not None and not reply.expired:
        if first.startswith("5"):
            return Reason.HARD_BOUNCE
        if first.startswith("4"):
            return Reason.SOFT_BOUNCE
    return Reason.UNDETERMINED


#: Reasons a reply about our sender can end in (step 4d): their party is then ours.
_SENDER_SIDE_REASONS = frozenset(
    {
        Reason.POLICY_BLOCKED,
        Reason.SECURITY_GATEWAY,
        Reason.AUTH_FAILED,
        Reason.SENDER_BLOCKLISTED,
    }
)


def party_of(
    diagnostic: str | None, status: str | None = None, reason: Reason | None = None
) -> Party | None:
    """Whose problem a stored reply describes, for explanations read back from the log
    (the same procedure as :func:`classify_bounce_entry`, without the bounce type)."""
    reply = read_reply(diagnostic)
    status_code = status_code_of(status)
    if reply.words or status_code:
        code = provider_code_in(reply.words, reply.lowered, reply.present)
        if code is not None:
            return code.party
        decisive = _decisive(reply)
        if decisive is not None:
            return decisive[1]
        if _about_sender(reply, status_code) and (
            reason is None or reason not in _PARTY_OF_REASON or reason in _SENDER_SIDE_REASONS
        ):
            return Party.SENDER
    return _PARTY_OF_REASON.get(reason) if reason is not None else None


def classify_bounce_entry(
    *,
    bounce_type: str | None,
    bounce_subtype: str | None,
    action: str | None,
    status: str | None,
    diagnostic: str | None,
    reporting_mta: str | None = None,
    remote_mta: str | None = None,
) -> Verdict | None:
    """Classify one ``bouncedRecipients`` entry; None when it changes nothing (steps 1-2)."""
    if action is not None and action.strip().lower() != "failed":
        return None
    kind = (bounce_type or "").strip().lower()
    subtype = (bounce_subtype or "").replace(" ", "").strip().lower()
    if kind == "transient" and subtype == "general" and not status and not diagnostic:
        return None  # an automatic reply (out-of-office), not a failure

    # NoEmail is SES's reading of a 5.1.x status, made without the words: the reply is
    # still scanned, since a refusal of our sender (step 4d) overrides it.
    decided_by_subtype = "suppress" in subtype or (
        subtype in SUBTYPE_REASONS and subtype != "noemail"
    )
    reply = read_reply(diagnostic, scan=not decided_by_subtype)
    status_code = status_code_of(status)
    hosts = (reporting_mta, remote_mta)

    reason: Reason
    party: Party | None
    code: ProviderCode | None = None
    if "suppress" in subtype:
        # SES did not contact any server, whatever the 5.1.1 status says.
        reason, party = Reason.SUPPRESSED, None
    elif subtype == "noemail" and _about_sender(reply, status_code):
        reason, party, code = _general_reason(reply, hosts, status_code, kind)
    elif subtype in SUBTYPE_REASONS:
        reason = SUBTYPE_REASONS[subtype]
        party = _PARTY_OF_REASON.get(reason)
    elif subtype == "contentrejected":
        reason = (
            _reason_from_words(
                reply, hosts, status_code, kind, candidates=CONTENT_REJECTED_CANDIDATES
            )
            or Reason.SPAM_FILTERED
        )
        party = _PARTY_OF_REASON.get(reason)
    else:
        reason, party, code = _general_reason(reply, hosts, status_code, kind)
    help_url = help_url_of(diagnostic)
    if help_url is None and code is not None:
        help_url = code.doc_url
    provider = (
        _reply_provider(reply, diagnostic, hosts)
        if reply.present
        else provider_of(diagnostic, reporting_mta, remote_mta)
    )
    if provider is None and code is not None:
        provider = code.provider
    return Verdict(
        status=STATUS_OF_REASON[reason],
        reason=reason,
        smtp_status=reply.codes[0] if reply.codes else status_code,
        provider=provider,
        help_url=help_url,
        party=party,
    )


# --- every event type ------------------------------------------------------------------

_SENT = Verdict(Status.SENT, Reason.AWAITING_FEEDBACK)
_REJECTED = Verdict(Status.BOUNCED, Reason.REJECTED)
_RENDERING_FAILED = Verdict(Status.BOUNCED, Reason.RENDERING_FAILURE)
_SUPPRESSED = Verdict(Status.BOUNCED, Reason.SUPPRESSED)

#: Replies repeat (a provider's stock deferral, an MTA's fixed acceptance line): verdicts
#: that depend only on the reply's text are cached on it. Only short texts are, so a
#: stream of huge replies cannot grow the cache's memory.
_CACHED_REPLY_MAX = 1024


def _reply_verdict(reason: Reason, text: str | None, status: str | None = None) -> Verdict:
    # Nothing is decided from the words here: only the code, the provider and the link.
    if text and len(text) <= _CACHED_REPLY_MAX:
        return _cached_reply_verdict(reason, text, status)
    return _uncached_reply_verdict(reason, text, status)


def _uncached_reply_verdict(reason: Reason, text: str | None, status: str | None) -> Verdict:
    code = _ENHANCED_CODE.search(text) if text else None
    return Verdict(
        status=STATUS_OF_REASON[reason],
        reason=reason,
        smtp_status=code.group(1) if code else status_code_of(status),
        provider=provider_of(text),
        help_url=help_url_of(text),
    )


_cached_reply_verdict = lru_cache(maxsize=1 << 12)(_uncached_reply_verdict)


def _positional_bounce_entry(
    bounce_type: str | None,
    bounce_subtype: str | None,
    action: str | None,
    status: str | None,
    diagnostic: str | None,
    reporting_mta: str | None,
    remote_mta: str | None,
) -> Verdict | None:
    return classify_bounce_entry(
        bounce_type=bounce_type,
        bounce_subtype=bounce_subtype,
        action=action,
        status=status,
        diagnostic=diagnostic,
        reporting_mta=reporting_mta,
        remote_mta=remote_mta,
    )


#: Cached on positional arguments: the cache's key is then a plain tuple of them.
_cached_bounce_entry = lru_cache(maxsize=1 << 12)(_positional_bounce_entry)


@lru_cache(maxsize=1 << 12)
def _accepted_verdict(text: str) -> Verdict:
    """:func:`_reply_verdict` of a Delivery's reply (cached on the text alone)."""
    return _uncached_reply_verdict(Reason.ACCEPTED, text, None)


def _delivery_verdict(event: FeedbackEvent) -> Verdict:
    text = event.smtp_response
    if text and len(text) <= _CACHED_REPLY_MAX:
        return _accepted_verdict(text)
    return _uncached_reply_verdict(Reason.ACCEPTED, text, None)


def _complaint_verdict(event: FeedbackEvent) -> Verdict | None:
    subtype = (event.complaint_subtype or "").lower()
    if "suppression" in subtype:
        return _SUPPRESSED
    if (event.complaint_feedback_type or "").strip().lower() == "not-spam":
        return None  # a correction: an earlier complaint still stands
    return Verdict(Status.QUARANTINED, Reason.COMPLAINT, provider=provider_of(event.detail))


def _bounce_verdict(event: FeedbackEvent, recipient: RecipientFeedback) -> Verdict | None:
    """:func:`classify_bounce_entry` for one entry, cached on its inputs (a provider's
    stock refusal repeats word for word) when its reply is short."""
    diagnostic = recipient.diagnostic
    classify = (
        _cached_bounce_entry
        if diagnostic is None or len(diagnostic) <= _CACHED_REPLY_MAX
        else _positional_bounce_entry
    )
    return classify(
        event.bounce_type,
        event.bounce_subtype,
        recipient.action,
        recipient.status,
        diagnostic,
        event.reporting_mta,
        event.remote_mta_ip,
    )


#: The verdict of the event types that decide the same for every recipient whatever the
#: event holds (Open, Click and Subscription decide nothing: timeline only).
_CONSTANT_VERDICTS: dict[EventType, Verdict | None] = {
    EventType.SEND: _SENT,
    EventType.REJECT: _REJECTED,
    EventType.RENDERING_FAILURE: _RENDERING_FAILED,
    EventType.OPEN: None,
    EventType.CLICK: None,
    EventType.SUBSCRIPTION: None,
}


def _delay_verdict(event: FeedbackEvent, recipient: RecipientFeedback) -> Verdict:
    return _reply_verdict(Reason.DELIVERY_DELAYED, recipient.diagnostic, recipient.status)


def classify_event(event: FeedbackEvent) -> tuple[RecipientOutcome, ...]:
    """One outcome per recipient the event names, in the event's order."""
    kind = event.event_type
    occurred_at = event.occurred_at_text
    recipients = event.recipients
    decide = None
    verdict: Verdict | None = None
    diagnostic = None
    if kind is EventType.BOUNCE:
        decide = _bounce_verdict  # each recipient entry has its own reply
    elif kind is EventType.DELIVERY_DELAY:
        decide = _delay_verdict
    else:
        # The other types decide the same for every recipient: computed once per event.
        if kind is EventType.DELIVERY:
            verdict = _delivery_verdict(event)
            diagnostic = event.smtp_response
        else:
            verdict = (
                _complaint_verdict(event)
                if kind is EventType.COMPLAINT
                else _CONSTANT_VERDICTS.get(kind)
            )
            diagnostic = event.detail
        if len(recipients) == 1:  # the usual event: no list to build
            one = recipients[0]
            return (
                RecipientOutcome(
                    one.identity, one.address, one.original, kind, occurred_at, verdict, diagnostic
                ),
            )
    return tuple(
        [
            RecipientOutcome(
                recipient.identity,
                recipient.address,
                recipient.original,
                kind,
                occurred_at,
                verdict if decide is None else decide(event, recipient),
                diagnostic if decide is None else recipient.diagnostic,
            )
            for recipient in recipients
        ]
    )
