"""Misleading pairs from issue 13: replies whose words look like one reason but mean
another, each next to its look-alike, with where the wording comes from.

The labels follow docs/spec/outcomes.md by meaning ("whose problem" first). ``source``
names the MTA source file, provider page or public test corpus the wording was taken
from and ends in ``V`` (wording checked against that source) or ``T`` (the typical form
the source documents; addresses, IPs and hosts replaced by placeholders).
"""

from __future__ import annotations

import re

from tests.unit.domain.real_world_diagnostics import DiagnosticCase

_CODE = re.compile(r"(?<![\d.])([245]\.\d{1,3}\.\d{1,3})(?![\d])")


def _expired(inner: str) -> str:
    return f"smtp; 554 4.4.7 Message expired: unable to deliver in 840 minutes.<{inner}>"


def _case(
    case_id: str,
    mta: str,
    diagnostic: str,
    expected: str,
    source: str,
    *,
    bounce_type: str = "Permanent",
    subtype: str = "General",
    status: str | None = None,
) -> DiagnosticCase:
    if status is None:
        found = _CODE.search(diagnostic)
        status = found.group(1) if found else ("5.0.0" if bounce_type == "Permanent" else "4.0.0")
    return DiagnosticCase(
        case_id=f"pair-{case_id}",
        bounce_type=bounce_type,
        bounce_subtype=subtype,
        status=status,
        diagnostic=diagnostic,
        expected_reason=expected,
        source=source,
        mta=mta,
    )


def _deferred(case_id: str, mta: str, inner: str, expected: str, source: str) -> DiagnosticCase:
    return _case(
        case_id, mta, _expired(inner), expected, source, bounce_type="Transient", status="4.4.7"
    )


PF = "Postfix smtpd_check.c / postconf(5) reject texts"
EX = "Exim ACL/router messages (Exim spec, ch. 'Access control lists', 'verify = sender')"
SM = "Sendmail cf/m4 proto.m4 + srvrsmtp.c texts"

CASES: tuple[DiagnosticCase, ...] = (
    # ---- 1. our sender refused vs the recipient missing --------------------------------
    _case(
        "postfix-sender-domain-not-found",
        "Postfix",
        "smtp; 550 5.1.8 <bounce@example.com>: Sender address rejected: Domain not found",
        "policy_blocked",
        PF + " (reject_unknown_sender_domain) T",
    ),
    _case(
        "postfix-recipient-domain-not-found",
        "Postfix",
        "smtp; 550 5.1.2 <user@example.net>: Recipient address rejected: Domain not found",
        "domain_not_found",
        PF + " (reject_unknown_recipient_domain) T",
    ),
    _case(
        "postfix-unlisted-sender",
        "Postfix",
        "smtp; 550 5.1.0 <bounce@example.com>: Sender address rejected: User unknown in "
        "local recipient table",
        "policy_blocked",
        PF + " (reject_unlisted_sender) T",
    ),
    _case(
        "postfix-unlisted-recipient",
        "Postfix",
        "smtp; 550 5.1.1 <user@example.net>: Recipient address rejected: User unknown in "
        "local recipient table",
        "mailbox_not_found",
        PF + " (reject_unlisted_recipient) V",
    ),
    _case(
        "postfix-unverified-sender",
        "Postfix",
        "smtp; 550 5.1.7 <bounce@example.com>: Sender address rejected: unverified address: "
        "host mx.example.com[192.0.2.5] said: 550 5.1.1 <bounce@example.com>: Recipient "
        "address rejected: User unknown",
        "policy_blocked",
        PF + " (reject_unverified_sender) T",
    ),
    _case(
        "postfix-unverified-recipient",
        "Postfix",
        "smtp; 550 5.1.1 <user@example.net>: Recipient address rejected: undeliverable "
        "address: host mail.example.net[192.0.2.6] said: 550 5.1.1 <user@example.net>: "
        "Recipient address rejected: User unknown in virtual mailbox table",
        "mailbox_not_found",
        PF + " (reject_unverified_recipient) T",
    ),
    _case(
        "postfix-sender-not-owned",
        "Postfix",
        "smtp; 553 5.7.1 <bounce@example.com>: Sender address rejected: not owned by user x",
        "policy_blocked",
        PF + " (reject_sender_login_mismatch) T",
    ),
    _case(
        "sendmail-domain-of-sender",
        "Sendmail",
        "smtp; 553 5.1.8 <bounce@example.com>... Domain of sender address "
        "bounce@example.com does not exist",
        "policy_blocked",
        SM + " (check_mail: Domain of sender address) V",
    ),
    _deferred(
        "sendmail-domain-of-sender-resolve",
        "Sendmail",
        "451 4.1.8 Domain of sender address bounce@example.com does not resolve",
        "policy_blocked",
        SM + " (check_mail, temporary DNS failure) T",
    ),
    _case(
        "sendmail-user-unknown",
        "Sendmail",
        "smtp; 550 5.1.1 <user@example.net>... User unknown",
        "mailbox_not_found",
        SM + " V",
    ),
    _case(
        "exim-sender-verify-failed",
        "Exim",
        "smtp; 550-Verification failed for <bounce@example.com> 550-Unrouteable address "
        "550 Sender verify failed",
        "policy_blocked",
        EX + " V",
    ),
    _case(
        "exim-unrouteable-sender-address",
        "Exim",
        "smtp; 550 Unroutable sender address",
        "policy_blocked",
        "issue 13 list; Exim 'verify = sender' failures T",
    ),
    _case(
        "exim-unrouteable-recipient",
        "Exim",
        "smtp; 550 5.1.2 Unrouteable address",
        "domain_not_found",
        "Exim route.c 'Unrouteable address' (no route to the recipient domain) V",
    ),
    _case(
        "infomaniak-sender-domain-4.1.8",
        "Postfix",
        "smtp; 450 4.1.8 <bounce@example.com>: Sender address rejected: Domain not found",
        "policy_blocked",
        PF + " (unknown_address_reject_code 450) T",
        bounce_type="Transient",
    ),
    _case(
        "spectrum-sender-rejected",
        "Spectrum",
        "smtp; 550 5.1.0 <bounce@example.com> sender rejected. Please see "
        "https://www.spectrum.net/support/internet/understanding-email-error-codes for more "
        "information. AUP#In-1310",
        "sender_blocklisted",
        "github issue sisimai/p5-sisimai#395 (same wording) T",
    ),
    _case(
        "qmail-sender-rejected",
        "qmail",
        "smtp; 553 sorry, your envelope sender has been denied (#5.7.1)",
        "policy_blocked",
        "qmail-smtpd.c err_bmf() V",
    ),
    _case(
        "qmail-no-mailbox",
        "qmail",
        "smtp; 550 Sorry, no mailbox here by that name. (#5.1.1)",
        "mailbox_not_found",
        "qmail-local.c / vpopmail texts V",
    ),
    _case(
        "invalid-sender-mail-from",
        "Mail.ru",
        "smtp; 550 5.1.7 Invalid sender address",
        "policy_blocked",
        "RFC 3463 X.1.7 'Bad sender's mailbox address syntax' T",
    ),
    _case(
        "bad-sender-system-address",
        "Exchange",
        "smtp; 550 5.1.8 Access denied, bad outbound sender",
        "policy_blocked",
        "Microsoft Exchange Online NDR 5.1.8 page T",
    ),
    # Lists and groups: who may post.
    _case(
        "google-groups-permission-to-post",
        "Gmail",
        "smtp; 550-5.1.1 The group you tried to contact (team) may not exist, or you may not "
        "have permission to post messages to the group.",
        "policy_blocked",
        "Google Groups bounce text (support.google.com/groups) T",
    ),
    _case(
        "mailman-non-member",
        "Mailman",
        "smtp; 550 Post by non-member to a members-only list",
        "policy_blocked",
        "GNU Mailman 2 Moderate.py reject text V",
    ),
    _case(
        "list-not-allowed-to-post",
        "Mailman",
        "smtp; 550 5.7.1 You are not allowed to post to this mailing list",
        "policy_blocked",
        "GNU Mailman 3 / Sympa reject text T",
    ),
    _case(
        "exchange-group-not-authenticated",
        "Exchange",
        "smtp; 550 5.7.133 RESOLVER.RST.SenderNotAuthenticatedForGroup; authentication "
        "required; Delivery restriction check failed because the sender was not "
        "authenticated when sending to this group",
        "policy_blocked",
        "Microsoft Exchange Online NDR 5.7.133 page V",
    ),
    _case(
        "exchange-not-member-5.7.1",
        "Exchange",
        "smtp; 550 5.7.1 RESOLVER.RST.NotAuthorized; not authorized",
        "policy_blocked",
        "Microsoft Exchange Online NDR 5.7.1 page V",
    ),
    _case(
        "google-groups-permission-french",
        "Gmail",
        "smtp; 550 5.1.1 Le groupe que vous avez essayé de contacter (equipe) n'existe "
        "peut-être pas, ou vous n'êtes peut-être pas autorisé à publier des messages dans ce "
        "groupe.",
        "policy_blocked",
        "Google Groups bounce, French localisation T",
    ),
    _case(
        "google-groups-permission-spanish",
        "Gmail",
        "smtp; 550 5.1.1 Es posible que el grupo al que has intentado contactar (equipo) no "
        "exista o que no tengas permiso para publicar mensajes en él.",
        "policy_blocked",
        "Google Groups bounce, Spanish localisation T",
    ),
    _case(
        "google-groups-permission-chinese",
        "Gmail",
        "smtp; 550 5.1.1 您尝试联系的群组（team）可能不存在，或者您可能无权在该群组中发帖。",  # noqa: RUF001
        "policy_blocked",
        "Google Groups bounce, Chinese localisation T",
    ),
    _case(
        "bare-rejected",
        "Charter/Spectrum",
        "smtp; 550 Rejected",
        "spam_filtered",
        "issue 13 ('bare 550 Rejected'); Charter's spam-handling page T",
    ),
    _case(
        "rejected-with-reason-is-not-bare",
        "Postfix",
        "smtp; 550 5.1.1 <user@example.net>: Recipient rejected: User unknown",
        "mailbox_not_found",
        "Postfix check_recipient_access style reply T",
    ),
    _case(
        "list-not-member-german",
        "Mailman",
        "smtp; 550 5.7.1 Sie sind kein Mitglied dieser Liste",
        "policy_blocked",
        "Mailman German message catalogue T",
    ),
    _case(
        "list-not-member-french",
        "Sympa",
        "smtp; 550 5.7.1 Vous n'êtes pas membre de cette liste",
        "policy_blocked",
        "Sympa French message catalogue T",
    ),
    # ---- 2. reverse DNS, PTR, HELO and connection policy ---------------------------------
    _case(
        "postfix-no-hostname",
        "Postfix",
        "smtp; 450 4.7.1 Client host rejected: cannot find your hostname, [192.0.2.10]",
        "policy_blocked",
        PF + " (reject_unknown_client_hostname) V",
        bounce_type="Transient",
    ),
    _case(
        "postfix-no-reverse-hostname",
        "Postfix",
        "smtp; 550 5.7.1 Client host rejected: cannot find your reverse hostname, [192.0.2.10]",
        "policy_blocked",
        PF + " (reject_unknown_reverse_client_hostname) V",
    ),
    _case(
        "postfix-helo-host-not-found",
        "Postfix",
        "smtp; 450 4.7.1 <a27-30.smtp-out.example.com>: Helo command rejected: Host not found",
        "policy_blocked",
        PF + " (reject_unknown_helo_hostname) V",
        bounce_type="Transient",
    ),
    _case(
        "postfix-helo-fqdn",
        "Postfix",
        "smtp; 504 5.5.2 <localhost>: Helo command rejected: need fully-qualified hostname",
        "policy_blocked",
        PF + " (reject_non_fqdn_helo_hostname) V",
    ),
    _case(
        "gmail-ptr",
        "Gmail",
        "smtp; 550-5.7.25 [192.0.2.10] The IP address sending this message does not have a "
        "PTR record setup, or the corresponding forward DNS entry does not point to the "
        "sending IP. As a policy, Gmail does not accept messages from IPs with missing PTR "
        "records. - gsmtp",
        "policy_blocked",
        "Gmail SMTP error reference 5.7.25 V",
    ),
    _case(
        "no-reverse-dns",
        "Cox",
        "smtp; 554 5.7.1 192.0.2.10 rejected - no rDNS - AUP#CXDNS",
        "policy_blocked",
        "Cox email error codes (CXDNS) T",
    ),
    _case(
        "invalid-rdns",
        "GMX",
        "smtp; 554-gmx.net (mxgmx104) Nemesis ESMTP Service not available 554-No SMTP service "
        "554-Bad DNS PTR resource record. 554 For explanation visit "
        "https://postmaster.gmx.net/en/case?c=r0701&i=ip&v=192.0.2.10",
        "policy_blocked",
        "GMX postmaster error messages (Bad DNS PTR) T",
    ),
    _case(
        "domain-mismatches-client-ip",
        "Mail.ru",
        "smtp; 550 5.7.1 Domain example.com mismatches client ip 192.0.2.10",
        "policy_blocked",
        "sisimai RequirePTR word list; Mail.ru reply T",
    ),
    _case(
        "icloud-not-accepting-connections",
        "Apple",
        "smtp; 554 5.7.1 mx01.mail.icloud.com ESMTP not accepting connections",
        "policy_blocked",
        "iCloud reply quoted in sisimai rhost/apple T",
    ),
    _case(
        "may-not-be-mail-exchanger",
        "Postfix",
        "smtp; 550 5.7.1 Client host rejected: may not be mail exchanger",
        "policy_blocked",
        "sisimai Blocked list (Postfix check_client_access) T",
    ),
    _case(
        "att-fix-reverse-dns",
        "AT&T",
        "smtp; 550 5.7.1 Connections not accepted from servers without a valid sender "
        "domain.flph829 Fix reverse DNS for 192.0.2.10",
        "policy_blocked",
        "AT&T postmaster reply T",
    ),
    _case(
        "sendmail-ip-name-lookup",
        "Sendmail",
        "smtp; 550 5.7.1 <user@example.net>... Relaying denied. IP name lookup failed [192.0.2.10]",
        "policy_blocked",
        SM + " (Relaying denied. IP name lookup failed) V",
    ),
    # ---- 3. blocks named by provider codes ------------------------------------------------
    _case(
        "outlook-s3150",
        "Microsoft",
        "smtp; 550 5.7.1 Unfortunately, messages from [192.0.2.10] weren't sent. Please "
        "contact your Internet service provider since part of their network is on our "
        "block list (S3150). You can also refer your provider to "
        "http://mail.live.com/mail/troubleshooting.aspx#errors.",
        "sender_blocklisted",
        "Outlook.com troubleshooting page (S3150) V",
    ),
    _case(
        "outlook-sc-001",
        "Microsoft",
        "smtp; 550 SC-001 (BAY004-MC1F24) Unfortunately, messages from 192.0.2.10 weren't "
        "sent. Please contact your Internet service provider. You can tell them that "
        "Hotmail does not relay dynamically-assigned IP ranges.",
        "sender_blocklisted",
        "Outlook.com troubleshooting page (SC-001) T",
    ),
    _case(
        "outlook-sc-004",
        "Microsoft",
        "smtp; 550 SC-004 Mail rejected by Outlook.com for policy reasons. A block has been "
        "placed against your IP address because we have received complaints concerning mail "
        "coming from that IP address.",
        "sender_blocklisted",
        "Outlook.com troubleshooting page (SC-004) T",
    ),
    _case(
        "ms-5.7.708",
        "Microsoft",
        "smtp; 550 5.7.708 Service unavailable. Access denied, traffic not accepted from "
        "this IP. For more information please go to http://go.microsoft.com/fwlink/?LinkId=526653",
        "sender_blocklisted",
        "Microsoft Exchange Online NDR 5.7.7xx page V",
    ),
    _case(
        "cox-cxbl",
        "Cox",
        "smtp; 554 5.7.1 cox.net rejected - see https://www.cox.com/aup AUP#CXBL",
        "sender_blocklisted",
        "Cox email error codes (CXBL) T",
    ),
    _case(
        "cox-cdrbl",
        "Cox",
        "smtp; 554 5.7.1 192.0.2.10 blocked - see https://www.cox.com/aup AUP#CDRBL",
        "sender_blocklisted",
        "Cox email error codes (CDRBL) T",
    ),
    _case(
        "cox-urlbl",
        "Cox",
        "smtp; 552 5.7.0 Message rejected - URL in message on block list AUP#URLBL011",
        "spam_filtered",
        "Cox email error codes (URLBL) T",
    ),
    _case(
        "att-blocked-for-abuse",
        "AT&T",
        "smtp; 553 5.3.0 alph767 DNSBL:RBL 521< 192.0.2.10 >_is_blocked. Blocked for abuse. "
        "See http://att.net/blocks",
        "sender_blocklisted",
        "AT&T 'Blocked for abuse' reply (att.net/blocks) T",
    ),
    _case(
        "yahoo-tss09",
        "Yahoo",
        "smtp; 553 5.7.2 [TSS09] All messages from 192.0.2.10 will be permanently deferred; "
        "Retrying will NOT succeed. See https://postmaster.yahooinc.com/error-codes",
        "sender_blocklisted",
        "Yahoo Sender Hub SMTP error codes (TSS09) V",
    ),
    _case(
        "comcast-bl000001",
        "Comcast",
        "smtp; 554 resimta-po-01v.sys.comcast.net resimta-po-01v.sys.comcast.net "
        "192.0.2.10 found on one or more DNSBLs, see "
        "http://postmaster.comcast.net/smtp-error-codes.php#BL000001",
        "sender_blocklisted",
        "Comcast SMTP error codes (BL000001) V",
    ),
    _case(
        "orange-blocked-101",
        "Orange",
        "smtp; 550 5.7.1 Service unavailable; client [192.0.2.10] blocked using Spamhaus. "
        "LPNAAA_101",
        "sender_blocklisted",
        "Orange/La Poste error codes (101) T",
    ),
    _case(
        "orange-invalid-sender-405",
        "Orange",
        "smtp; 501 5.1.0 Emetteur invalide. Invalid Sender. OFR004_405 [405]",
        "policy_blocked",
        "Orange error codes (405 invalid sender) V",
    ),
    _case(
        "orange-overquota-417",
        "Orange",
        "smtp; 552 5.1.1 Boite du destinataire pleine. Recipient overquota. OFR_417 [417]",
        "mailbox_full",
        "Orange error codes (417) V",
    ),
    _case(
        "orange-account-blocked-426",
        "Orange",
        "smtp; 550 5.5.0 Le compte du destinataire est bloque. The recipient account "
        "isblocked. LPN007_426",
        "mailbox_disabled",
        "Orange/La Poste error codes (426) V",
    ),
    _case(
        "orange-archived-420",
        "Orange",
        "smtp; 550 5.5.0 Boite du destinataire archivee. Archived recipient. LPN007_420",
        "mailbox_disabled",
        "Orange/La Poste error codes (420) V",
    ),
    _case(
        "cox-ipbl-spamhaus",
        "Cox",
        "smtp; 554 5.7.1 192.0.2.10 blocked. AUP#IPBL0001",
        "sender_blocklisted",
        "Cox email error codes (IPBL0001: listed in Spamhaus Zen) T",
    ),
    _case(
        "cox-cxdns-no-rdns",
        "Cox",
        "smtp; 554 5.7.1 192.0.2.10 rejected - DNS check failure - AUP#CXDNS",
        "policy_blocked",
        "Cox email error codes (CXDNS: reverse DNS of the sending IP) T",
    ),
    _deferred(
        "aol-dyn-t1",
        "Yahoo",
        "421 4.7.1 : (DYN:T1) http://postmaster.info.aol.com/errors/421dynt1.html",
        "sender_blocklisted",
        "AOL postmaster error pages (DYN:T1: dynamic IP range) T",
    ),
    _case(
        "aol-hvu-b1",
        "Yahoo",
        "smtp; 554- (HVU:B1) https://postmaster.aol.com/error-codes#554hvub1",
        "spam_filtered",
        "AOL postmaster error pages (HVU:B1: URL in the message) T",
    ),
    _case(
        "icloud-hme1",
        "Apple",
        "smtp; 554 5.7.1 [HME1] This message was blocked for failing both SPF and DKIM "
        "authentication checks. See https://support.apple.com/en-us/HT204137",
        "auth_failed",
        "iCloud postmaster page (HME1) T",
    ),
    _case(
        "outlook-ou-001",
        "Microsoft",
        "smtp; 550 OU-001 (SNT004-MC1F43) Unfortunately, messages from 192.0.2.10 weren't "
        "sent. Please contact your Internet service provider since part of their network is on "
        "our block list.",
        "sender_blocklisted",
        "Outlook.com troubleshooting page (OU-001) T",
    ),
    _deferred(
        "netease-hl-rep",
        "NetEase",
        "451 HL:REP 163 mx3,xx,please see http://mail.163.com/help/help_spam_16.htm?ip=192.0.2.10",
        "sender_blocklisted",
        "NetEase 163 help page (HL:REP: low IP reputation) T",
    ),
    _deferred(
        "qq-frequency-limited",
        "QQ",
        "451 Ip frequency limited. http://service.mail.qq.com/detail/122/172",
        "soft_bounce",
        "QQ Mail help 122/172 (IP frequency limited) T",
    ),
    # ---- 4. domain failures worded as host or DNS failures --------------------------------
    _case(
        "sendmail-host-unknown-authoritative",
        "Sendmail",
        "smtp; 550 5.1.2 <user@example.invalid>... Host unknown (Authoritative answer from "
        "name server)",
        "domain_not_found",
        SM + " (sm_res errors) V",
    ),
    _case(
        "sendmail-host-unknown-name-server",
        "Sendmail",
        "smtp; 550 5.1.2 <user@example.invalid>... Host unknown (Name server: "
        "example.invalid: host not found)",
        "domain_not_found",
        SM + " V",
    ),
    _case(
        "postfix-host-or-domain-not-found",
        "Postfix",
        "smtp; 550 5.4.4 Host or domain name not found. Name service error for "
        "name=example.invalid type=A: Host not found",
        "domain_not_found",
        "Postfix smtp_addr.c V",
    ),
    _case(
        "dns-lookup-failure",
        "Exim",
        "smtp; 550 5.1.2 DNS lookup failure: host mx.example.invalid not found",
        "domain_not_found",
        "issue 13 list T",
    ),
    _case(
        "outlook-domain-not-reachable",
        "Microsoft",
        "smtp; 550 5.4.310 The mail could not be delivered to the recipient because the "
        "domain is not reachable. Please check the following information and try to send "
        "your message again.",
        "domain_not_found",
        "sisimai rhost/outlook (Outlook.com NDR) V",
    ),
    _case(
        "null-mx-recipient",
        "Postfix",
        "smtp; 556 5.1.10 <user@example.net>: Recipient address rejected: Domain "
        "example.net does not accept mail (nullMX)",
        "domain_not_found",
        "RFC 7505 section 4.3 (556 5.1.10); Postfix 3.1+ text V",
    ),
    _case(
        "null-mx-sender-5.7.27",
        "Postfix",
        "smtp; 550 5.7.27 <bounce@example.com>: Sender address rejected: Domain "
        "example.com does not accept mail (nullMX)",
        "policy_blocked",
        "RFC 7505 section 4.2 (550 5.7.27 sender null MX) V",
    ),
    _case(
        "qmail-no-host",
        "qmail",
        "smtp; 550 Sorry, I couldn't find any host named example.invalid. (#5.1.2)",
        "domain_not_found",
        "qmail-remote.c V",
    ),
    _case(
        "gmail-dns-error-domain",
        "Gmail",
        "smtp; 550 DNS Error: Address not found. Your message wasn't delivered to "
        "user@example.invalid because the domain example.invalid couldn't be found. Check "
        "for typos or unnecessary spaces and try again.",
        "domain_not_found",
        "Gmail 'Address not found' DSN, domain form T",
    ),
    # ---- 5. mailbox states in other words ------------------------------------------------
    _case(
        "gmail-address-not-found",
        "Gmail",
        "smtp; 550 Address not found. Your message wasn't delivered to user@example.net "
        "because the address couldn't be found, or is unable to receive mail.",
        "mailbox_not_found",
        "Gmail 'Address not found' DSN T",
    ),
    _case(
        "gmail-address-not-found-german",
        "Gmail",
        "smtp; 550 Adresse nicht gefunden. Ihre Nachricht wurde nicht an user@example.net "
        "zugestellt, weil die Adresse nicht gefunden wurde oder keine E-Mails empfangen kann.",
        "mailbox_not_found",
        "Gmail DSN, German (sisimai userunknown list) T",
    ),
    _case(
        "gmail-address-not-found-french",
        "Gmail",
        "smtp; 550 Adresse introuvable. Votre message n'a pas été distribué à "
        "user@example.net, car l'adresse est introuvable ou ne peut pas recevoir d'e-mails.",
        "mailbox_not_found",
        "Gmail DSN, French T",
    ),
    _case(
        "gmail-address-not-found-spanish",
        "Gmail",
        "smtp; 550 No se ha encontrado la dirección. Tu mensaje no se ha entregado a "
        "user@example.net porque no se ha podido encontrar la dirección o no puede recibir "
        "correo.",
        "mailbox_not_found",
        "Gmail DSN, Spanish T",
    ),
    _case(
        "gmail-address-not-found-portuguese",
        "Gmail",
        "smtp; 550 Endereço não encontrado. Sua mensagem não foi entregue a user@example.net "
        "porque o endereço não foi encontrado ou não pode receber e-mails.",
        "mailbox_not_found",
        "Gmail DSN, Portuguese T",
    ),
    _case(
        "gmail-address-not-found-italian",
        "Gmail",
        "smtp; 550 Indirizzo non trovato. Il tuo messaggio non è stato recapitato a "
        "user@example.net perché l'indirizzo non è stato trovato o non può ricevere email.",
        "mailbox_not_found",
        "Gmail DSN, Italian T",
    ),
    _case(
        "gmail-address-not-found-dutch",
        "Gmail",
        "smtp; 550 Adres niet gevonden. Je bericht is niet bezorgd bij user@example.net omdat "
        "het adres niet kan worden gevonden of geen e-mail kan ontvangen.",
        "mailbox_not_found",
        "Gmail DSN, Dutch T",
    ),
    _case(
        "gmail-address-not-found-russian",
        "Gmail",
        "smtp; 550 Адрес не найден. Ваше сообщение не доставлено получателю user@example.net, "
        "так как адрес не найден или не может получать почту.",
        "mailbox_not_found",
        "Gmail DSN, Russian T",
    ),
    _case(
        "gmail-address-not-found-japanese",
        "Gmail",
        "smtp; 550 アドレスが見つかりません。アドレスが見つからないか、メールを受信できないため、"
        "メールは user@example.net に配信されませんでした。",
        "mailbox_not_found",
        "Gmail DSN, Japanese T",
    ),
    _case(
        "gmail-address-not-found-chinese",
        "Gmail",
        "smtp; 550 找不到地址。找不到该地址或该地址无法接收邮件，因此您的邮件无法传送给 "  # noqa: RUF001
        "user@example.net。",
        "mailbox_not_found",
        "Gmail DSN, Chinese T",
    ),
    _case(
        "invalid-final-delivery-userid",
        "Domino",
        "smtp; 550 Invalid final delivery userid: user@example.net",
        "mailbox_not_found",
        "sisimai lhost (andrew.ac.jp form) and bounce parsers' word lists V",
    ),
    _case(
        "domino-not-listed",
        "Domino",
        "x-notes; User user (user@example.net) not listed in Domino Directory",
        "mailbox_not_found",
        "Domino DSN quoted in public bounce-parser tests V",
    ),
    _case(
        "domino-not-listed-public-nab",
        "Domino",
        "smtp; 550 5.1.1 User user@example.net not listed in public Name & Address Book",
        "mailbox_not_found",
        "Lotus Notes DSN (sisimai lhost/notes) V",
    ),
    _case(
        "mailbox-frozen",
        "Sina",
        "smtp; 550 5.2.1 Mailbox is frozen",
        "mailbox_disabled",
        "sisimai Suspend word list ('mailbox is frozen') T",
    ),
    _case(
        "vpopmail-account-locked",
        "qmail",
        "smtp; 550 vdelivermail: account is locked email bounced",
        "mailbox_disabled",
        "vpopmail vdelivermail.c V",
    ),
    _case(
        "recipient-account-blocked",
        "Orange",
        "smtp; 550 5.2.1 The recipient account is blocked",
        "mailbox_disabled",
        "issue 13 list T",
    ),
    _case(
        "qmail-mailfolder-full",
        "qmail",
        "smtp; 552 The users mailfolder is full. (#5.2.2)",
        "mailbox_full",
        "qmail/vpopmail maildir quota text T",
    ),
    _case(
        "maildir-local-limit",
        "Courier",
        "smtp; 552 5.2.2 Mailbox exceeded the local limit",
        "mailbox_full",
        "bounce parsers' mailboxfull lists ('mailbox exceeded the local limit') V",
    ),
    _case(
        "yahoo-disabled-554-30",
        "Yahoo",
        "smtp; 554 delivery error: dd Sorry your message to user@yahoo.example cannot be "
        "delivered. This mailbox is disabled (554.30). - mta1234.mail.ne1.yahoo.com",
        "mailbox_disabled",
        "Yahoo reply (sisimai rhost/yahooinc) V",
    ),
    _case(
        "qq-deactivated",
        "QQ",
        "smtp; 550 user@qq.example is a deactivated mailbox",
        "mailbox_disabled",
        "QQ Mail help 1000742 T",
    ),
    # ---- 6. words that mean something else in context ------------------------------------
    _deferred(
        "postfix-delivery-temporarily-suspended",
        "Postfix",
        "delivery temporarily suspended: connect to mx.example.net[192.0.2.20]:25: "
        "Connection timed out",
        "soft_bounce",
        "Postfix qmgr queue text (defer logs) V",
    ),
    _case(
        "blacklisted-url-in-message",
        "Trend Micro",
        "smtp; 550 5.7.1 Blacklisted URL in message. (http://example.org) "
        "http://www.surbl.org/lists.html",
        "spam_filtered",
        "sisimai SpamDetected list ('blacklisted url in message') T",
    ),
    _case(
        "uribl-policy",
        "Exim",
        "smtp; 550 5.7.1 Your email breaches local URIBL policy",
        "spam_filtered",
        "sisimai SpamDetected list V",
    ),
    _case(
        "ip-listed-in-spamhaus",
        "Postfix",
        "smtp; 554 5.7.1 Service unavailable; Client host [192.0.2.10] blocked using "
        "zen.spamhaus.org; https://www.spamhaus.org/query/ip/192.0.2.10",
        "sender_blocklisted",
        PF + " (reject_rbl_client) V",
    ),
    _deferred(
        "greylisted",
        "Postfix",
        "450 4.2.0 <user@example.net>: Recipient address rejected: Greylisted, see "
        "http://postgrey.schweikert.ch/help/example.net.html",
        "soft_bounce",
        "postgrey default reject text V",
    ),
    _deferred(
        "connection-refused",
        "Postfix",
        "connect to mx.example.net[192.0.2.20]:25: Connection refused",
        "soft_bounce",
        "Postfix smtp_connect.c V",
    ),
    _deferred(
        "mailbox-full-452", "Exim", "452 4.2.2 Mailbox full", "mailbox_full", "RFC 3463 X.2.2 T"
    ),
    # ---- 7. languages ---------------------------------------------------------------------
    _case(
        "german-user-unknown",
        "Postfix",
        "smtp; 550 5.1.1 <user@example.de>: Empfänger unbekannt",
        "mailbox_not_found",
        "German MTA localisation T",
    ),
    _case(
        "german-mailbox-full",
        "Exim",
        "smtp; 552 5.2.2 Das Postfach des Empfängers ist voll",
        "mailbox_full",
        "German MTA localisation T",
    ),
    _case(
        "french-user-unknown",
        "Postfix",
        "smtp; 550 5.1.1 <user@example.fr>: utilisateur inconnu",
        "mailbox_not_found",
        "sisimai userunknown list ('utilisateur inconnu') T",
    ),
    _case(
        "french-mailbox-full",
        "Orange",
        "smtp; 552 5.2.2 Boîte aux lettres pleine",
        "mailbox_full",
        "French MTA text T",
    ),
    _case(
        "spanish-user-unknown",
        "Exim",
        "smtp; 550 5.1.1 No existe ese usuario",
        "mailbox_not_found",
        "sisimai userunknown list ('no existe ese usuario') V",
    ),
    _case(
        "spanish-mailbox-full",
        "Exim",
        "smtp; 552 5.2.2 El buzón está lleno",
        "mailbox_full",
        "Spanish MTA text T",
    ),
    _case(
        "portuguese-user-unknown",
        "UOL",
        "smtp; 550 5.1.1 Usuário desconhecido",
        "mailbox_not_found",
        "Brazilian provider text T",
    ),
    _case(
        "italian-user-unknown",
        "Libero",
        "smtp; 550 5.1.1 Nessun utente simile in questo indirizzo",
        "mailbox_not_found",
        "sisimai userunknown list (Italian) V",
    ),
    _case(
        "dutch-user-unknown",
        "KPN",
        "smtp; 550 5.1.1 Onbekende gebruiker",
        "mailbox_not_found",
        "Dutch MTA text T",
    ),
    _case(
        "russian-user-unknown",
        "Yandex",
        "smtp; 550 5.1.1 Пользователь не найден",
        "mailbox_not_found",
        "Russian MTA text T",
    ),
    _case(
        "russian-mailbox-full",
        "Mail.ru",
        "smtp; 552 5.2.2 Почтовый ящик переполнен",
        "mailbox_full",
        "Russian MTA text T",
    ),
    _case(
        "japanese-user-unknown",
        "NTT docomo",
        "smtp; 550 5.1.1 宛先のメールアドレスは存在しません",
        "mailbox_not_found",
        "Japanese carrier text T",
    ),
    _case(
        "chinese-user-unknown",
        "NetEase",
        "smtp; 550 5.1.1 收件人不存在",
        "mailbox_not_found",
        "Chinese provider text T",
    ),
    _case(
        "chinese-mailbox-full",
        "QQ",
        "smtp; 552 5.2.2 收件人邮箱已满",
        "mailbox_full",
        "Chinese provider text T",
    ),
    _case(
        "chinese-spam",
        "NetEase",
        "smtp; 554 DT:SPM 163 smtp10,DsCowACXr4MK,please see "
        "http://mail.163.com/help/help_spam_16.htm?ip=192.0.2.10",
        "spam_filtered",
        "NetEase 163 spam help page (DT:SPM) V",
    ),
)
