"""The texts support is told, one entry per reason (``ADVICE``) and, where the reply
is about our sender, the our-side texts (``OUR_SIDE_ADVICE``). Plain words an agent can
pass on; :mod:`worker.domain.explanations` picks the entry and fills in the time and the
link. Importing this module fails while a reason has no advice."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from worker.domain.mailboxes import MailboxKind
from worker.domain.outcomes import Reason

#: Marks where "Follow the link in the error text: <url>" goes when there is a link.
LINK = "\x00link"


_ALLOWLIST = (
    "Ask their IT team to allowlist (mark as trusted) our sending domain (the part after "
    "the @ in our From address) and amazonses.com (Amazon's sending service, which sends "
    "our mail)."
)


_SAFE_SENDER = (
    "Ask them to add our From address to their contacts or safe senders, so future "
    "messages go to the inbox."
)


CONSUMER_SPAM = (
    "Ask them to check Spam or Junk (Gmail: Spam, and the Promotions and Updates tabs; "
    "Outlook.com and iCloud: Junk; Yahoo: Spam) and, if it is there, mark it as not spam."
)


_CONSUMER_SEARCH = (
    "Ask them to search All Mail (or every folder) for our From address or the subject."
)


COMPANY_JUNK = (
    "Ask them to check their Junk or Spam folder and any quarantine notice (an email "
    "listing messages their filter held back)."
)


_RULES = (
    "Ask them to check mailbox rules, filters and forwarding that might move, delete or "
    "redirect it."
)


_IT_LOGS = (
    "Ask their IT team to search their quarantine and mail filter logs for this message: "
    "give them the time and the message ID shown here."
)


_TYPO = (
    "Check the address for typos: a missing or swapped letter, an extra space, or a "
    "misspelled domain such as gmial.com or hotmial.com."
)


_OTHER_ADDRESS = "Ask the person for another address, or to confirm the right one, then send again."


_UPDATE_ADDRESS = (
    "Do not just resend to the same address: it will fail again and Amazon SES may stop "
    "sending to it. Correct the address in their account instead."
)


_OUR_SIDE = (
    "This is on our side, not theirs: tell the email/platform team, with the message ID "
    "and the error text."
)


_UNSUPPRESS = (
    "If so, lift the block with 'inboxgap recipient <address> --unsuppress', or remove it "
    "from the suppression list in the Amazon SES console, then send again."
)


@dataclass(frozen=True, slots=True)
class Advice:
    """The texts for one reason.

    Read it through :func:`explain`, which fills in the time and the link marker.
    ``headline_at`` contains ``{time}`` and is used when the time is known, ``headline``
    otherwise. ``company`` and ``consumer`` are the full step lists for each kind (they
    often share steps). ``link_fallback`` replaces the link marker when there is no link.
    """

    headline: str
    company: tuple[str, ...]
    consumer: tuple[str, ...]
    headline_at: str | None = None
    link_fallback: str | None = None

    def steps_for(self, kind: MailboxKind) -> tuple[str, ...]:
        return self.consumer if kind is MailboxKind.CONSUMER else self.company


_AWAITING_STEPS = (
    "Check again in a few minutes.",
    "If there is still no answer after an hour, their server may be slow or asking us to "
    "try later; Amazon SES keeps retrying for up to 14 hours.",
)


_REJECTED_STEPS = (
    _OUR_SIDE,
    "Once it is fixed, send it again; the person does not need to do anything.",
)


_RENDERING_STEPS = (
    _OUR_SIDE + " The error text names the missing field.",
    "Once it is fixed, send it again; the person does not need to do anything.",
)


_BLOCKLIST_COMPANY = (
    LINK,
    "This is on our side, not theirs: the block is against our sending server or domain, "
    "and their address is fine.",
    "Send it again later: these blocks are often lifted within hours.",
    "Only if it is urgent: " + _ALLOWLIST[0].lower() + _ALLOWLIST[1:],
    "If it keeps happening, tell the email/platform team: they can ask AWS about it or "
    "move our mail to a dedicated sending address (IP) that only we use.",
)


#: Every reason of the contract, with what support is told. Keep the words plain.
ADVICE: Mapping[Reason, Advice] = {
    Reason.AWAITING_FEEDBACK: Advice(
        headline=(
            "We handed it to Amazon SES (our sending service); their mail server has not "
            "answered yet. This usually takes seconds."
        ),
        headline_at=(
            "We handed it to Amazon SES (our sending service) at {time}; their mail server "
            "has not answered yet. This usually takes seconds."
        ),
        company=_AWAITING_STEPS,
        consumer=_AWAITING_STEPS,
    ),
    Reason.DELIVERY_DELAYED: Advice(
        headline=(
            "Not delivered yet: their mail server asked us to try again later. Amazon SES "
            "retries automatically for up to 14 hours."
        ),
        headline_at=(
            "Not delivered yet: their mail server asked us to try again later (last at "
            "{time}). Amazon SES retries automatically for up to 14 hours."
        ),
        company=(
            "Nothing to do yet: most delays clear by themselves within minutes or hours.",
            "If the error text mentions a full mailbox or quota, ask them to free space.",
            "If it is still delayed after a few hours, ask their IT team whether their mail "
            "server or filter is holding back mail from our sending domain or amazonses.com.",
        ),
        consumer=(
            "Nothing to do yet: most delays clear by themselves within minutes or hours.",
            "If the error text mentions a full mailbox or storage, ask them to free space.",
            "If it is still delayed after a few hours, ask whether they are receiving other "
            "mail, and for another address if it is urgent.",
        ),
    ),
    Reason.ACCEPTED: Advice(
        headline=(
            "Their mail server accepted it. From here, spam filters, quarantine, mailbox "
            "rules and forwarding are on their side."
        ),
        headline_at=(
            "Their mail server accepted it at {time}. From here, spam filters, quarantine, "
            "mailbox rules and forwarding are on their side."
        ),
        company=(COMPANY_JUNK, _RULES, _IT_LOGS, _ALLOWLIST),
        consumer=(CONSUMER_SPAM, _CONSUMER_SEARCH, _SAFE_SENDER, _RULES),
    ),
    Reason.MAILBOX_NOT_FOUND: Advice(
        headline=("Not delivered: their mail server says this address does not exist."),
        headline_at=(
            "Not delivered: at {time} their mail server said this address does not exist."
        ),
        company=(
            _TYPO,
            "If it is a shared or group address (such as billing@ or a distribution list), "
            "it may have no inbox of its own: ask for a personal address, or ask their IT "
            "team to let it receive outside mail.",
            _OTHER_ADDRESS,
            _UPDATE_ADDRESS,
        ),
        consumer=(
            _TYPO,
            "If they closed or stopped using this account, ask for the address they use now.",
            _OTHER_ADDRESS,
            _UPDATE_ADDRESS,
        ),
    ),
    Reason.DOMAIN_NOT_FOUND: Advice(
        headline=(
            "Not delivered: the part of the address after the @ does not exist or does not "
            "receive email."
        ),
        company=(
            "Check the spelling after the @ (for example gmail.con or acme.co instead of "
            "acme.com).",
            "If the domain is right, their IT team should check its mail (MX) records in "
            "DNS, the settings that tell the world where its mail goes; the domain may have "
            "expired or moved.",
            _OTHER_ADDRESS,
        ),
        consumer=(
            "Check the spelling after the @ (for example gmail.con or yaho.com).",
            "If it is an address from an old internet provider or a closed service, ask for "
            "the address they use now.",
            _OTHER_ADDRESS,
        ),
    ),
    Reason.MAILBOX_DISABLED: Advice(
        headline=(
            "Not delivered: the address exists, but the mailbox is disabled, inactive or "
            "suspended, so it does not take mail."
        ),
        company=(
            "If they still work there, ask their IT team to re-enable the mailbox, then "
            "send again.",
            "Otherwise ask for an address they use now.",
        ),
        consumer=(
            "Providers disable accounts that have not been used for a long time; signing in "
            "to the account may bring it back. Then send again.",
            "Otherwise ask for an address they use now.",
        ),
    ),
    Reason.MAILBOX_FULL: Advice(
        headline="Not delivered: their mailbox is full, so their mail server could not take it.",
        company=(
            "Ask them to delete old mail or large attachments and empty the trash, then "
            "send again.",
            "If they cannot free enough space, their IT team can raise the mailbox limit.",
        ),
        consumer=(
            "Ask them to delete old mail or large attachments and empty the trash, then "
            "send again.",
            "Gmail shares its space with Google Drive and Photos, iCloud Mail with iCloud "
            "storage: freeing space there helps too.",
            "If the mailbox has been full for a long time, they may no longer use it: ask "
            "for another address.",
        ),
    ),
    Reason.MESSAGE_TOO_LARGE: Advice(
        headline="Not delivered: the message was bigger than their mail server accepts.",
        company=(
            "Send it again without large attachments, or share the file as a download link.",
            "Their IT team may be able to raise the size limit for it.",
            "If this keeps happening with the same kind of email, tell the email/platform team.",
        ),
        consumer=(
            "Send it again without large attachments, or share the file as a download link.",
            "If this keeps happening with the same kind of email, tell the email/platform team.",
        ),
    ),
    Reason.SUPPRESSED: Advice(
        headline=(
            "Not sent: Amazon SES did not try, because the address is on a suppression list "
            "(a do-not-send list), after earlier mail to it bounced or was reported as spam."
        ),
        company=(
            "Confirm the address is spelled right and that the person wants our email.",
            _UNSUPPRESS,
            "If the error says Amazon SES suppressed it for a recent history of bouncing "
            "(the list shared by all SES senders), that clears by itself within 14 days.",
            "If the earlier failures came from their server or filter refusing us, ask their "
            "IT team to fix that first, or the address will be blocked again.",
        ),
        consumer=(
            "Confirm the address is spelled right and that the person wants our email.",
            _UNSUPPRESS,
            "If the error says Amazon SES suppressed it for a recent history of bouncing "
            "(the list shared by all SES senders), that clears by itself within 14 days.",
            "If the address really does not work any more, ask for a new one instead.",
        ),
    ),
    Reason.REJECTED: Advice(
        headline=(
            "Not sent: Amazon SES refused to send it, usually because it found a virus or "
            "other harmful content. Nothing reached their server."
        ),
        company=_REJECTED_STEPS,
        consumer=_REJECTED_STEPS,
    ),
    Reason.RENDERING_FAILURE: Advice(
        headline=(
            "Not sent: our email template could not be filled in (for example a missing "
            "name or field), so Amazon SES stopped it."
        ),
        company=_RENDERING_STEPS,
        consumer=_RENDERING_STEPS,
    ),
    Reason.HARD_BOUNCE: Advice(
        headline="Not delivered: their mail server refused it for good and gave no clear reason.",
        company=(
            LINK,
            _TYPO,
            "If the address is right, ask their IT team why their mail server refused mail "
            "from our sending domain; give them the time and the error text.",
            _UPDATE_ADDRESS,
        ),
        consumer=(LINK, _TYPO, _OTHER_ADDRESS, _UPDATE_ADDRESS),
        link_fallback=("Read the error text: it often says why (for example an unknown address)."),
    ),
    Reason.SOFT_BOUNCE: Advice(
        headline=(
            "Not delivered: their mail server kept turning it away with a temporary "
            "problem, and Amazon SES gave up after retrying."
        ),
        company=(
            LINK,
            "Send it again later: temporary problems often clear up.",
            "If it keeps failing, ask their IT team to check their mail server and filters "
            "for mail from our sending domain and amazonses.com.",
        ),
        consumer=(
            LINK,
            "Send it again later: temporary problems often clear up.",
            "If it keeps failing, ask whether they receive other mail, and for another address.",
        ),
        link_fallback=(
            "Read the error text for the cause (for example a full mailbox or a server "
            "that is down)."
        ),
    ),
    Reason.UNDETERMINED: Advice(
        headline=("Not delivered: a failure report came back, but Amazon SES could not tell why."),
        company=(
            LINK,
            "Confirm the address with the person and send again.",
            "If it fails again, ask their IT team to look for it in their mail logs; give "
            "them the time and the message ID.",
        ),
        consumer=(
            LINK,
            "Confirm the address with the person and send again.",
            "If it fails again, ask for another address.",
        ),
        link_fallback="Read the error text: it may say more.",
    ),
    Reason.AUTH_FAILED: Advice(
        headline=(
            "Their mail server refused or held it because it could not confirm the email "
            "really comes from us (the SPF, DKIM and DMARC sender checks failed)."
        ),
        company=(
            _OUR_SIDE + " Our sending domain's SPF, DKIM or DMARC settings need fixing.",
            LINK,
            "If their system held it rather than refusing it, their IT team can release it "
            "from quarantine.",
            "Once it is fixed, send it again; the person does not need to change anything.",
        ),
        consumer=(
            _OUR_SIDE + " Our sending domain's SPF, DKIM or DMARC settings need fixing.",
            LINK,
            "Once it is fixed, send it again; the person does not need to change anything.",
        ),
    ),
    Reason.SENDER_BLOCKLISTED: Advice(
        headline=(
            "Their mail server refused it because the server or domain that sent it is on "
            "a blocklist (a list spam filters distrust) or has a poor reputation. Amazon "
            "SES's sending servers are normally shared by many senders, so this is usually "
            "about others' mail, not a sign ours is spam: our mail passes SPF and DKIM, "
            "the checks that prove it comes from us."
        ),
        company=_BLOCKLIST_COMPANY,
        consumer=(
            LINK,
            "There is nothing the person can change: their provider blocks the sending "
            "server, not them. Send it again later: these blocks are often lifted within "
            "hours.",
            "If it is urgent, ask for another address at a different provider.",
            "If it keeps happening, tell the email/platform team: they can ask AWS about it "
            "or move our mail to a dedicated sending address (IP) that only we use.",
        ),
        link_fallback=(
            "If the error text has a link, follow it: it shows which list and why. For "
            "Amazon SES's shared servers, AWS handles removal from lists."
        ),
    ),
    Reason.ATTACHMENT_REJECTED: Advice(
        headline=(
            "Their mail filter stopped it because of an attachment: the file type is not "
            "allowed, it is too big, or it was flagged as unsafe."
        ),
        company=(
            "Send it again without the attachment, or share the file as a download link.",
            "Ask their IT team whether they allow this file type from our sending domain, "
            "or can release the message from quarantine.",
            "If our file was flagged as unsafe, tell the email/platform team with the error text.",
        ),
        consumer=(
            "Send it again without the attachment, or share the file as a download link.",
            "Gmail, Outlook.com and others block some file types (such as .exe or .js, "
            "even inside a .zip), whatever the sender does.",
            "If our file was flagged as unsafe, tell the email/platform team with the error text.",
        ),
    ),
    Reason.SPAM_FILTERED: Advice(
        headline="Their spam filter judged it to be spam or bulk mail, and refused or held it.",
        company=(
            COMPANY_JUNK + " If it is held there, they or their IT team can release it.",
            _ALLOWLIST,
            "If it keeps happening, tell the email/platform team with the error text: "
            "wording, links or volume may be setting off filters.",
        ),
        consumer=(
            CONSUMER_SPAM,
            _SAFE_SENDER,
            "If it keeps happening, tell the email/platform team with the error text: "
            "wording, links or volume may be setting off filters.",
        ),
    ),
    Reason.SECURITY_GATEWAY: Advice(
        headline=(
            "A mail security system in front of their mailbox held or refused it, without "
            "saying exactly why."
        ),
        company=(
            COMPANY_JUNK + " If it is held there, they may be able to release it.",
            "Ask their IT team to search the security system's quarantine and logs for this "
            "message (give the time and the message ID) and release it.",
            _ALLOWLIST,
        ),
        consumer=(
            "Ask them to check Spam or Junk and any notice about held messages.",
            _SAFE_SENDER,
            "If it keeps happening, ask for another address.",
        ),
    ),
    Reason.POLICY_BLOCKED: Advice(
        headline=(
            "Their mail system's rules refused it (for example the address only takes mail "
            "from certain senders, or outside mail is blocked)."
        ),
        company=(
            "Ask their IT team which rule blocked it (give the time and the error text) and "
            "to allow mail from our sending domain and amazonses.com.",
            "If it is a group or internal-only address, ask for a personal address.",
            LINK,
        ),
        consumer=(
            LINK,
            "Ask for another address, or send again later.",
        ),
        link_fallback="Read the error text: it often names the rule or the cause.",
    ),
    Reason.COMPLAINT: Advice(
        headline=(
            "The message was reported as spam from their mailbox, by the person or "
            "automatically by their provider or filter."
        ),
        company=(
            "Amazon SES usually stops sending to the address after a report like this.",
            "If they do want our email (a report can be a mis-click, or a filter acting on "
            "its own), confirm it with them.",
            _UNSUPPRESS,
            "If their organisation's filter reported it, " + _ALLOWLIST[0].lower() + _ALLOWLIST[1:],
        ),
        consumer=(
            "Amazon SES usually stops sending to the address after a report like this.",
            "If they do want our email (a report can be a mis-click), confirm it with them.",
            _UNSUPPRESS,
            "Ask them to mark our next message as not spam and add our From address to "
            "their contacts, so it is not filtered again.",
        ),
    ),
    Reason.NO_FEEDBACK: Advice(
        headline=(
            "We handed it to Amazon SES, but no answer (delivered or failed) came back "
            "within the usual time (24 hours by default). That is not a failure by itself: "
            "answers can be lost or late, and this updates if one arrives."
        ),
        company=(
            COMPANY_JUNK,
            "Ask their IT team to search their mail logs around the sending time for our "
            "sending domain or the message ID.",
            "If they cannot find it, send it again.",
            "If many messages show this, tell the email/platform team: the feedback from "
            "Amazon SES may not be reaching us.",
        ),
        consumer=(
            CONSUMER_SPAM,
            _CONSUMER_SEARCH,
            "If they cannot find it, send it again.",
            "If many messages show this, tell the email/platform team: the feedback from "
            "Amazon SES may not be reaching us.",
        ),
    ),
    Reason.DELAYED_NO_OUTCOME: Advice(
        headline=(
            "Their mail server kept asking us to try again later, and no final answer came "
            "back within the usual time (24 hours by default). It most likely did not "
            "arrive."
        ),
        company=(
            "Read the error text of the last delay for the cause (for example a full "
            "mailbox or a server that is down).",
            "Ask their IT team whether their mail server or filter is holding back mail "
            "from our sending domain or amazonses.com.",
            "Send it again once the cause is fixed.",
        ),
        consumer=(
            "Read the error text of the last delay for the cause (for example a full "
            "mailbox or a server that is down).",
            "Ask whether their mailbox is full and whether they receive other mail; ask for "
            "another address if needed.",
            "Send it again once the cause is fixed.",
        ),
    ),
}


_SENDER_NOT_ADDRESS = (
    "Their address is fine: the refusal is about us, so do not ask them for another "
    "address and do not remove this one."
)


_OUR_SIDE_SENDER = (
    _OUR_SIDE + " Their server refused our sending address, domain or mail server (for "
    "example our domain's DNS, our server's reverse DNS name, or who may post to a list)."
)


_SENDER_STEPS = (_OUR_SIDE_SENDER, _SENDER_NOT_ADDRESS, LINK)
_SENDER_LINK_FALLBACK = "Read the error text: it names what was wrong with our sender."


def _sender_side(headline: str) -> Advice:
    """Advice that the refusal is about our sender: the same steps for either kind."""
    return Advice(
        headline=headline,
        company=_SENDER_STEPS,
        consumer=_SENDER_STEPS,
        link_fallback=_SENDER_LINK_FALLBACK,
    )


#: Advice when the reply is about our sender rather than the recipient (party "sender"),
#: for the reasons whose usual advice assumes the recipient's side. auth_failed and
#: sender_blocklisted already say it is on our side.
OUR_SIDE_ADVICE: Mapping[Reason, Advice] = {
    Reason.POLICY_BLOCKED: Advice(
        headline=(
            "Their mail server refused our sender, not their address: our sending address, "
            "domain or mail server did not meet its rules (for example a missing DNS entry "
            "for our domain or server, or a mailing list that only members may post to)."
        ),
        company=(
            _OUR_SIDE_SENDER,
            _SENDER_NOT_ADDRESS,
            LINK,
            "If it is a mailing list or group address, ask the person whether outside "
            "senders may post to it, or for a personal address.",
        ),
        consumer=_SENDER_STEPS,
        link_fallback=_SENDER_LINK_FALLBACK,
    ),
    Reason.SECURITY_GATEWAY: _sender_side(
        "A mail security system in front of their mailbox refused our sender (our "
        "sending address, domain or server), not their address."
    ),
    Reason.HARD_BOUNCE: _sender_side(
        "Not delivered: their mail server refused our sender (our sending address, "
        "domain or server) for good; their address itself was not the problem."
    ),
    Reason.SOFT_BOUNCE: _sender_side(
        "Not delivered: their mail server kept turning away our sender (our sending "
        "address, domain or server), and Amazon SES gave up after retrying."
    ),
}


_MISSING = set(Reason) - set(ADVICE)

if _MISSING:  # pragma: no cover - fails at import, before any test can
    raise RuntimeError(f"reasons without advice: {sorted(_MISSING)}")
