"""Who runs a recipient's mailbox, as far as support's advice is concerned: a consumer
mailbox (Gmail, Yahoo, Outlook.com, iCloud...: no IT team to ask) or a company mail
system (an IT team can search logs, allowlist, change rules). Decided from who answered
(a mail-security gateway, a consumer provider) and the recipient's domain."""

from __future__ import annotations

import re
from enum import StrEnum


class MailboxKind(StrEnum):
    """Who runs the recipient's mailbox, as far as the advice is concerned."""

    CONSUMER = "consumer"  # Gmail, Yahoo, Outlook.com, iCloud...: no IT team to ask
    COMPANY = "company"  # an organisation's mail system: its IT team can look things up


#: Well-known consumer mailbox domains (exact match, lower case).
CONSUMER_DOMAINS: frozenset[str] = frozenset(
    {
        # Google
        "gmail.com",
        "googlemail.com",
        # Yahoo / AOL (yahoo.*, aol.* are matched by brand below)
        "ymail.com",
        "rocketmail.com",
        "aim.com",
        # Microsoft (hotmail.*, live.*, outlook.* are matched by brand below)
        "msn.com",
        "passport.com",
        "windowslive.com",
        # Apple
        "icloud.com",
        "me.com",
        "mac.com",
        # Privacy and independent providers
        "proton.me",
        "protonmail.com",
        "protonmail.ch",
        "pm.me",
        "tutanota.com",
        "tutanota.de",
        "tuta.io",
        "tuta.com",
        "zoho.com",
        "zohomail.com",
        "fastmail.com",
        "fastmail.fm",
        "hey.com",
        "mail.com",
        "email.com",
        # Europe
        "web.de",
        "t-online.de",
        "freenet.de",
        "posteo.de",
        "mailbox.org",
        "orange.fr",
        "wanadoo.fr",
        "free.fr",
        "sfr.fr",
        "laposte.net",
        "libero.it",
        "virgilio.it",
        "tiscali.it",
        "alice.it",
        "seznam.cz",
        "wp.pl",
        "o2.pl",
        "interia.pl",
        "onet.pl",
        "btinternet.com",
        "sky.com",
        "virginmedia.com",
        "blueyonder.co.uk",
        "ntlworld.com",
        "talktalk.net",
        # Russia
        "mail.ru",
        "bk.ru",
        "inbox.ru",
        "list.ru",
        "ya.ru",
        # North America ISPs
        "comcast.net",
        "verizon.net",
        "att.net",
        "sbcglobal.net",
        "bellsouth.net",
        "cox.net",
        "charter.net",
        "earthlink.net",
        "optonline.net",
        "shaw.ca",
        "rogers.com",
        "sympatico.ca",
        "telus.net",
        # Elsewhere
        "qq.com",
        "163.com",
        "126.com",
        "sina.com",
        "naver.com",
        "daum.net",
        "hanmail.net",
        "rediffmail.com",
        "bigpond.com",
        "uol.com.br",
        "bol.com.br",
        "terra.com.br",
    }
)


#: Consumer brands that use many country domains: yahoo.co.uk, hotmail.fr, gmx.de, ...
_CONSUMER_BRANDS: frozenset[str] = frozenset(
    {"yahoo", "aol", "hotmail", "live", "outlook", "gmx", "yandex"}
)


#: What may follow a brand: a top-level domain, optionally with a second level
#: ("com", "de", "co.uk", "com.br"). Longer labels ("live.acme.com") are not a brand domain.
_COUNTRY_SUFFIX = re.compile(r"[a-z]{2,3}(?:\.[a-z]{2})?")


# Provider names as the classifier reports them, compared without case, spaces or dashes.
#: Mail-security gateways: only organisations run them, so they always mean a company.
_GATEWAY_PROVIDERS: frozenset[str] = frozenset(
    {
        "mimecast",
        "proofpoint",
        "barracuda",
        "cisco",
        "ironport",
        "sophos",
        "trendmicro",
        "symantec",
        "messagelabs",
        "broadcom",
        "forcepoint",
        "hornetsecurity",
    }
)


#: Providers that host (almost) only personal mailboxes, even on custom domains.
_CONSUMER_PROVIDERS: frozenset[str] = frozenset({"yahoo", "aol", "apple", "icloud"})
# Google and Microsoft host both consumer mail and companies (Workspace, Microsoft 365),
# and blocklists (Spamhaus, SpamCop, SORBS, Cloudmark) say nothing about the mailbox:
# for those the recipient domain decides.


def _provider_key(provider: str | None) -> str:
    return re.sub(r"[\s_-]+", "", provider or "").lower()


def _normalise_domain(recipient_domain: str | None) -> str:
    """Lower-cased domain; accepts a whole address, stray spaces and a trailing dot."""
    domain = (recipient_domain or "").strip().lower()
    domain = domain.rsplit("@", 1)[-1]
    return domain.strip().strip(".").rstrip(">")


def _is_consumer_domain(domain: str) -> bool:
    if domain in CONSUMER_DOMAINS:
        return True
    brand, _, suffix = domain.partition(".")
    return brand in _CONSUMER_BRANDS and _COUNTRY_SUFFIX.fullmatch(suffix) is not None


def mailbox_kind(recipient_domain: str | None, provider: str | None = None) -> MailboxKind:
    """Whether the advice should be for a consumer mailbox or a company mail system.

    Decisions, in order:

    1. A mail-security gateway answered (Mimecast, Proofpoint, Barracuda, Cisco, Sophos,
       Trend Micro, Symantec, Forcepoint, Hornetsecurity): ``COMPANY``, whatever the
       domain. Only organisations run gateways, and what the server said beats what the
       address looks like: a gateway answering for a gmail.com address means the mail went
       through some organisation's system (an alias or forwarding), whose IT can find it.
    2. Yahoo/AOL or Apple answered: ``CONSUMER`` (personal mailboxes, even on the custom
       domains iCloud+ and Yahoo allow; there is no IT team behind them).
    3. The recipient domain is a well-known consumer domain: ``CONSUMER``. Gmail and
       Microsoft answers do not decide, as they also host companies (Workspace, 365).
    4. Otherwise ``COMPANY``, also when nothing is known (company advice still starts
       with checking Junk, so it is safe for anyone).
    """
    key = _provider_key(provider)
    if key in _GATEWAY_PROVIDERS:
        return MailboxKind.COMPANY
    if key in _CONSUMER_PROVIDERS:
        return MailboxKind.CONSUMER
    if _is_consumer_domain(_normalise_domain(recipient_domain)):
        return MailboxKind.CONSUMER
    return MailboxKind.COMPANY


def gateway_name(provider: str | None) -> str | None:
    if _provider_key(provider) in _GATEWAY_PROVIDERS and provider is not None:
        return provider.strip()
    return None
