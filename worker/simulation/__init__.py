"""Realistic Amazon SES feedback traffic, for the demo, the benchmarks and the tests.

Three layers, each usable on its own (one module each: :mod:`.documents`,
:mod:`.envelopes`, :mod:`.traffic`; the replies are :mod:`.scenarios`):

* **Document builders** (:func:`mail_object`, :func:`delivery_event`, :func:`bounce_event`,
  ...) return SES documents as dicts, shaped exactly as SES emits them: the
  event-publishing form (``eventType``, ``mail.tags``) and, for Bounce, Complaint and
  Delivery, the identity-notification form (``notificationType``, no tags).
* **Envelope wrappers** (:func:`as_raw`, :func:`as_sns`, :func:`as_eventbridge`, plus the
  control bodies) turn a document into the text of one SQS message body.
* **The traffic generator** (:func:`generate_traffic`) plays a day of transactional mail:
  sends, the events SES would publish for them (with duplicates, cross-envelope twins,
  out-of-order arrival and a few malformed bodies), and the outcome the contract
  (``outcomes.md``) says each notification must end up with.

The receiving servers' replies come from :data:`FAILURE_SCENARIOS`, built from section 7
of the SES reference (``V`` strings seen verbatim in public sources, placeholders for
addresses, IPs and trace ids). Pure: stdlib only, every random choice from a seeded
:class:`random.Random`, no I/O except :func:`write_sample`.

Run ``python -m worker.simulation [path]`` to rebuild ``worker/samples/ses-feedback-sample.jsonl``.
"""

from __future__ import annotations

from worker.simulation.documents import (
    ACCOUNT_ID,
    CALLER_IDENTITY,
    CONFIGURATION_SET,
    DEFAULT_SOURCE,
    DEFAULT_TOPIC_ARN,
    DETAIL_TYPES,
    DOMAINS,
    EVENT_PUBLISHING_SETUP_MESSAGE,
    FROM_DOMAIN,
    IDENTITY_NOTIFICATION_TYPES,
    PLACEHOLDER_SIGNATURE,
    REGION,
    RETRY_WINDOW,
    SES_DSN_MTA,
    SES_EVENT_SUBJECT,
    SES_SUPPRESSION_MTA,
    SOURCE_IP,
    SUB_OBJECT_KEYS,
    Doc,
    DocForm,
    RecipientDomain,
    Signer,
    bounce_event,
    bounced_recipient,
    click_event,
    complaint_event,
    delivery_delay_event,
    delivery_event,
    feedback_id,
    is_ses_id,
    mail_object,
    message_id,
    open_event,
    reject_event,
    rendering_failure_event,
    send_event,
    smtp_response_for,
    subscription_event,
    to_event_publishing,
    to_identity_notification,
)
from worker.simulation.envelopes import (
    _event_timestamp,
    as_eventbridge,
    as_raw,
    as_sns,
    service_event,
    setup_notice,
    subscription_confirmation,
)
from worker.simulation.mix import (
    SentRecord,
    Traffic,
)
from worker.simulation.samples import (
    SAMPLE_PATH,
    SAMPLE_START,
    hand_picked_bodies,
    sample_bodies,
    write_sample,
)
from worker.simulation.scenarios import (
    FAILURE_SCENARIOS,
    SCENARIOS_BY_NAME,
    FailureScenario,
    scenario_bounce,
)
from worker.simulation.traffic import (
    generate_traffic,
)

__all__ = [
    "ACCOUNT_ID",
    "CALLER_IDENTITY",
    "CONFIGURATION_SET",
    "DEFAULT_SOURCE",
    "DEFAULT_TOPIC_ARN",
    "DETAIL_TYPES",
    "DOMAINS",
    "EVENT_PUBLISHING_SETUP_MESSAGE",
    "FAILURE_SCENARIOS",
    "FROM_DOMAIN",
    "IDENTITY_NOTIFICATION_TYPES",
    "PLACEHOLDER_SIGNATURE",
    "REGION",
    "RETRY_WINDOW",
    "SAMPLE_PATH",
    "SAMPLE_START",
    "SCENARIOS_BY_NAME",
    "SES_DSN_MTA",
    "SES_EVENT_SUBJECT",
    "SES_SUPPRESSION_MTA",
    "SOURCE_IP",
    "SUB_OBJECT_KEYS",
    "Doc",
    "DocForm",
    "FailureScenario",
    "RecipientDomain",
    "SentRecord",
    "Signer",
    "Traffic",
    "_event_timestamp",
    "as_eventbridge",
    "as_raw",
    "as_sns",
    "bounce_event",
    "bounced_recipient",
    "click_event",
    "complaint_event",
    "delivery_delay_event",
    "delivery_event",
    "feedback_id",
    "generate_traffic",
    "hand_picked_bodies",
    "is_ses_id",
    "mail_object",
    "message_id",
    "open_event",
    "reject_event",
    "rendering_failure_event",
    "sample_bodies",
    "scenario_bounce",
    "send_event",
    "service_event",
    "setup_notice",
    "smtp_response_for",
    "subscription_confirmation",
    "subscription_event",
    "to_event_publishing",
    "to_identity_notification",
    "write_sample",
]
