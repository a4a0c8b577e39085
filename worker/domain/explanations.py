"""What support is told: for every reason, a one-line explanation and a short list of next
steps, in plain words an agent can pass on (outcomes.md, "What support is told").

The texts are one table, an entry per reason (``ADVICE``, :mod:`worker.domain.advice`);
who runs the mailbox is :mod:`worker.domain.mailboxes`; this module puts them together.
Advice depends on *whose* problem the reply describes (the classifier's ``party``): when
the receiver refused our sender (our sending address or domain, our server's reverse DNS,
our IP's reputation, our authentication), ``OUR_SIDE_ADVICE`` says so and does not send
the person to their IT team for something only we can fix. Advice may also depend on who
answered: a company mail system has an IT team to ask (quarantine logs, transport rules,
allowlisting); a consumer mailbox (Gmail, Yahoo, Outlook.com, iCloud...) does not, so the
person checks Spam or Junk and adds the sender to contacts or safe senders.

Pure: no I/O, no clock. Times are passed in as text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from worker.domain.advice import ADVICE, COMPANY_JUNK, CONSUMER_SPAM, LINK, OUR_SIDE_ADVICE, Advice
from worker.domain.mailboxes import CONSUMER_DOMAINS, MailboxKind, gateway_name, mailbox_kind
from worker.domain.outcomes import STATUS_OF_REASON, Reason, Status

__all__ = [
    "ADVICE",
    "CONSUMER_DOMAINS",
    "NEVER_SENT",
    "OUR_SIDE_ADVICE",
    "Advice",
    "Explanation",
    "MailboxKind",
    "explain",
    "mailbox_kind",
    "never_sent",
    "sent_no_feedback_yet",
]

#: ``party`` values (worker.domain.diagnostic_rules.Party) that put the problem on our side.
_OUR_SIDE_PARTIES = frozenset({"sender"})


@dataclass(frozen=True, slots=True)
class Explanation:
    """What support reads out: one line of explanation and what to do next."""

    headline: str
    next_steps: tuple[str, ...]
    audience: MailboxKind

    def as_text(self) -> str:
        """Headline followed by the steps as a dash list, ready to paste."""
        return "\n".join([self.headline, *(f"- {step}" for step in self.next_steps)])


# --------------------------------------------------------------------------------------
# Putting it together
# --------------------------------------------------------------------------------------


def _format_time(occurred_at: str | None) -> str | None:
    """ISO-8601 text as "2025-03-04 10:15 UTC"; other non-empty text is used as given."""
    text = (occurred_at or "").strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _clean_url(help_url: str | None) -> str | None:
    url = (help_url or "").strip()
    if not url.lower().startswith(("https://", "http://")) or any(ch.isspace() for ch in url):
        return None
    return url


def explain(
    reason: Reason,
    *,
    recipient_domain: str | None = None,
    provider: str | None = None,
    occurred_at: str | None = None,
    help_url: str | None = None,
    party: str | None = None,
) -> Explanation:
    """The explanation support reads out for ``reason``.

    The steps are chosen by :func:`mailbox_kind`. ``occurred_at`` (ISO-8601 or display
    text) goes into the headline where it helps; ``help_url`` (only http/https, from the
    receiver's error text) adds the step "Follow the link in the error text: <url>".
    When a mail-security gateway answered, a step names it for the IT team. ``party`` is
    whose problem the reply describes (the classifier's ``Verdict.party``); ``"sender"``
    switches to :data:`OUR_SIDE_ADVICE` where the usual advice assumes their side.
    """
    reason = Reason(reason)
    our_side = (party or "").strip().lower() in _OUR_SIDE_PARTIES
    advice = OUR_SIDE_ADVICE.get(reason, ADVICE[reason]) if our_side else ADVICE[reason]
    kind = mailbox_kind(recipient_domain, provider)
    when = _format_time(occurred_at)
    if when is not None and advice.headline_at is not None:
        headline = advice.headline_at.replace("{time}", when)
    else:
        headline = advice.headline

    url = _clean_url(help_url)
    link_step = f"Follow the link in the error text: {url}" if url else advice.link_fallback
    steps: list[str] = []
    for step in advice.steps_for(kind):
        if step == LINK:
            if link_step is not None:
                steps.append(link_step)
        else:
            steps.append(step)
    if url and LINK not in advice.steps_for(kind):
        steps.append(f"Follow the link in the error text: {url}")

    gateway = gateway_name(provider)
    if gateway and STATUS_OF_REASON[reason] is Status.QUARANTINED and not our_side:
        steps.insert(
            1,
            f"The answer came from {gateway}, a mail security product their organisation "
            "uses: their IT team can look the message up there.",
        )
    return Explanation(headline=headline, next_steps=tuple(steps), audience=kind)


# --------------------------------------------------------------------------------------
# Lookups that are not a reason (support CLI and web page)
# --------------------------------------------------------------------------------------

_NEVER_SENT_HEADLINE = "We have no record of sending email to this address in the period searched."
_NEVER_SENT_STEPS = (
    "Check the address for typos and that it is the one on their account.",
    "Widen the period searched to cover when they expected the email.",
    "Check that the app really sent it: the action may not have sent an email, or it "
    "went to a different address.",
)


def never_sent(recipient_domain: str | None = None, provider: str | None = None) -> Explanation:
    """No notification to this address in the period searched."""
    return Explanation(
        headline=_NEVER_SENT_HEADLINE,
        next_steps=_NEVER_SENT_STEPS,
        audience=mailbox_kind(recipient_domain, provider),
    )


#: No record of sending. The steps are the same for both kinds; audience is the default.
NEVER_SENT: Explanation = never_sent()


def _ago(minutes: float) -> str:
    whole = int(max(minutes, 0.0))
    if whole < 1:
        return "less than a minute ago"
    if whole < 120:
        return "1 minute ago" if whole == 1 else f"{whole} minutes ago"
    return f"about {whole // 60} hours ago"


def sent_no_feedback_yet(
    minutes_ago: float | None = None,
    *,
    recipient_domain: str | None = None,
    provider: str | None = None,
) -> Explanation:
    """Sent, no answer yet: "Sent 12 minutes ago; no answer yet from their mail server".

    ``minutes_ago`` is computed by the caller from the send time and its own ``now``.
    """
    kind = mailbox_kind(recipient_domain, provider)
    if minutes_ago is None:
        return Explanation(
            headline=ADVICE[Reason.AWAITING_FEEDBACK].headline,
            next_steps=ADVICE[Reason.AWAITING_FEEDBACK].steps_for(kind),
            audience=kind,
        )
    headline = (
        f"Sent {_ago(minutes_ago)}; no answer yet from their mail server. "
        "This usually takes seconds."
    )
    if minutes_ago < 60:
        steps: tuple[str, ...] = ("Check again in a few minutes.",)
    else:
        steps = (
            "That is longer than usual: their server may be slow or asking us to try "
            "later (Amazon SES keeps retrying for up to 14 hours), or the answer was lost.",
            COMPANY_JUNK if kind is MailboxKind.COMPANY else CONSUMER_SPAM,
            "Check again later; if nothing changes within a day, send it again.",
        )
    return Explanation(headline=headline, next_steps=steps, audience=kind)
