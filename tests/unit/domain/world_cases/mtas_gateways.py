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
        reporting_mta=SES_MTA,
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
    _c(
        "mta-postfix-user-unknown-bare",
        "Postfix",
        "smtp; 550 5.1.1 <someone@example.com>: Recipient address rejected: User unknown",
        "mailbox_not_found",
        PF + "; shared/reference/ses-events.md sample V",
        subtype="NoEmail",
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
    _x(
        "mta-postfix-recipient-domain-not-found-450-expired",
        "Postfix",
        "450 4.1.2 <someone@example.invalid>: Recipient address rejected: Domain not found",
        "domain_not_found",
        PF + " (reject_unknown_recipient_domain) V",
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
        "mta-postfix-relay-suspended-lost-connection-undetermined",
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
    _c(
        "mta-exim-unrouteable-address-rcpt",
        "Exim",
        "smtp; 550 Unrouteable address",
        "domain_not_found",
        EXIM + " (verify = recipient, no router) V",
    ),
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
        "mta-haraka-relaying-denied",
        "Haraka",
        "smtp; 550 5.7.1 Relaying denied",
        "policy_blocked",
        HARAKA_DSN + " (relaying_denied) V",
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
        "hard_bounce",
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
        "hard_bounce",
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


CASES: tuple[DiagnosticCase, ...] = CASES_POSTFIX + CASES_OSS
