"""Real-world bounce diagnostics from MTAs and mail-security gateways, with provenance.

Pure data (standard library only): the bench imports it too. Each case is one
``bouncedRecipients[]`` entry as SES would report it for a reply that an MTA or a
security gateway gives: the reply text is verbatim from the cited primary source (the
MTA's own source code, its shipped configuration or binary strings, the vendor's
documentation page, a public bug report, an RFC) except that addresses, IPs, hosts and
trace ids are replaced by placeholders (example.com, 192.0.2.x). ``source`` ends in ``V``
when the reply text was seen verbatim there, ``T`` when it is the typical form only.

Labels are by meaning, per docs/spec/outcomes.md (reasons) and issue 13 ("who refused
what"): a refusal of *our sender* (sender address rejected, 5.1.7/5.1.8, domain of
sender does not exist, sender verification, not allowed to post) is ``policy_blocked``
even when it says "does not exist" or "User unknown"; reverse DNS / PTR / HELO ->
``policy_blocked``; our IP or domain on a blocklist or with poor reputation ->
``sender_blocklisted``; SPF/DKIM/DMARC failures -> ``auth_failed`` but 5.7.27 (our null
MX) -> ``policy_blocked``; the recipient's domain with null MX, host unknown, unrouteable,
no DNS -> ``domain_not_found``; a 4xx deferral that outlasted SES's retries with no
verdict words (including Postfix's "delivery temporarily suspended", its queue) ->
``soft_bounce``; a gateway's generic refusal -> ``security_gateway``.

SES wrapping: ``smtp; <reply>`` for a refusal during the SMTP session (Permanent/General,
or Permanent/NoEmail where SES files an unknown mailbox as such); a 4xx that outlasted
SES's retries is Transient/General with status 4.4.7 and the expiry text wrapping the last
reply (``_expired``); a bounce message that the receiving system sent after accepting the
mail may come as Undetermined with the text of its DSN.
"""

from __future__ import annotations

import re

from tests.unit.domain.real_world_diagnostics import DiagnosticCase

SES_MTA = "dsn; a8-17.smtp-out.eu-west-1.amazonses.com"
_ENHANCED = re.compile(r"(?<![\d.])([245]\.\d{1,3}\.\d{1,3})(?![\d.])")

# Primary sources cited repeatedly (repo + path, or the vendor's page).
PF = "vdukhovni/postfix postfix/src/smtpd/smtpd_check.c (strings of Debian postfix 3.7 smtpd)"
PF_SMTP = "vdukhovni/postfix postfix/src/smtp/smtp_proto.c + src/global/dsn_util (postfix 3.7)"
PSCREEN = "vdukhovni/postfix postfix/src/postscreen/postscreen_smtpd.c (postfix 3.7 strings)"
EXIM = "Exim/exim src/src/acl.c + src/src/verify.c (strings of Debian exim4 4.96)"
EXIM_DEB = "Debian exim4-config conf.d/acl/30_exim4-config_check_rcpt (4.96)"
SM = "hrs-allbsd/sendmail cf/m4/proto.m4 (Debian sendmail-cf 8.17)"
SM_BIN = "hrs-allbsd/sendmail sendmail/srvrsmtp.c, deliver.c (Debian sendmail-bin 8.17 strings)"
QMAIL = "notqmail/notqmail qmail-smtpd.c"
QMAIL_REMOTE = "notqmail/notqmail qmail-remote.c"
CHKUSER = "sagredo-dev/qmail chkuser_settings.h"
HARAKA = "npm Haraka 3.3.4 connection.js"
HARAKA_DSN = "npm haraka-dsn 1.2.1 index.js"


def _expired(inner: str, minutes: int = 840) -> str:
    """SES's expiry diagnostic wrapping the last remote reply (shared reference 4.2)."""
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
    """One case; ``status`` defaults to what SES puts there (4.4.7 for an expiry, else
    the reply's enhanced code, else 5.0.0 / 4.0.0 by bounce type)."""
    if status is None:
        found = _ENHANCED.search(diagnostic)
        fallback = "4.0.0" if bounce_type == "Transient" else "5.0.0"
        status = found.group(1) if found else fallback
        if "Message expired: unable to deliver" in diagnostic:
            status = "4.4.7"
    return DiagnosticCase(
        case_id=case_id,
        bounce_type=bounce_type,
        bounce_subtype=subtype,
        status=status,
        diagnostic=diagnostic,
        # A bounce message sent back after acceptance is reported by the remote system.
        reporting_mta="dns; mail.example.com" if bounce_type == "Undetermined" else SES_MTA,
        remote_mta=remote_mta,
        expected_reason=reason,
        source=source,
        mta=mta,
    )


def _x(case_id: str, mta: str, inner: str, reason: str, source: str) -> DiagnosticCase:
    """A 4xx reply that outlasted SES's retries: Transient/General, expiry wrapping."""
    return _c(case_id, mta, _expired(inner), reason, source, bounce_type="Transient")


CASES_POSTFIX: tuple[DiagnosticCase, ...] = (
    # ------------------------------------------------------------------ Postfix
    _c(
        "mta-postfix-user-unknown-local-table",
        "Postfix",
        "smtp; 550 5.1.1 <someone@example.com>: Recipient address rejected: User unknown in "
        "local recipient table",
        "mailbox_not_found",
        PF + " V",
        subtype="NoEmail",
    ),
    _c(
        "mta-postfix-user-unknown-relay-table",
        "Postfix",
        "smtp; 550 5.1.1 <someone@example.com>: Recipient address rejected: User unknown in "
        "relay recipient table",
        "mailbox_not_found",
        PF + " V",
    ),
    _c(
        "mta-postfix-user-unknown-virtual-alias",
        "Postfix",
        "smtp; 550 5.1.1 <someone@example.com>: Recipient address rejected: User unknown in "
        "virtual alias table",
        "mailbox_not_found",
        PF + " V",
    ),
    # Misleading pair: the same words about OUR sender are a policy refusal.
    _c(
        "mta-postfix-sender-domain-not-found",
        "Postfix",
        "smtp; 550 5.1.8 <bounce@mail.example.net>: Sender address rejected: Domain not found",
        "policy_blocked",
        PF + " (reject_unknown_sender_domain) V",
    ),
    _x(
        "mta-postfix-sender-domain-not-found-450-expired",
        "Postfix",
        "450 4.1.8 <bounce@mail.example.net>: Sender address rejected: Domain not found",
        "policy_blocked",
        PF + " (unknown_address_reject_code 450 default) V",
    ),
    _c(
        "mta-postfix-recipient-null-mx",
        "Postfix",
        "smtp; 556 5.1.10 <someone@example.com>: Recipient address rejected: Domain example.com "
        "does not accept mail (nullMX)",
        "domain_not_found",
        PF + "; vdukhovni/postfix postfix/src/smtpd/smtpd_nullmx.ref; RFC 7505 sec. 4.2 V",
    ),
    _c(
        "mta-postfix-sender-null-mx",
        "Postfix",
        "smtp; 556 5.7.27 <bounce@mail.example.net>: Sender address rejected: Domain "
        "mail.example.net does not accept mail (nullMX)",
        "policy_blocked",
        PF + "; vdukhovni/postfix postfix/src/smtpd/smtpd_nullmx.ref; RFC 7505 sec. 4.3 V",
    ),
    _c(
        "mta-postfix-relay-access-denied",
        "Postfix",
        "smtp; 554 5.7.1 <someone@example.com>: Relay access denied",
        "policy_blocked",
        PF + " V",
    ),
    _c(
        "mta-postfix-rbl-client-spamhaus",
        "Postfix",
        "smtp; 554 5.7.1 Service unavailable; Client host [192.0.2.10] blocked using "
        "zen.spamhaus.org; https://www.spamhaus.org/query/ip/192.0.2.10",
        "sender_blocklisted",
        PF + " (default_rbl_reply) V",
    ),
    _c(
        "mta-postfix-rbl-client-spamcop",
        "Postfix",
        "smtp; 554 5.7.1 Service unavailable; Client host [192.0.2.10] blocked using "
        "bl.spamcop.net; Blocked - see https://www.spamcop.net/bl.shtml?192.0.2.10",
        "sender_blocklisted",
        PF + " (default_rbl_reply) V",
    ),
    _c(
        "mta-postfix-rhsbl-sender-dbl",
        "Postfix",
        "smtp; 554 5.7.1 Service unavailable; Sender address [bounce@mail.example.net] blocked "
        "using dbl.spamhaus.org",
        "sender_blocklisted",
        PF + " (reject_rhsbl_sender, default_rbl_reply) V",
    ),
    _c(
        "mta-postfix-client-reverse-hostname",
        "Postfix",
        "smtp; 550 5.7.25 Client host rejected: cannot find your reverse hostname, [192.0.2.10]",
        "policy_blocked",
        PF + " (reject_unknown_reverse_client_hostname, 4.7.25/5.7.25) V",
    ),
    _x(
        "mta-postfix-client-hostname-450-expired",
        "Postfix",
        "450 4.7.25 Client host rejected: cannot find your hostname, [192.0.2.10]",
        "policy_blocked",
        PF + " (reject_unknown_client_hostname) V",
    ),
    _c(
        "mta-postfix-helo-need-fqdn",
        "Postfix",
        "smtp; 504 5.5.2 <localhost>: Helo command rejected: need fully-qualified hostname",
        "policy_blocked",
        PF + " (reject_non_fqdn_helo_hostname) V",
    ),
    _x(
        "mta-postfix-helo-host-not-found-expired",
        "Postfix",
        "450 4.7.1 <a8-17.smtp-out.example.net>: Helo command rejected: Host not found",
        "policy_blocked",
        PF + " (reject_unknown_helo_hostname) V",
    ),
    _c(
        "mta-postfix-sender-need-fqdn",
        "Postfix",
        "smtp; 504 5.5.2 <bounce>: Sender address rejected: need fully-qualified address",
        "policy_blocked",
        PF + " (reject_non_fqdn_sender) V",
    ),
    _c(
        "mta-postfix-recipient-access-denied",
        "Postfix",
        "smtp; 554 5.7.1 <someone@example.com>: Recipient address rejected: Access denied",
        "policy_blocked",
        PF + " (check_recipient_access REJECT) V",
    ),
    _c(
        "mta-postfix-client-access-denied",
        "Postfix",
        "smtp; 554 5.7.1 <a8-17.smtp-out.example.net[192.0.2.10]>: Client host rejected: "
        "Access denied",
        "policy_blocked",
        PF + " (check_client_access REJECT) V",
    ),
    # Misleading pair: "User unknown" quoted from the callout to OUR sender's domain.
    _c(
        "mta-postfix-unverified-sender-user-unknown",
        "Postfix",
        "smtp; 550 5.1.0 <bounce@mail.example.net>: Sender address rejected: undeliverable "
        "address: host mx.example.net[192.0.2.20] said: 550 5.1.1 <bounce@mail.example.net>: "
        "Recipient address rejected: User unknown in local recipient table (in reply to RCPT TO "
        "command)",
        "policy_blocked",
        PF + " (reject_unverified_sender) + src/smtp/smtp_proto.c V",
    ),
    _c(
        "mta-postfix-unverified-recipient-undeliverable",
        "Postfix",
        "smtp; 550 5.1.1 <someone@example.com>: Recipient address rejected: undeliverable "
        'address: unknown user: "someone"',
        "mailbox_not_found",
        PF + " (reject_unverified_recipient) + src/local/local.c V",
    ),
    _x(
        "mta-postfix-unverified-recipient-450-expired",
        "Postfix",
        "450 4.1.1 <someone@example.com>: Recipient address rejected: unverified address: host "
        "mailstore.example.com[192.0.2.30] said: 550 5.1.1 <someone@example.com>: Recipient "
        "address rejected: User unknown in virtual mailbox table (in reply to RCPT TO command)",
        "mailbox_not_found",
        PF + " (unverified_recipient_defer_code 450) V",
    ),
    _x(
        "mta-postfix-address-verification-in-progress",
        "Postfix",
        "450 4.1.1 <someone@example.com>: Recipient address rejected: unverified address: "
        "Address verification in progress",
        "soft_bounce",
        PF + " (unverified_recipient_defer_code) V",
    ),
    _c(
        "mta-postfix-message-size-file-system",
        "Postfix",
        "smtp; 552 5.3.4 Message size exceeds file system imposed limit",
        "message_too_large",
        PF + " V",
    ),
    _x(
        "mta-postfix-insufficient-system-storage-expired",
        "Postfix",
        "452 4.3.1 Insufficient system storage",
        "soft_bounce",
        PF + " (queue_minfree; 'insufficient system storage' is the server's disk) V",
    ),
    _x(
        "mta-postfix-too-many-connections-expired",
        "Postfix",
        "421 4.7.0 mx.example.com Error: too many connections from 192.0.2.10",
        "soft_bounce",
        "vdukhovni/postfix postfix/src/smtpd/smtpd.c (smtpd_client_connection_count_limit) V",
    ),
    _x(
        "mta-postfix-too-many-recipients-expired",
        "Postfix",
        "450 4.7.1 Error: too many recipients from 192.0.2.10",
        "soft_bounce",
        "vdukhovni/postfix postfix/src/smtpd/smtpd.c (smtpd_client_recipient_rate_limit) V",
    ),
    _x(
        "mta-postfix-try-again-later-expired",
        "Postfix",
        "450 4.7.1 <someone@example.com>: Recipient address rejected: Try again later",
        "soft_bounce",
        PF + " (defer_unauth_destination / DEFER action) V",
    ),
    _c(
        "mta-postfix-milter-command-rejected",
        "Postfix",
        "smtp; 550 5.7.1 Command rejected",
        "policy_blocked",
        "vdukhovni/postfix postfix/src/milter/milter8.c (SMFIR_REJECT default reply) V",
    ),
    _c(
        "mta-postscreen-550-service-currently-unavailable",
        "Postfix",
        "smtp; 550 5.3.2 Service currently unavailable",
        "policy_blocked",
        PSCREEN + " (postscreen DNSBL/pregreet reject: our IP refused at connection) V",
    ),
    _x(
        "mta-postscreen-450-service-currently-unavailable",
        "Postfix",
        "450 4.3.2 Service currently unavailable",
        "soft_bounce",
        PSCREEN + " (after-220 tests defer a new client) V",
    ),
    _x(
        "mta-postscreen-421-service-currently-unavailable",
        "Postfix",
        "421 4.3.2 Service currently unavailable",
        "soft_bounce",
        PSCREEN + " V",
    ),
    # Postfix relays between SES and the final host: their DSN texts.
    _x(
        "mta-postfix-relay-delivery-temporarily-suspended",
        "Postfix",
        "451 4.4.1 delivery temporarily suspended: connect to mailstore.example.com"
        "[192.0.2.30]:25: Connection timed out",
        "soft_bounce",
        "vdukhovni/postfix postfix/src/smtp/smtp_connect.c + qmgr (dest status text) V",
    ),
    _c(
        "mta-postfix-relay-suspended-lost-connection-transient",
        "Postfix",
        "smtp; 451 4.4.2 delivery temporarily suspended: lost connection with "
        "mailstore.example.com[192.0.2.30] while receiving the initial server greeting",
        "soft_bounce",
        "vdukhovni/postfix postfix/src/smtp/smtp_proto.c (lost connection ... while %s) V",
        bounce_type="Transient",
    ),
    _c(
        "mta-postfix-dsn-host-or-domain-not-found",
        "Postfix",
        "x-postfix; Host or domain name not found. Name service error for name=example.invalid "
        "type=MX: Host not found, try again",
        "domain_not_found",
        "vdukhovni/postfix postfix/src/smtp/smtp_addr.c (Name service error for name=%s "
        "type=%s: %s) V",
        bounce_type="Undetermined",
        subtype="Undetermined",
        status="5.4.4",
    ),
    _c(
        "mta-postfix-dsn-loops-back-to-myself",
        "Postfix",
        "x-postfix; mail for example.com loops back to myself",
        "hard_bounce",
        "vdukhovni/postfix postfix/src/smtp/smtp_addr.c V",
        bounce_type="Undetermined",
        subtype="Undetermined",
        status="5.4.6",
    ),
    _c(
        "mta-postfix-greylisted-postgrey",
        "Postfix",
        "smtp; 450 4.2.0 <someone@example.com>: Recipient address rejected: Greylisted, see "
        "http://postgrey.schweikert.ch/help/example.com.html",
        "soft_bounce",
        "Debian postgrey 1.37 /usr/sbin/postgrey (greylist_text default) V",
        bounce_type="Transient",
    ),
    _x(
        "mta-postfix-greylisted-postgrey-expired",
        "Postfix",
        "450 4.2.0 <someone@example.com>: Recipient address rejected: Greylisted, see "
        "http://postgrey.schweikert.ch/help/example.com.html",
        "soft_bounce",
        "Debian postgrey 1.37 /usr/sbin/postgrey (greylist_text default) V",
    ),
)

CASES_OSS: tuple[DiagnosticCase, ...] = (
    # ------------------------------------------------------------------ Postfix (more)
    _c(
        "mta-postfix-sender-null-mx-older-5.7.0",
        "Postfix",
        "smtp; 556 5.7.0 <bounce@mail.example.net>: Sender address rejected: Domain "
        "mail.example.net does not accept mail",
        "policy_blocked",
        "vdukhovni/postfix postfix/src/smtpd/smtpd_nullmx.ref V",
    ),
    _c(
        "mta-postfix-recipient-null-mx-older-5.1.0",
        "Postfix",
        "smtp; 556 5.1.0 <someone@example.com>: Recipient address rejected: Domain example.com "
        "does not accept mail",
        "domain_not_found",
        "vdukhovni/postfix postfix/src/smtpd/smtpd_nullmx.ref V",
    ),
    _c(
        "mta-postfix-sender-mx-access-ns-or-mx",
        "Postfix",
        "smtp; 554 5.7.1 <bounce@mail.example.net>: Sender address rejected: ns or mx server "
        "mail.example.net",
        "policy_blocked",
        "vdukhovni/postfix postfix/src/smtpd/smtpd_nullmx.ref (check_sender_mx_access) V",
    ),
    _c(
        "mta-postfix-policyd-spf-fail",
        "Postfix",
        "smtp; 550 5.7.23 <someone@example.com>: Recipient address rejected: Message rejected "
        "due to: Receiver policy for SPF Fail. Please see http://www.openspf.net/Why?s=mfrom;"
        "id=bounce@mail.example.net;ip=192.0.2.10;r=<UNKNOWN>",
        "auth_failed",
        "Debian python3-spf-engine 3.0.4 spf_engine/policyd_spf.py + policydspfsupp.py "
        "(Reason_Message) V",
    ),
    # ------------------------------------------------------------------ Exim
    # Misleading pair: the same words inside a sender verification are about OUR sender.
    _c(
        "mta-exim-sender-verify-unrouteable",
        "Exim",
        "smtp; 550-Verification failed for <bounce@mail.example.net> 550-Unrouteable address "
        "550 Sender verify failed",
        "policy_blocked",
        EXIM + " ('Verification failed for <%s>\\n%s', 'Sender verify failed') V",
    ),
    _c(
        "mta-exim-sender-verify-mx-nonexistent",
        "Exim",
        "smtp; 550-Verification failed for <bounce@mail.example.net> 550-all relevant MX records "
        "point to non-existent hosts 550 Sender verify failed",
        "policy_blocked",
        EXIM + " (host_find 'all relevant MX records point to non-existent hosts') V",
    ),
    _c(
        "mta-exim-sender-callout-user-unknown",
        "Exim",
        "smtp; 550-Verification failed for <bounce@mail.example.net> 550-Called:   192.0.2.20 "
        "550-Sent:     RCPT TO:<bounce@mail.example.net> 550-Response: 550 5.1.1 "
        "<bounce@mail.example.net>: Recipient address rejected: User unknown in local recipient "
        "table 550 Sender verify failed",
        "policy_blocked",
        EXIM + " (verify.c callout user_message 'Called:/Sent:/Response:') V",
    ),
    _c(
        "mta-exim-sender-verify-failed-bare",
        "Exim",
        "smtp; 550 Sender verify failed",
        "policy_blocked",
        EXIM + "; knowledge.broadcom.com/external/article/162445 (list of refusals) V",
    ),
    _c(
        "mta-exim-administrative-prohibition",
        "Exim",
        "smtp; 550 Administrative prohibition",
        "policy_blocked",
        EXIM + " (default text of an ACL deny) V",
    ),
    _c(
        "mta-exim-relay-not-permitted",
        "Exim",
        "smtp; 550 relay not permitted",
        "policy_blocked",
        EXIM_DEB + " V",
    ),
    _c(
        "mta-exim-in-a-black-list",
        "Exim",
        "smtp; 550 rejected because 192.0.2.10 is in a black list at zen.spamhaus.org "
        "https://www.spamhaus.org/query/ip/192.0.2.10",
        "sender_blocklisted",
        "Exim/exim src/src/configure.default (commented dnslists deny message) V",
    ),
    _c(
        "mta-exim-locally-blacklisted-ip",
        "Exim",
        "smtp; 550 sender IP address 192.0.2.10 is locally blacklisted here. If you think this "
        "is wrong, get in touch with postmaster",
        "sender_blocklisted",
        EXIM_DEB + " V",
    ),
    _c(
        "mta-exim-locally-blacklisted-sender",
        "Exim",
        "smtp; 550 sender envelope address bounce@mail.example.net is locally blacklisted here. "
        "If you think this is wrong, get in touch with postmaster",
        "sender_blocklisted",
        EXIM_DEB + " V",
    ),
    # SPF failure without the word "fail": still an authentication failure.
    _c(
        "mta-exim-spf-not-allowed",
        "Exim",
        "smtp; 550 [SPF] 192.0.2.10 is not allowed to send mail from mail.example.net.",
        "auth_failed",
        EXIM_DEB + " (spf = fail) V",
    ),
    _x(
        "mta-exim-spf-temporary-dns-error-expired",
        "Exim",
        "451 Temporary DNS error while checking SPF record.  Try again later.",
        "soft_bounce",
        EXIM_DEB + " V",
    ),
    _c(
        "mta-exim-message-size-exceeds",
        "Exim",
        "smtp; 552 Message size exceeds maximum permitted",
        "message_too_large",
        EXIM + " (smtp_in.c, message_size_limit) V",
    ),
    _c(
        "mta-exim-restricted-characters",
        "Exim",
        "smtp; 550 restricted characters in address",
        "hard_bounce",
        EXIM_DEB + " V",
    ),
    _x(
        "mta-exim-too-many-bad-recipients-expired",
        "Exim",
        "450 Rejected for too many bad recipients",
        "soft_bounce",
        EXIM_DEB + " (deny/defer after too many bad RCPTs) V",
    ),
    _c(
        "mta-exim-no-verifiable-sender",
        "Exim",
        "smtp; 550 No verifiable sender address in message headers",
        "policy_blocked",
        EXIM_DEB + " (acl_check_data verify = header_sender) V",
    ),
    _c(
        "mta-exim-refusing-null-sender-callout",
        "Exim",
        "smtp; 550-Verification failed for <bounce@mail.example.net> 550-The mail server could "
        "not deliver mail to bounce@mail.example.net.  The account or domain may not exist, they "
        "may be blacklisted, or missing the proper dns entries. 550 Sender verify failed",
        "policy_blocked",
        "cPanel Exim sender verify callout text, as quoted in public bounce reports T",
    ),
    # ------------------------------------------------------------------ Sendmail
    _c(
        "mta-sendmail-user-unknown",
        "Sendmail",
        "smtp; 550 5.1.1 <someone@example.com>... User unknown",
        "mailbox_not_found",
        SM_BIN + " V",
        subtype="NoEmail",
    ),
    _c(
        "mta-sendmail-domain-of-sender-does-not-exist",
        "Sendmail",
        "smtp; 553 5.1.8 <bounce@mail.example.net>... Domain of sender address "
        "bounce@mail.example.net does not exist",
        "policy_blocked",
        SM + " V",
    ),
    _x(
        "mta-sendmail-domain-of-sender-does-not-resolve",
        "Sendmail",
        "451 4.1.8 Domain of sender address bounce@mail.example.net does not resolve",
        "policy_blocked",
        SM + " V",
    ),
    _c(
        "mta-sendmail-real-domain-required",
        "Sendmail",
        "smtp; 553 5.5.4 <bounce@mail>... Real domain name required for sender address",
        "policy_blocked",
        SM + " V",
    ),
    _c(
        "mta-sendmail-relaying-denied",
        "Sendmail",
        "smtp; 550 5.7.1 <someone@example.com>... Relaying denied",
        "policy_blocked",
        SM + " V",
    ),
    _c(
        "mta-sendmail-relaying-denied-ip-name-lookup",
        "Sendmail",
        "smtp; 550 5.7.1 <someone@example.com>... Relaying denied. IP name lookup failed "
        "[192.0.2.10]",
        "policy_blocked",
        SM + " V",
    ),
    _c(
        "mta-sendmail-relaying-denied-possibly-forged",
        "Sendmail",
        "smtp; 550 5.7.1 <someone@example.com>... Relaying denied. IP name possibly forged "
        "[192.0.2.10]",
        "policy_blocked",
        SM + " V",
    ),
    _x(
        "mta-sendmail-cannot-resolve-ptr",
        "Sendmail",
        "450 4.7.1 <someone@example.com>... Relaying temporarily denied. Cannot resolve PTR "
        "record for 192.0.2.10",
        "policy_blocked",
        SM + " V",
    ),
    _c(
        "mta-sendmail-dnsbl-rejected-listed-at",
        "Sendmail",
        "smtp; 550 5.7.1 Rejected: 192.0.2.10 listed at zen.spamhaus.org",
        "sender_blocklisted",
        "hrs-allbsd/sendmail cf/feature/dnsbl.m4 (_DNSBL_MSG_) V",
    ),
    _c(
        "mta-sendmail-access-denied",
        "Sendmail",
        "smtp; 550 5.7.1 <bounce@mail.example.net>... Access denied",
        "policy_blocked",
        SM + " (confREJECT_MSG) V",
    ),
    _c(
        "mta-sendmail-mailbox-disabled-for-recipient",
        "Sendmail",
        "smtp; 550 5.7.1 <someone@example.com>... Mailbox disabled for this recipient",
        "mailbox_disabled",
        SM + " (confRCPTREJ_MSG) V",
    ),
    _c(
        "mta-sendmail-bogus-helo",
        "Sendmail",
        "smtp; 550 5.7.1 bogus HELO name used: mx.example.com",
        "policy_blocked",
        SM + " V",
    ),
    _c(
        "mta-sendmail-host-unknown",
        "Sendmail",
        "smtp; 550 5.1.2 <someone@example.invalid>... Host unknown (Name server: "
        "example.invalid: host not found)",
        "domain_not_found",
        SM_BIN + " ('550 5.1.2 Host unknown', 'Name server: ', 'host not found') V",
    ),
    _x(
        "mta-sendmail-cannot-check-mx-recipient",
        "Sendmail",
        "450 4.4.0 Can not check MX records for recipient host example.com",
        "domain_not_found",
        SM + " V",
    ),
    _c(
        "mta-sendmail-message-size-exceeds",
        "Sendmail",
        "smtp; 552 5.2.3 Message size exceeds fixed maximum message size (10485760)",
        "message_too_large",
        SM_BIN + " V",
    ),
    _c(
        "mta-sendmail-loops-back-to-me",
        "Sendmail",
        "smtp; 553 5.3.5 mx.example.com. config error: mail loops back to me (MX problem?)",
        "hard_bounce",
        SM_BIN + " V",
    ),
    _c(
        "mta-sendmail-milter-command-rejected",
        "Sendmail",
        "smtp; 554 5.7.1 Command rejected",
        "policy_blocked",
        SM_BIN + " (milter reject default) V",
    ),
    _x(
        "mta-sendmail-deferred",
        "Sendmail",
        "450 4.0.0 Deferred",
        "soft_bounce",
        SM_BIN + " V",
    ),
    # ------------------------------------------------------------------ qmail / netqmail
    _c(
        "mta-qmail-no-mailbox-here",
        "qmail",
        "smtp; 550 Sorry, no mailbox here by that name. (#5.1.1)",
        "mailbox_not_found",
        "notqmail/notqmail qmail-local.c (bounce_ext); Linux netdev list bounce V",
        subtype="NoEmail",
    ),
    _c(
        "mta-qmail-chkuser-no-mailbox",
        "qmail",
        "smtp; 511 sorry, no mailbox here by that name (#5.1.1 - chkuser)",
        "mailbox_not_found",
        CHKUSER + " (CHKUSER_NORCPT_STRING) V",
    ),
    _c(
        "mta-qmail-chkuser-mailbox-full",
        "qmail",
        "smtp; 522 sorry, recipient mailbox is full (#5.2.2 - chkuser)",
        "mailbox_full",
        CHKUSER + " (CHKUSER_MBXFULL_STRING) V",
    ),
    _c(
        "mta-qmail-chkuser-sender-mx",
        "qmail",
        "smtp; 511 sorry, can't find a valid MX for sender domain (#5.1.1 - chkuser)",
        "policy_blocked",
        CHKUSER + " (CHKUSER_SENDERMX_STRING) V",
    ),
    _c(
        "mta-qmail-chkuser-rcpt-mx",
        "qmail",
        "smtp; 511 sorry, can't find a valid MX for rcpt domain (#5.1.1 - chkuser)",
        "domain_not_found",
        CHKUSER + " (CHKUSER_RCPTMX_STRING) V",
    ),
    _c(
        "mta-qmail-chkuser-security-policies",
        "qmail",
        "smtp; 571 sorry, you are violating our security policies (#5.7.1 - chkuser)",
        "policy_blocked",
        CHKUSER + " (CHKUSER_INTRUSIONTHRESHOLD_STRING) V",
    ),
    _c(
        "mta-qmail-not-in-rcpthosts",
        "qmail",
        "smtp; 553 sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)",
        "policy_blocked",
        QMAIL + " (err_nogateway) V",
    ),
    _c(
        "mta-qmail-badmailfrom",
        "qmail",
        "smtp; 553 sorry, your envelope sender is in my badmailfrom list (#5.7.1)",
        "sender_blocklisted",
        QMAIL + " (err_bmf) V",
    ),
    _c(
        "mta-qmail-envelope-sender-domain-must-exist",
        "qmail",
        "smtp; 553 sorry, your envelope sender domain must exist (#5.7.1)",
        "policy_blocked",
        "qmail-smtpd.c with the jms1 combined patch 7.08 (err_hmf) V",
    ),
    _c(
        "mta-qmail-envelope-sender-denied",
        "qmail",
        "smtp; 553 sorry, your envelope sender has been denied (#5.7.1)",
        "policy_blocked",
        "qmail-smtpd.c with the jms1 combined patch 7.08 (err_bmf) V",
    ),
    _c(
        "mta-qmail-databytes-limit",
        "qmail",
        "smtp; 552 sorry, that message size exceeds my databytes limit (#5.3.4)",
        "message_too_large",
        QMAIL + " V",
    ),
    _c(
        "mta-qmail-too-many-hops",
        "qmail",
        "smtp; 554 too many hops, this message is looping (#5.4.6)",
        "hard_bounce",
        QMAIL + " V",
    ),
    _x("mta-qmail-qqt-failure", "qmail", "451 qqt failure (#4.3.0)", "soft_bounce", QMAIL + " V"),
    _x("mta-qmail-timeout", "qmail", "451 timeout (#4.4.2)", "soft_bounce", QMAIL + " V"),
    _c(
        "mta-qmail-remote-no-host-named",
        "qmail",
        "Sorry, I couldn't find any host named example.invalid. (#5.1.2)",
        "domain_not_found",
        QMAIL_REMOTE + " (perm_dns) V",
        bounce_type="Undetermined",
        subtype="Undetermined",
    ),
    _c(
        "mta-qmail-remote-no-mail-exchanger",
        "qmail",
        "Sorry, I couldn't find a mail exchanger or IP address. (#5.4.4)",
        "domain_not_found",
        QMAIL_REMOTE + " (perm_nomx) V",
        bounce_type="Undetermined",
        subtype="Undetermined",
    ),
    _c(
        "mta-qmail-remote-does-not-like-recipient",
        "qmail",
        "smtp; 192.0.2.20 does not like recipient. Remote host said: 550 Invalid recipient: "
        "<someone@example.com> Giving up on 192.0.2.20.",
        "mailbox_not_found",
        QMAIL_REMOTE + " ('does not like recipient.', 'Giving up on') V",
    ),
    # ------------------------------------------------------------------ Haraka
    _c(
        "mta-haraka-cannot-deliver-mail-for",
        "Haraka",
        "smtp; 550 I cannot deliver mail for <someone@example.com>",
        "policy_blocked",
        HARAKA + " (no plugin accepted the recipient: not a local domain, relaying refused) V",
    ),
    _c(
        "mta-haraka-no-such-user",
        "Haraka",
        "smtp; 550 5.1.1 No such user",
        "mailbox_not_found",
        HARAKA_DSN + " (no_such_user) V",
    ),
    _c(
        "mta-haraka-null-mx-sender",
        "Haraka",
        "smtp; 550 5.7.27 Null MX: mail.example.net does not send mail",
        "policy_blocked",
        "npm haraka-plugin-mail_from.is_resolvable 1.3.0 index.js (sec_null_mx_sender) V",
    ),
    _c(
        "mta-haraka-no-mx-for-from",
        "Haraka",
        "smtp; 550 No MX for your FROM address",
        "policy_blocked",
        "npm haraka-plugin-mail_from.is_resolvable 1.3.0 index.js V",
    ),
    _c(
        "mta-haraka-spf-fail",
        "Haraka",
        "smtp; 550 sender <bounce@mail.example.net> SPF Fail",
        "auth_failed",
        "npm haraka-plugin-spf 1.3.0 index.js V",
    ),
    _c(
        "mta-haraka-fcrdns-no-rdns",
        "Haraka",
        "smtp; 550 client [192.0.2.10] rejected; no rDNS",
        "policy_blocked",
        "npm haraka-plugin-fcrdns 1.2.1 index.js V",
    ),
    _c(
        "mta-haraka-fcrdns-no-match",
        "Haraka",
        "smtp; 550 Sorry, no FCrDNS match found",
        "policy_blocked",
        "npm haraka-plugin-fcrdns 1.2.1 index.js V",
    ),
    _c(
        "mta-haraka-helo-does-not-match-rdns",
        "Haraka",
        "smtp; 550 HELO host does not match rDNS",
        "policy_blocked",
        "npm haraka-plugin-helo.checks 1.1.3 index.js V",
    ),
    _c(
        "mta-haraka-listed-by-backscatterer",
        "Haraka",
        "smtp; 550 Host a8-17.smtp-out.example.net [192.0.2.10] is listed by ips.backscatterer.org",
        "sender_blocklisted",
        "npm haraka-plugin-dns-list 1.3.0 index.js V",
    ),
    _c(
        "mta-haraka-karma-bad-score",
        "Haraka",
        "smtp; 550 very bad karma score: -12",
        "sender_blocklisted",
        "npm haraka-plugin-karma 2.5.2 index.js (connection reputation score) V",
    ),
    _c(
        "mta-haraka-known-spam-signature",
        "Haraka",
        "smtp; 550 Mail matches a known spam signature",
        "spam_filtered",
        "npm Haraka 3.3.4 plugins/data.signatures.js V",
    ),
    _c(
        "mta-haraka-message-too-big",
        "Haraka",
        "smtp; 550 Message too big!",
        "message_too_large",
        HARAKA + " V",
    ),
    _x(
        "mta-haraka-too-busy",
        "Haraka",
        "450 Too busy; please try again later",
        "soft_bounce",
        "npm Haraka 3.3.4 plugins/toobusy.js V",
    ),
    # ------------------------------------------------------------------ Courier
    _c(
        "mta-courier-user-unknown",
        "Courier",
        "smtp; 550 User unknown.",
        "mailbox_not_found",
        "Debian courier-mta 1.0.16 /usr/lib/courier/courier/submit strings V",
    ),
    _c(
        "mta-courier-sender-domain-does-not-exist",
        "Courier",
        "smtp; 517-Domain does not exist: mail.example.net. 517 Sender rejected: "
        "bounce@mail.example.net",
        "policy_blocked",
        "Courier MTA courier/submit.C (checkdns) + Debian courier-mta 1.0.16 submit strings T",
    ),
    _c(
        "mta-courier-mail-server-blocked",
        "Courier",
        "smtp; 517 Mail server at mail.example.net is blocked.",
        "policy_blocked",
        "Debian courier-mta 1.0.16 submit strings ('517 Mail server at ', ' is blocked.') V",
    ),
    _c(
        "mta-courier-spam-refused",
        "Courier",
        "smtp; 550 Spam refused.",
        "spam_filtered",
        "Debian courier-mta 1.0.16 submit strings V",
    ),
    _x(
        "mta-courier-mail-system-full",
        "Courier",
        "431 Mail system full.",
        "soft_bounce",
        "Debian courier-mta 1.0.16 submit strings V",
    ),
    # ------------------------------------------------------------------ Dovecot LMTP
    _c(
        "mta-dovecot-lmtp-user-doesnt-exist",
        "Dovecot",
        "smtp; 550 5.1.1 <someone@example.com> User doesn't exist: someone@example.com",
        "mailbox_not_found",
        "dovecot/core src/lmtp/lmtp-local.c (Debian dovecot-lmtpd 2.3.19 strings) V",
    ),
    _c(
        "mta-dovecot-lmtp-quota-exceeded",
        "Dovecot",
        "smtp; 552 5.2.2 <someone@example.com> Quota exceeded (mailbox for user is full)",
        "mailbox_full",
        "dovecot/core src/plugins/quota (quota_exceeded_message default) V",
    ),
    _x(
        "mta-dovecot-lmtp-quota-exceeded-452-expired",
        "Dovecot",
        "452 4.2.2 <someone@example.com> Quota exceeded (mailbox for user is full)",
        "mailbox_full",
        "dovecot/core src/plugins/quota (quota_full_tempfail=yes) V",
    ),
    # ------------------------------------------------------------------ Cyrus
    _c(
        "mta-cyrus-lmtp-mailbox-unknown",
        "Cyrus",
        "smtp; 550-Mailbox unknown.  Either there is no mailbox associated with this 550-name "
        "or you do not have authorization to see it. 550 5.1.1 User unknown",
        "mailbox_not_found",
        "cyrusimap/cyrus-imapd imap/lmtpd.c (IMAP_MAILBOX_NONEXISTENT); public DSN parser tests V",
    ),
    _c(
        "mta-cyrus-over-quota",
        "Cyrus",
        "smtp; 552 5.2.2 Over quota",
        "mailbox_full",
        "cyrusimap/cyrus-imapd imap/lmtpengine.c (IMAP_QUOTA_EXCEEDED) T",
    ),
    # ------------------------------------------------------------------ OpenSMTPD
    _c(
        "mta-opensmtpd-invalid-recipient",
        "OpenSMTPD",
        "smtp; 550 Invalid recipient: <someone@example.com>",
        "mailbox_not_found",
        "OpenSMTPD smtpd/smtp_session.c (Debian opensmtpd 6.8.0 strings '550 Invalid recipient') V",
        subtype="NoEmail",
    ),
    _c(
        "mta-opensmtpd-message-too-big",
        "OpenSMTPD",
        "smtp; 554 5.3.4 Message too big for system: Transaction failed, message too big",
        "message_too_large",
        "OpenSMTPD smtpd/smtp_session.c + esc.c (Debian opensmtpd 6.8.0 strings '554 %s %s: "
        "Transaction failed, message too big') V",
    ),
    _c(
        "mta-opensmtpd-not-rfc2822",
        "OpenSMTPD",
        "smtp; 550 5.7.1 Delivery not authorized, message refused: Message is not RFC 2822 "
        "compliant",
        "policy_blocked",
        "OpenSMTPD smtpd/smtp_session.c + esc.c ('550 %s %s: Message is not RFC 2822 compliant') V",
    ),
    # ------------------------------------------------------------------ Rspamd
    _c(
        "mta-rspamd-spam-message-rejected",
        "Rspamd",
        "smtp; 554 5.7.1 Spam message rejected",
        "spam_filtered",
        "rspamd/rspamd src/libserver/cfg_rcl.c default reject message (Debian rspamd 3.4) V",
    ),
    _x(
        "mta-rspamd-greylist-try-again-later",
        "Rspamd",
        "451 4.7.1 Try again later",
        "soft_bounce",
        "rspamd/rspamd src/plugins/lua/greylist.lua (message = 'Try again later') V",
    ),
    _x(
        "mta-rspamd-ratelimit-exceeded",
        "Rspamd",
        '451 4.7.1 Ratelimit "bounce_to_ip" exceeded',
        "soft_bounce",
        "rspamd/rspamd src/plugins/lua/ratelimit.lua ('Ratelimit \"%s\" exceeded') V",
    ),
    _c(
        "mta-rspamd-forbidden-file-extension",
        "Rspamd",
        "smtp; 554 5.7.1 Matched map: FORBIDDEN_FILE_EXTENSION",
        "attachment_rejected",
        "github issue NethServer/dev#5811 V",
    ),
    _c(
        "mta-rspamd-forbidden-attachment-extension",
        "Rspamd",
        "smtp; 554 5.7.1 Forbidden attachment name extension",
        "attachment_rejected",
        "github issue NethServer/dev#5811 (proposed wording) V",
    ),
    _c(
        "mta-rspamd-dcc-rejected",
        "Rspamd",
        "smtp; 554 5.7.1 Rejected by DCC",
        "spam_filtered",
        "rspamd/rspamd src/plugins/lua/dcc.lua (Debian rspamd 3.4) V",
    ),
    # ------------------------------------------------------------------ Amavis
    _c(
        "mta-amavis-reject-spam",
        "Amavis",
        "smtp; 554 5.7.0 Reject, id=23375-02 - spam",
        "spam_filtered",
        "Debian amavisd-new Amavis.pm + Amavis/Conf.pm (%smtp_reason_by_ccat) V",
    ),
    _c(
        "mta-amavis-reject-infected",
        "Amavis",
        "smtp; 554 5.7.0 Reject, id=23375-03 - INFECTED: Eicar-Signature",
        "attachment_rejected",
        "Debian amavisd-new Amavis/Conf.pm ('id=%n - INFECTED: %V') V",
    ),
    _c(
        "mta-amavis-reject-banned",
        "Amavis",
        "smtp; 554 5.7.0 Reject, id=23375-04 - BANNED: .exe,invoice.exe",
        "attachment_rejected",
        "Debian amavisd-new Amavis/Conf.pm ('id=%n - BANNED: %F') V",
    ),
    _c(
        "mta-amavis-reject-bad-header",
        "Amavis",
        "smtp; 554 5.6.0 Reject, id=23375-05 - BAD HEADER: MIME error",
        "policy_blocked",
        "Debian amavisd-new Amavis/Conf.pm ('id=%n - BAD HEADER: MIME error') V",
    ),
    # ------------------------------------------------------------------ SpamAssassin milter
    _c(
        "mta-spamass-milter-blocked",
        "SpamAssassin",
        "smtp; 550 5.7.1 Blocked by SpamAssassin",
        "spam_filtered",
        "Debian spamass-milter 0.4 binary strings (default reject text) V",
    ),
)

MSNDR = (
    "learn.microsoft.com/exchange/mail-flow-best-practices/non-delivery-reports-in-exchange-"
    "online/non-delivery-reports-in-exchange-online (x13-me/OfficeDocs-Exchange mirror)"
)
ACK = "Exchange Server Microsoft.Exchange.Transport AckReason.cs (decompiled copy on GitHub)"
BROADCOM_162445 = "knowledge.broadcom.com/external/article/162445 (refusals seen from recipients)"
BROADCOM_169925 = "knowledge.broadcom.com/external/article/169925 (external spam filtering codes)"

CASES_MICROSOFT: tuple[DiagnosticCase, ...] = (
    # ------------------------------------------------------------------ Exchange Server
    _c(
        "mta-exchange-recipnotfound",
        "Microsoft Exchange",
        "smtp; 550 5.1.1 RESOLVER.ADR.RecipNotFound; not found",
        "mailbox_not_found",
        ACK + " (LocalRecipientAddressUnknown); pastebin.com/2SNHTj4Y V",
        subtype="NoEmail",
    ),
    _c(
        "mta-exchange-exrecipnotfound",
        "Microsoft Exchange",
        "smtp; 550 5.1.1 RESOLVER.ADR.ExRecipNotFound; not found",
        "mailbox_not_found",
        ACK + " (LocalRecipientExAddressUnknown); pastebin.com/e6yfDi5v V",
    ),
    _c(
        "mta-exchange-rst-not-authorized",
        "Microsoft Exchange",
        "smtp; 550 5.7.1 RESOLVER.RST.NotAuthorized; not authorized",
        "policy_blocked",
        ACK + " (RecipientPermissionRestricted) V",
    ),
    _c(
        "mta-exchange-rst-not-authorized-to-group",
        "Microsoft Exchange",
        "smtp; 550 5.7.1 RESOLVER.RST.NotAuthorizedToGroup; not authorized to send to the "
        "distribution list",
        "policy_blocked",
        ACK + " (RecipientPermissionRestrictedToGroup) V",
    ),
    _c(
        "mta-exchange-rst-auth-required",
        "Microsoft Exchange",
        "smtp; 550 5.7.1 RESOLVER.RST.AuthRequired; authentication required",
        "policy_blocked",
        ACK + " (NotAuthenticated); learn.microsoft.com public folder NDR article V",
    ),
    _c(
        "mta-exchange-recip-size-limit",
        "Microsoft Exchange",
        "smtp; 550 5.2.3 RESOLVER.RST.RecipSizeLimit; message too large for this recipient",
        "message_too_large",
        ACK + " (MessageTooLargeForReceiver) V",
    ),
    _c(
        "mta-exchange-send-size-limit-org",
        "Microsoft Exchange",
        "smtp; 550 5.2.3 RESOLVER.RST.SendSizeLimit.Org; message too large for this organization",
        "message_too_large",
        ACK + " (MessageTooLargeForOrganization) V",
    ),
    _c(
        "mta-exchange-dl-size-limit-administrative",
        "Microsoft Exchange",
        "smtp; 550 5.2.3 RESOLVER.RST.RecipSizeLimit.DL; message length exceeds administrative "
        "limit",
        "message_too_large",
        ACK + " (MessageTooLargeForDistributionList) V",
    ),
    _c(
        "mta-exchange-routing-size-limit",
        "Microsoft Exchange",
        "smtp; 550 5.3.4 ROUTING.SizeLimit; message size exceeds fixed maximum size for route",
        "message_too_large",
        ACK + " (MessageTooLargeForRoute) V",
    ),
    _c(
        "mta-exchange-dns-mx-loopback",
        "Microsoft Exchange",
        "smtp; 554 5.4.4 SMTPSEND.DNS.MxLoopback; DNS records for this domain are configured in "
        "a loop",
        "domain_not_found",
        ACK + " (DnsMxLoopback) V",
    ),
    _c(
        "mta-exchange-routing-no-next-hop",
        "Microsoft Exchange",
        "smtp; 550 5.4.4 ROUTING.NoNextHop; unable to route",
        "domain_not_found",
        ACK + " (NoNextHop) V",
    ),
    _c(
        "mta-exchange-routing-invalid-address-domain",
        "Microsoft Exchange",
        "smtp; 550 5.1.2 ROUTING.InvalidAddress; invalid address domain",
        "domain_not_found",
        ACK + " (InvalidAddressForRouting) V",
    ),
    _c(
        "mta-exchange-forwarding-loop",
        "Microsoft Exchange",
        "smtp; 550 5.4.6 RESOLVER.FWD.Loop; there is a forwarding loop configured in the directory",
        "hard_bounce",
        ACK + " (ExpansionLoopDetected) V",
    ),
    _c(
        "mta-exchange-misconfigured-forwarding",
        "Microsoft Exchange",
        "smtp; 550 5.2.0 RESOLVER.FWD.NotFound; misconfigured forwarding address",
        "hard_bounce",
        ACK + " (AlternateRecipientNotFound) V",
    ),
    _c(
        "mta-exchange-transport-rule-reject",
        "Microsoft Exchange",
        "smtp; 550 5.7.1 TRANSPORT.RULES.RejectMessage; the message was rejected by organization "
        "policy",
        "policy_blocked",
        ACK + " (TransportRuleReject) V",
    ),
    # "quarantined" here is the store isolating a broken mailbox, not a security product.
    _c(
        "mta-exchange-recipient-mailbox-quarantined",
        "Microsoft Exchange",
        "smtp; 550 5.7.9 STOREDRV.Deliver; Recipient mailbox quarantined.",
        "mailbox_disabled",
        ACK + " (RecipientMailboxQuarantined) V",
    ),
    _x(
        "mta-exchange-mailbox-database-offline",
        "Microsoft Exchange",
        "432 4.3.2 STOREDRV; mailbox database is offline",
        "soft_bounce",
        ACK + " (MDBOffline) V",
    ),
    # The server's disk, not the recipient's quota.
    _x(
        "mta-exchange-mailbox-disk-full",
        "Microsoft Exchange",
        "431 4.3.1 STOREDRV; mailbox disk is full",
        "soft_bounce",
        ACK + " (MailboxDiskFull) V",
    ),
    _x(
        "mta-exchange-recipient-thread-limit",
        "Microsoft Exchange",
        "432 4.3.2 STOREDRV.Deliver; recipient thread limit exceeded",
        "soft_bounce",
        ACK + " (RecipientThreadLimitExceeded); " + MSNDR + " V",
    ),
    _x(
        "mta-exchange-excessive-message-rate",
        "Microsoft Exchange",
        "450 4.5.0 Message rejected.  Excessive message rate from sender to recipient.",
        "soft_bounce",
        ACK + " (SenderRecipientThrottlingMessageRejected) V",
    ),
    _c(
        "mta-exchange-approval-not-authorized",
        "Microsoft Exchange",
        "smtp; 550 5.7.1 APPROVAL.NotAuthorized; message cannot be delivered.",
        "policy_blocked",
        ACK + " (ApprovalUnAuthorizedMessage) V",
    ),
    _c(
        "mta-exchange-storedrv-invalid-content",
        "Microsoft Exchange",
        "smtp; 554 5.6.0 STOREDRV.Deliver; invalid message content",
        "hard_bounce",
        ACK + " (InboundInvalidContent) V",
    ),
    _c(
        "mta-exchange-unable-to-relay",
        "Microsoft Exchange",
        "smtp; 550 5.7.1 Unable to relay",
        "policy_blocked",
        MSNDR + " (5.7.1 Unable to relay); " + BROADCOM_162445 + " V",
    ),
    _c(
        "mta-exchange-client-not-authenticated",
        "Microsoft Exchange",
        "smtp; 530 5.7.1 Client was not authenticated",
        "policy_blocked",
        MSNDR + " (5.7.1 Client was not authenticated) V",
    ),
    _c(
        "mta-exchange-sender-denied",
        "Microsoft Exchange",
        "smtp; 554 5.1.0 Sender denied",
        "policy_blocked",
        MSNDR + " (5.1.0 Sender denied); " + BROADCOM_162445 + " V",
    ),
    _c(
        "mta-exchange-content-filter-spam",
        "Microsoft Exchange",
        "smtp; 550 5.7.1 Message rejected as spam by Content Filtering.",
        "spam_filtered",
        BROADCOM_162445 + "; Exchange Content Filter agent default rejection V",
    ),
    _c(
        "mta-exchange-ip-block-list-provider",
        "Microsoft Exchange",
        "smtp; 550 5.7.1 Recipient not authorized, your IP has been found on a block list",
        "sender_blocklisted",
        BROADCOM_169925 + "; Exchange IP Block List Provider default rejection V",
    ),
    _c(
        "mta-exchange-content-restrictions",
        "Microsoft Exchange",
        "smtp; 550 5.7.1 Message rejected due to content restrictions",
        "policy_blocked",
        BROADCOM_162445 + " (content the recipient server found suspicious) V",
    ),
    _x(
        "mta-exchange-insufficient-system-resources",
        "Microsoft Exchange",
        "452 4.3.1 Insufficient system resources",
        "soft_bounce",
        "spambrella.com/faq/email-delivery-error-codes (Exchange back pressure) V",
    ),
    # ------------------------------------------------------------------ Exchange Online / EOP
    _c(
        "mta-m365-relay-access-denied-5.4.1",
        "Microsoft 365",
        "smtp; 550 5.4.1 Relay Access Denied",
        "policy_blocked",
        MSNDR + " (5.4.1 Relay Access Denied) V",
    ),
    _c(
        "mta-m365-tenant-attribution-relay-denied",
        "Microsoft 365",
        "smtp; 550 5.7.64 TenantAttribution; Relay Access Denied",
        "policy_blocked",
        MSNDR + " (5.7.64); github rgl/MailBounceDetector#11 V",
    ),
    _c(
        "mta-m365-5.7.504-recipient-access-denied",
        "Microsoft 365",
        "smtp; 550 5.7.504 [someone@example.com]: Recipient address rejected: Access denied",
        "mailbox_not_found",
        MSNDR + " (5.7.504: the recipient address is not valid) V",
    ),
    _c(
        "mta-m365-5.7.505-banned-recipient",
        "Microsoft 365",
        "smtp; 550 5.7.505 Access denied, banned recipient",
        "mailbox_not_found",
        MSNDR + " (5.7.505: the recipient is not valid) V",
    ),
    _c(
        "mta-m365-5.7.506-bad-helo",
        "Microsoft 365",
        "smtp; 550 5.7.506 Access Denied, Bad HELO",
        "policy_blocked",
        MSNDR + " V",
    ),
    _c(
        "mta-m365-5.7.507-rejected-by-recipient",
        "Microsoft 365",
        "smtp; 550 5.7.507 Access denied, rejected by recipient",
        "sender_blocklisted",
        MSNDR + " (5.7.507: the sending IP is blocked by the recipient's organization) V",
    ),
    _c(
        "mta-m365-5.7.510-no-ipv6",
        "Microsoft 365",
        "smtp; 550 5.7.510 Access denied, example.com does not accept email over IPv6",
        "policy_blocked",
        MSNDR + " V",
    ),
    _c(
        "mta-m365-5.7.512-rfc5322-from",
        "Microsoft 365",
        "smtp; 550 5.7.512 Access denied, message must be RFC 5322 section 3.6.2 compliant",
        "policy_blocked",
        MSNDR + " (no valid From header: the receiver's compliance policy) V",
    ),
    _c(
        "mta-m365-5.7.513-customer-block-list",
        "Microsoft 365",
        "smtp; 550 5.7.513 Service unavailable, Client host [192.0.2.10] blocked by example.com "
        "using Customer Block list (AS16012607)",
        "sender_blocklisted",
        MSNDR + " V",
    ),
    _c(
        "mta-m365-5.7.23-spf-violation",
        "Microsoft 365",
        "smtp; 550 5.7.23 The message was rejected because of Sender Policy Framework violation",
        "auth_failed",
        MSNDR + " V",
    ),
    _c(
        "mta-m365-5.7.25-ipv6-reverse-dns",
        "Microsoft 365",
        "smtp; 550 5.7.25 Access denied, the sending IPv6 address [2001:db8::10] must have a "
        "reverse DNS record",
        "policy_blocked",
        MSNDR + " V",
    ),
    _x(
        "mta-m365-4.7.26-ipv6-spf-or-dkim",
        "Microsoft 365",
        "451 4.7.26 Access denied, a message sent over IPv6 [2001:db8::10] must pass either SPF "
        "or DKIM validation, this message is not signed",
        "auth_failed",
        MSNDR + " V",
    ),
    _c(
        "mta-m365-5.7.12-not-authenticated-by-organization",
        "Microsoft 365",
        "smtp; 550 5.7.12 Sender was not authenticated by organization",
        "policy_blocked",
        MSNDR + " V",
    ),
    _c(
        "mta-m365-5.7.124-not-in-allowed-senders",
        "Microsoft 365",
        "smtp; 550 5.7.124 Sender not in allowed-senders list",
        "policy_blocked",
        MSNDR + " V",
    ),
    _c(
        "mta-m365-5.7.134-not-authenticated-for-mailbox",
        "Microsoft 365",
        "smtp; 550 5.7.134 RESOLVER.RST.SenderNotAuthenticatedForMailbox; Authentication "
        "required; Sender was not authenticated for mailbox",
        "policy_blocked",
        MSNDR + " (5.7.134) T",
    ),
    _c(
        "mta-m365-5.7.136-not-authenticated",
        "Microsoft 365",
        "smtp; 550 5.7.136 Sender was not authenticated",
        "policy_blocked",
        MSNDR + " (5.7.136) V",
    ),
    _c(
        "mta-m365-5.0.350-nested-attachments",
        "Microsoft 365",
        "smtp; 550 5.0.350 Requested action not taken: policy violation detected (AS345)",
        "attachment_rejected",
        MSNDR + " (5.0.350 AS345 is about nested attachments) V",
    ),
    _x(
        "mta-m365-4.7.500-server-busy",
        "Microsoft 365",
        "451 4.7.500 Server busy. Please try again later from [192.0.2.10]. (AS761)",
        "soft_bounce",
        "learn.microsoft.com .../fix-error-code-451-4-7-500-699-asxxx-in-exchange-online "
        "(IP throttling of a new sender) T",
    ),
    _x(
        "mta-m365-4.7.500-access-denied-try-later",
        "Microsoft 365",
        "451 4.7.500 Access denied, please try again later",
        "sender_blocklisted",
        MSNDR + " (4.7.500-699: suspicious activity, sending temporarily restricted) V",
    ),
)

STALWART_RCPT = "stalwartlabs/mail-server crates/smtp/src/inbound/rcpt.rs"
STALWART_MAIL = "stalwartlabs/mail-server crates/smtp/src/inbound/mail.rs"
HMAIL = "hmailserver/hmailserver hmailserver/source/Server/SMTP/SMTPConnection.cpp"
ICEWARP = (
    "docs.icewarp.com/Content/IceWarp-Server/Administration-Nodes/Status/Logs/"
    "Interpretation of 5xx Errors in Icewarp SMTP.htm"
)
DOMINO_REDBOOK = (
    "IBM Redbook 'Lotus Domino 6 spam Survival Guide' p.44 (manualowl.com/m/IBM/AH0QXML/"
    "Manual/336022?page=56)"
)
FTGATE = "docs.ftgate.com/ftgate-documentation/error-messages/service-error-messages/"

CASES_OTHER_MTAS: tuple[DiagnosticCase, ...] = (
    # ------------------------------------------------------------------ Stalwart
    # 5.1.2 on an unknown MAILBOX: the words must win over the status code.
    _c(
        "mta-stalwart-mailbox-does-not-exist",
        "Stalwart",
        "smtp; 550 5.1.2 Mailbox does not exist.",
        "mailbox_not_found",
        STALWART_RCPT + " V",
    ),
    _c(
        "mta-stalwart-relay-not-allowed",
        "Stalwart",
        "smtp; 550 5.1.2 Relay not allowed.",
        "policy_blocked",
        STALWART_RCPT + " V",
    ),
    # Greylisting with 4.2.2: not a full mailbox.
    _x(
        "mta-stalwart-greylisted-4.2.2",
        "Stalwart",
        "452 4.2.2 Greylisted, please try again in a few moments.",
        "soft_bounce",
        STALWART_RCPT + " V",
    ),
    _x(
        "mta-stalwart-unable-to-verify-address",
        "Stalwart",
        "451 4.4.3 Unable to verify address at this time.",
        "soft_bounce",
        STALWART_RCPT + " V",
    ),
    _x(
        "mta-stalwart-rate-limit-exceeded",
        "Stalwart",
        "452 4.4.5 Rate limit exceeded, try again later.",
        "soft_bounce",
        STALWART_RCPT + " V",
    ),
    _c(
        "mta-stalwart-reverse-dns-failed",
        "Stalwart",
        "smtp; 550 5.7.25 Reverse DNS validation failed.",
        "policy_blocked",
        STALWART_MAIL + " V",
    ),
    _c(
        "mta-stalwart-spf-validation-failed",
        "Stalwart",
        "smtp; 550 5.7.23 SPF validation failed, status: fail.",
        "auth_failed",
        STALWART_MAIL + " (handle_spf) V",
    ),
    _c(
        "mta-stalwart-message-too-big",
        "Stalwart",
        "smtp; 552 5.3.4 Message too big for system.",
        "message_too_large",
        STALWART_MAIL + " V",
    ),
    # ------------------------------------------------------------------ hMailServer
    _c(
        "mta-hmailserver-unknown-user",
        "hMailServer",
        "smtp; 550 Unknown user",
        "mailbox_not_found",
        HMAIL + " (_ProtocolRCPT) V",
        subtype="NoEmail",
    ),
    _c(
        "mta-hmailserver-delivery-not-allowed",
        "hMailServer",
        "smtp; 550 Delivery is not allowed to this address.",
        "policy_blocked",
        HMAIL + " (IP range relay options) V",
    ),
    _c(
        "mta-hmailserver-smtp-auth-required",
        "hMailServer",
        "smtp; 530 SMTP authentication is required.",
        "policy_blocked",
        HMAIL + " (RequireSMTPAuthExternalToLocal) V",
    ),
    _x(
        "mta-hmailserver-greylisting",
        "hMailServer",
        "451 Please try again later.",
        "soft_bounce",
        HMAIL + " (PerformGreyListing) V",
    ),
    _c(
        "mta-hmailserver-message-size",
        "hMailServer",
        "smtp; 552 Message size exceeds fixed maximum message size. Size: 30720 KB, Max size: "
        "20480 KB",
        "message_too_large",
        HMAIL + " (_ProtocolMAIL SIZE check) V",
    ),
    _c(
        "mta-hmailserver-bare-lf",
        "hMailServer",
        "smtp; 554 Rejected - Message containing bare LF's.",
        "policy_blocked",
        HMAIL + " (_OnPreAcceptTransfer) V",
    ),
    # ------------------------------------------------------------------ HCL / Lotus Domino
    _c(
        "mta-domino-not-listed-in-directory",
        "Domino",
        "x-notes; User someone (someone@example.com) not listed in Domino Directory",
        "mailbox_not_found",
        "HCL Domino DSN text as quoted in public bounce fixtures (e.g. Drupal bounce module "
        "nouser.eml) V",
        bounce_type="Undetermined",
        subtype="Undetermined",
        status="5.1.1",
    ),
    _c(
        "mta-domino-not-listed-in-directory-smtp",
        "Domino",
        "smtp; 550 5.1.1 User someone (someone@example.com) not listed in Domino Directory",
        "mailbox_not_found",
        "HCL Domino recipient check, relayed by a front-end MTA T",
    ),
    _c(
        "mta-domino-not-listed-in-nab",
        "Domino",
        "x-notes; User someone (someone@example.com) not listed in public Name & Address Book",
        "mailbox_not_found",
        "Lotus Notes/Domino R5 DSN wording T",
        bounce_type="Undetermined",
        subtype="Undetermined",
        status="5.1.1",
    ),
    _c(
        "mta-domino-mail-from-rejected-policy",
        "Domino",
        "smtp; 554 Mail from rejected for policy reasons.",
        "policy_blocked",
        DOMINO_REDBOOK + " (inbound sender controls) V",
    ),
    _c(
        "mta-domino-message-rejected-policy",
        "Domino",
        "smtp; 554 Message rejected for policy reasons.",
        "policy_blocked",
        DOMINO_REDBOOK + " (server mail rule) V",
    ),
    _c(
        "mta-domino-private-blacklist",
        "Domino",
        "smtp; 550 Your host 192.0.2.10 was blacklisted.",
        "sender_blocklisted",
        "HCL Domino 8.5 admin help 'Private Blacklist Filters' (example rejection text) V",
    ),
    # ------------------------------------------------------------------ IceWarp
    _c(
        "mta-icewarp-message-too-long",
        "IceWarp",
        "smtp; 501 5.7.1 Message is too long",
        "message_too_large",
        ICEWARP + " V",
    ),
    _c(
        "mta-icewarp-permission-denied-rdns",
        "IceWarp",
        "smtp; 501 5.7.1 Permission denied",
        "policy_blocked",
        ICEWARP + " ('Reject if originator's IP has no rDNS') V",
    ),
    _c(
        "mta-icewarp-unknown-user-rejecting",
        "IceWarp",
        "smtp; 550 5.1.1 Unknown user; rejecting",
        "mailbox_not_found",
        "qsh.cc/Support/KB/Emails/SMTP-Error-Codes/550-5-1-1-Unknown-user (IceWarp-based host) V",
    ),
    # ------------------------------------------------------------------ Kerio Connect
    _c(
        "mta-kerio-relaying-is-denied",
        "Kerio Connect",
        "smtp; 550 5.7.1 Relaying is denied",
        "policy_blocked",
        "support.kerioconnect.gfi.com/hc/en-us/articles/4416310418706 V",
    ),
    _x(
        "mta-kerio-cannot-connect-to-host",
        "Kerio Connect",
        "451 4.4.1 Cannot connect to host",
        "soft_bounce",
        "support.kerioconnect.gfi.com/hc/en-us/articles/4416310418706 ('Status: 4.4.1 Cannot "
        "connect to host') T",
    ),
    # ------------------------------------------------------------------ FTGate
    _x(
        "mta-ftgate-mailbox-disabled",
        "FTGate",
        "451 4.2.1 mx.example.com mailbox disabled (#3.13)",
        "mailbox_disabled",
        FTGATE + " (ERR_SMTP_MAILBOX_DISABLED) V",
    ),
    _x(
        "mta-ftgate-mailbox-full",
        "FTGate",
        "451 4.2.2 mx.example.com mailbox full (#3.14)",
        "mailbox_full",
        FTGATE + " (ERR_SMTP_MAILBOX_FULL) V",
    ),
    # ------------------------------------------------------------------ MDaemon
    _x(
        "mta-mdaemon-disabled-account-4xx",
        "MDaemon",
        "450 4.2.1 someone@example.com mailbox is disabled",
        "mailbox_disabled",
        "MDaemon 15.0 release notes [14292] (4xx to disabled or frozen accounts), via "
        "mail-archive.com/mdaemon-l msg51058 T",
    ),
    _c(
        "mta-mdaemon-over-quota-552",
        "MDaemon",
        "smtp; 552 5.2.2 Message for someone@example.com would exceed mailbox quota",
        "mailbox_full",
        "MDaemon 'SMTP server sends 552 when account is over quota' option T",
    ),
    # ------------------------------------------------------------------ others (typical forms)
    _c(
        "mta-communigate-unknown-user-account",
        "CommuniGate Pro",
        "smtp; 550 5.1.1 unknown user account",
        "mailbox_not_found",
        "CommuniGate Pro unknown-account rejection T",
    ),
    _c(
        "mta-communigate-account-full",
        "CommuniGate Pro",
        "smtp; 552 5.2.2 account is full (quota exceeded)",
        "mailbox_full",
        "CommuniGate Pro quota rejection T",
    ),
    _c(
        "mta-axigen-mailbox-unavailable",
        "Axigen",
        "smtp; 550 5.1.1 Mailbox unavailable or access denied",
        "mailbox_not_found",
        "Axigen RCPT rejection for an unknown local recipient T",
    ),
    _c(
        "mta-smartermail-no-such-user",
        "SmarterMail",
        "smtp; 550 <someone@example.com> No such user here",
        "mailbox_not_found",
        "agnx.com/helpdesk SMTP error codes ('No such user here') V",
    ),
    _c(
        "mta-mailenable-mailbox-unavailable-not-local",
        "MailEnable",
        "smtp; 550 Requested action not taken: mailbox unavailable or not local",
        "hard_bounce",
        "mailenable.com/kb/viewarticle.asp?File=me020032.htm (SMTP inbound response codes) T",
    ),
    _c(
        "mta-james-relaying-denied",
        "Apache James",
        "smtp; 550 5.7.1 Requested action not taken: relaying denied",
        "policy_blocked",
        "apache/james-project SMTP relay hook reply T",
    ),
    # ------------------------------------------------------------------ AWS SES itself
    _c(
        "mta-ses-simulator-user-unknown",
        "AWS SES",
        "smtp; 550 5.1.1 user unknown",
        "mailbox_not_found",
        "awsdocs/amazon-ses-developer-guide doc-source/notification-contents.md (bounce "
        "example, bounce@simulator.amazonses.com) V",
    ),
    _x(
        "mta-ses-expired-unable-to-connect",
        "AWS SES",
        "421 4.4.1 Unable to connect to remote host",
        "soft_bounce",
        "shared/reference/ses-events.md sec. 3 (delayedRecipients example) V",
    ),
)

MIMECAST_KB = "community.mimecast.com/docs/DOC-1369 (Mimecast SMTP Error Codes)"
AC_554 = "ActiveCampaign/smtp-field-manual data/codes/554.json spamFilters"
TREND_DDEI = (
    "docs.trendmicro.com/en-us/documentation/article/deep-discovery-email-inspector-51-online-"
    "help-smtp-error-codes"
)
ASSP = "maxclicksonline.com knowledgebase id=10095 (ASSP bounced back messages)"
BARUWA = "bastion.umanix.net/info (Baruwa gateway rejection texts; reply code typical)"
EVERYCLOUD = (
    "support.everycloud.com/support/solutions/articles/4000007755 (Hornetsecurity/"
    "antispameurope classification codes)"
)

CASES_GATEWAYS: tuple[DiagnosticCase, ...] = (
    # ------------------------------------------------------------------ Mimecast
    _x(
        "mta-mimecast-421-sender-address-blocked",
        "Mimecast",
        "421 Sender address blocked - https://community.mimecast.com/docs/DOC-1369#421 "
        "[Ab1Cd2Ef3Gh4.uk12]",
        "security_gateway",
        MIMECAST_KB + " 4xx table ('blocked by a Blocked Senders Policy') V",
    ),
    _x(
        "mta-mimecast-421-unable-to-process",
        "Mimecast",
        "421 Unable to process connection at this time - "
        "https://community.mimecast.com/docs/DOC-1369#421 [Ab1Cd2Ef3Gh4.uk13]",
        "soft_bounce",
        MIMECAST_KB + " 4xx table ('server is under maximum load') V",
    ),
    _c(
        "mta-mimecast-local-ct-ip-reputation",
        "Mimecast",
        "smtp; 550 Local CT IP Reputation - (reject) - "
        "https://community.mimecast.com/docs/DOC-1369#550 [Ab1Cd2Ef3Gh4.uk14]",
        "sender_blocklisted",
        MIMECAST_KB + " 5xx table, as quoted in sisimai lib/sisimai/rhost/mimecast V",
    ),
    _c(
        "mta-mimecast-csi-poor-reputation",
        "Mimecast",
        "smtp; 550 csi.mimecast.org Poor Reputation Sender. - http://kb.mimecast.com/"
        "Mimecast_Knowledge_Base/Administration_Console/Monitoring/Mimecast_SMTP_Error_Codes#550",
        "sender_blocklisted",
        "pastebin.com/A5BgtgEm (real Exim bounce from za-smtp-inbound-2.mimecast.co.za) V",
        remote_mta="dns; za-smtp-inbound-2.mimecast.co.za",
    ),
    _c(
        "mta-mimecast-anti-spoofing-inbound",
        "Mimecast",
        "smtp; 550 Anti-Spoofing policy - Inbound not allowed - "
        "https://community.mimecast.com/docs/DOC-1369#550 [Ab1Cd2Ef3Gh4.uk15]",
        "security_gateway",
        MIMECAST_KB + " T",
    ),
    _c(
        "mta-mimecast-invalid-recipient-550",
        "Mimecast",
        "smtp; 550 Invalid Recipient - https://community.mimecast.com/docs/DOC-1369#550 "
        "[Ab1Cd2Ef3Gh4.uk16]",
        "mailbox_not_found",
        MIMECAST_KB + " T",
        subtype="NoEmail",
    ),
    # ------------------------------------------------------------------ Proofpoint
    _c(
        "mta-proofpoint-dnsbl-lookup-greeting",
        "Proofpoint",
        "smtp; 554 5.7.0 Blocked - see https://support.proofpoint.com/dnsbl-lookup.cgi?"
        "ip=192.0.2.10",
        "sender_blocklisted",
        "github issue zone-eu/zone-mta#301 (icloud.com MX greeting) V",
    ),
    _c(
        "mta-proofpoint-ipcheck-550-5.7.0",
        "Proofpoint",
        "smtp; 550 5.7.0 Blocked - see https://ipcheck.proofpoint.com/?ip=192.0.2.10",
        "sender_blocklisted",
        "github issue LukeSmithxyz/emailwiz#233 (mxb-001.gslb.pphosted.com) V",
        remote_mta="dns; mxb-001.gslb.pphosted.com",
    ),
    _c(
        "mta-proofpoint-relay-access-denied",
        "Proofpoint",
        "smtp; 554 5.7.1 <someone@example.com>: Relay access denied",
        "policy_blocked",
        AC_554 + " proofpoint (help.proofpoint.com Essentials article) V",
        remote_mta="dns; mx1-us1.ppe-hosted.com",
    ),
    # Misleading pair for a gateway: "Domain not found" about OUR sender.
    _c(
        "mta-proofpoint-sender-domain-not-found",
        "Proofpoint",
        "smtp; 550 5.1.8 <bounce@mail.example.net>: Sender address rejected: Domain not found",
        "policy_blocked",
        "github PR ActiveCampaign/smtp-field-manual#54 (Proofpoint, non-existent sender domain) V",
        remote_mta="dns; mx0a-00123456.pphosted.com",
    ),
    # ------------------------------------------------------------------ Barracuda
    _c(
        "mta-barracuda-cuda-nsu-virtual-alias",
        "Barracuda",
        "smtp; 550 cuda_nsu 5.1.1 <someone@example.com>: Recipient address rejected: User "
        "unknown in virtual alias table",
        "mailbox_not_found",
        "LKML thread (Mel Gorman patch; bounce from cuda-allmx host), public list archives V",
        remote_mta="dns; cuda-allmx.example.com",
    ),
    _c(
        "mta-barracuda-permanent-failure-spam",
        "Barracuda",
        "smtp; 550 permanent failure for one or more recipients (someone@example.com:spam)",
        "spam_filtered",
        "Barracuda Email Security Gateway per-recipient verdict form T",
    ),
    # ------------------------------------------------------------------ Cisco Secure Email
    _c(
        "mta-cisco-access-rejected-rat",
        "Cisco Secure Email",
        "smtp; 550 #5.7.1 Your access to submit messages to this e-mail system has been rejected.",
        "security_gateway",
        "pastebin.com/jhdNMiyp (Postfix DSN from free.fr; Cisco RAT default reject) V",
    ),
    _c(
        "mta-cisco-sbrs-poor-reputation",
        "Cisco Secure Email",
        "smtp; 554-mx.example.com 554 Your access to this mail system has been rejected due to "
        "the sending MTA's poor reputation. If you believe that this failure is in error, please "
        "contact the intended recipient via alternate means.",
        "sender_blocklisted",
        "pastebin.com/18ewYuZs (Exim bounce, greeting refusal; Cisco HAT SBRS reject) V",
        remote_mta="dns; esa1.hc1234-56.iphmx.com",
    ),
    # ------------------------------------------------------------------ Symantec / Broadcom
    _c(
        "mta-symantec-connection-rejected-by-policy-7.7",
        "Symantec Email Security.cloud",
        "smtp; 501 Connection rejected by policy [7.7] 20805, please visit "
        "www.messagelabs.com/support for more details about this error message.",
        "sender_blocklisted",
        "knowledge.broadcom.com/external/article/164955 (negative IP reputation) V",
    ),
    _c(
        "mta-symantec-envelope-sender-rejected",
        "Symantec Email Security.cloud",
        "smtp; 553 Envelope sender rejected",
        "policy_blocked",
        BROADCOM_162445 + " V",
    ),
    _c(
        "mta-symantec-spf-check-failed",
        "Symantec Email Security.cloud",
        "smtp; 550 SPF check failed. Sender not authorized",
        "auth_failed",
        BROADCOM_162445 + " V",
    ),
    _c(
        "mta-symantec-spf-unauthorized-prohibited",
        "Symantec Email Security.cloud",
        "smtp; 550 5.7.1 SPF unauthorized mail is prohibited.",
        "auth_failed",
        BROADCOM_162445 + " V",
    ),
    # ------------------------------------------------------------------ Trend Micro
    _c(
        "mta-trendmicro-no-domain",
        "Trend Micro",
        "smtp; 554 5.7.1 <someone@example.com>: Recipient address rejected: NO-DOMAIN.",
        "policy_blocked",
        AC_554 + " trendmicro 3 (success.trendmicro.com solution 1120618) V",
    ),
    _c(
        "mta-trendmicro-block-rcpt",
        "Trend Micro",
        "smtp; 554 5.7.1 <someone@example.com>: Recipient address rejected: BLOCK-RCPT.",
        "policy_blocked",
        AC_554 + " trendmicro 4 V",
    ),
    _c(
        "mta-trendmicro-ddei-rbl-plus",
        "Trend Micro",
        "smtp; 550 Permanent denial of connection (550) for RBL+ matches (ERS)",
        "sender_blocklisted",
        TREND_DDEI + " V",
    ),
    _x(
        "mta-trendmicro-ddei-zombie",
        "Trend Micro",
        "450 Temporary denial of connection (450) for Zombie matches (ERS)",
        "sender_blocklisted",
        TREND_DDEI + " V",
    ),
    _c(
        "mta-trendmicro-ddei-block-permanently",
        "Trend Micro",
        "smtp; 521 Block permanently (Sender Filtering/Authentication)",
        "security_gateway",
        TREND_DDEI + " (DHA, bounce attack, throttling or SPF/DKIM/DMARC: no single verdict) V",
    ),
    _x(
        "mta-trendmicro-ers-deferred",
        "Trend Micro",
        "450 4.7.1 Client host rejected: deferred using Trend Micro Email Reputation database. "
        "Please see https://servicecentral.trendmicro.com/en-us/ers/ip-lookup/?ip=192.0.2.10",
        "sender_blocklisted",
        "Trend Micro ERS deferral wording T",
    ),
    # ------------------------------------------------------------------ Hornetsecurity
    _c(
        "mta-hornetsecurity-spam-ip-rejected",
        "Hornetsecurity",
        "smtp; 554 5.5.4 Spam IP rejected",
        "sender_blocklisted",
        EVERYCLOUD + " T",
    ),
    _c(
        "mta-hornetsecurity-rejected-content-attachment",
        "Hornetsecurity",
        "smtp; 554 5.5.7 e-mail Rejected Content Attachment",
        "attachment_rejected",
        EVERYCLOUD + " T",
    ),
    _c(
        "mta-hornetsecurity-spam-link-rejected",
        "Hornetsecurity",
        "smtp; 554 5.6.2 Spam Link rejected",
        "spam_filtered",
        EVERYCLOUD + " T",
    ),
    # ------------------------------------------------------------------ other gateways
    _c(
        "mta-zerospam-not-in-recipient-list",
        "ZEROSPAM",
        "smtp; 554 5.7.1 <someone@example.com>: Recipient address rejected: Not in recipient list",
        "mailbox_not_found",
        AC_554 + " zerospam V",
    ),
    _c(
        "mta-spamexperts-classified-as-spam",
        "SpamExperts",
        "smtp; 550 5.7.1 This message was classified as SPAM and may not be delivered",
        "spam_filtered",
        "SpamExperts (N-able Mail Assure) incoming filter rejection T",
    ),
    _c(
        "mta-fortimail-fortiguard-antispam",
        "FortiMail",
        "smtp; 550 5.7.1 Email rejected by FortiGuard AntiSpam service",
        "spam_filtered",
        "FortiMail FortiGuard antispam reject action T",
    ),
    _x(
        "mta-fortimail-greylist",
        "FortiMail",
        "451 4.3.0 Greylisted, please try again later",
        "soft_bounce",
        "docs.fortinet.com/document/fortimail/6.4.0/cli-reference/427619 (greylist: temporary "
        "reject of an unknown server) T",
    ),
    _c(
        "mta-libraesva-rejected-spam",
        "Libraesva",
        "smtp; 554 5.7.1 Message rejected: spam detected by Libraesva ESG",
        "spam_filtered",
        "Libraesva ESG spam reject T",
    ),
    _c(
        "mta-assp-service-denied",
        "ASSP",
        "smtp; 554 5.7.2 Service denied, closing transmission channel (m1-12345-01)",
        "sender_blocklisted",
        ASSP + " ('sender mailserver ip address is blocked ... at ip level') V",
    ),
    _c(
        "mta-assp-appears-unsolicited",
        "ASSP",
        "smtp; 554 5.7.1 Mail (m1-12345-02) appears to be unsolicited - resend with the code "
        "xxxxxxx appended to subject and ask to have your email whitelisted.",
        "spam_filtered",
        ASSP + " V",
    ),
    _c(
        "mta-assp-attachments-not-allowed",
        "ASSP",
        "smtp; 500 These attachments are not allowed -- Please compress (zip,tar..) them before "
        "mailing.",
        "attachment_rejected",
        ASSP + " V",
    ),
    _c(
        "mta-assp-appears-infected",
        "ASSP",
        "smtp; 554 5.7.1 Mail appears infected with Eicar-Test-Signature -- disinfect and resend.",
        "attachment_rejected",
        ASSP + " V",
    ),
    _x(
        "mta-assp-delaying-filter",
        "ASSP",
        "451 4.7.1 Please try again later",
        "soft_bounce",
        ASSP + " (delaying filter) V",
    ),
    _c(
        "mta-baruwa-sender-ip-banned",
        "Baruwa",
        "smtp; 550 The sender 192.0.2.10 is banned",
        "sender_blocklisted",
        BARUWA + " V",
    ),
    _c(
        "mta-baruwa-sender-verification-failed",
        "Baruwa",
        "smtp; 550 Sender verification failed",
        "policy_blocked",
        BARUWA + " V",
    ),
    _c(
        "mta-baruwa-address-does-not-exist",
        "Baruwa",
        "smtp; 550 The email address does not exist",
        "mailbox_not_found",
        BARUWA + " V",
    ),
    _c(
        "mta-cpanel-exim-junkmail-rbl",
        "Exim",
        'smtp; 550-"JunkMail rejected - a8-17.smtp-out.example.net [192.0.2.10]:40598 is in an '
        "RBL 550-on csi.cloudmark.com/reset-request/?ip=192.0.2.10 , see Poor Reputation "
        '550 Sender"',
        "sender_blocklisted",
        "pastebin.com/ZR4Gcwca (cPanel Exim RBL ACL message) V",
    ),
)

TRELLIX = "docs.trellix.com/data-and-email/docs/error-codes (Trellix Email Security - Cloud)"

CASES_MORE_GATEWAYS: tuple[DiagnosticCase, ...] = (
    _c(
        "mta-trendmicro-hes-ers-rbl",
        "Trend Micro",
        "smtp; 550 5.7.1 <someone@example.com>: Recipient address rejected: ERS-RBL.",
        "sender_blocklisted",
        "pastebin.com/VaFdFSVL (Postfix DSN, host in.hes.trendmicro.com) V",
        remote_mta="dns; in.hes.trendmicro.com",
    ),
    _c(
        "mta-halon-recipient-rejected-503",
        "Halon",
        "smtp; 550 5.1.1 yG4QZNGttZRyvyG4QZgw6k Recipient Rejected [503]",
        "mailbox_not_found",
        "pastebin.com/S0ay8vQY (one.com Halon Mail Gateway relay DSN) V",
    ),
    _c(
        "mta-postfix-recipient-rejected-policy-reasons",
        "Postfix",
        "smtp; 554 5.7.1 <someone@example.com>: Recipient address rejected: Recipient address "
        "rejected for policy reasons",
        "policy_blocked",
        "pastebin.com/mab2zkNE (Exim bounce quoting a Postfix access-map refusal) V",
    ),
    _c(
        "mta-trellix-etp-invalid-recipient",
        "Trellix",
        "smtp; 550 5.1.1 ETP102 Invalid recipient",
        "mailbox_not_found",
        TRELLIX + " (ETP102: the upstream MTA rejected the recipient) T",
    ),
    _c(
        "mta-trellix-etp-routing-loop",
        "Trellix",
        "smtp; 554 5.4.6 ETP104 Routing loop detected",
        "hard_bounce",
        TRELLIX + " (ETP104) T",
    ),
    # Sophos and Forcepoint: the product is known from the MX host, the text is generic.
    _c(
        "mta-sophos-command-rejected-hydra",
        "Sophos",
        "smtp; 550 5.7.1 Command rejected",
        "security_gateway",
        "Sophos Email (hydra.sophos.com MX) generic refusal T",
        remote_mta="dns; mx-01-eu-central-1.prod.hydra.sophos.com",
    ),
    _c(
        "mta-sophos-user-unknown-hydra",
        "Sophos",
        "smtp; 550 5.1.1 <someone@example.com>: Recipient address rejected: User unknown",
        "mailbox_not_found",
        "Sophos Email (hydra.sophos.com MX) recipient verification T",
        remote_mta="dns; mx-01-eu-central-1.prod.hydra.sophos.com",
    ),
    _x(
        "mta-sophos-greylisted-hydra",
        "Sophos",
        "451 4.7.1 Greylisting in action, please come back later",
        "soft_bounce",
        "Sophos Email / UTM greylisting deferral T",
    ),
    _c(
        "mta-forcepoint-sender-blocked-mailcontrol",
        "Forcepoint",
        "smtp; 550 5.7.1 Message rejected: sender address blocked by recipient",
        "security_gateway",
        "Forcepoint Email Security Cloud (mailcontrol.com MX) block-list refusal T",
        remote_mta="dns; cluster-a.mailcontrol.com",
    ),
    _c(
        "mta-forcepoint-spam-mailcontrol",
        "Forcepoint",
        "smtp; 554 5.7.1 Message rejected as spam by the recipient's email filter",
        "spam_filtered",
        "Forcepoint Email Security Cloud (mailcontrol.com MX) spam refusal T",
        remote_mta="dns; cluster-a.mailcontrol.com",
    ),
)


CASES: tuple[DiagnosticCase, ...] = (
    CASES_POSTFIX
    + CASES_OSS
    + CASES_MICROSOFT
    + CASES_OTHER_MTAS
    + CASES_GATEWAYS
    + CASES_MORE_GATEWAYS
)
