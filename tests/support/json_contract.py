"""The documented JSON keys of a notification, in the order the interfaces write them.

``status --json``, the support API and the status-change callback all start a notification
with the same head; the tests check each interface against these tuples (order matters
where the interface promises it, e.g. ``status --json``).
"""

from __future__ import annotations

#: Who and what was sent, and where it stands: the head of every notification record.
NOTIFICATION_HEAD = (
    "notification_id",
    "message_id",
    "recipient",
    "notification_type",
    "sent_at",
    "status",
    "reason",
)

#: One notification as ``status --json`` and the support API write it.
STATUS_KEYS = (*NOTIFICATION_HEAD, "status_at", "events", "engagement")  # engagement: issue 14

#: One event of a notification's timeline.
EVENT_KEYS = (
    "event_type",
    "occurred_at",
    "status",
    "reason",
    "smtp_status",
    "diagnostic",
    "provider",
    "help_url",
)

#: The ``data`` of a ``notification.status_changed`` callback.
STATUS_CHANGE_KEYS = (
    *NOTIFICATION_HEAD,
    "previous_status",
    "previous_reason",
    "status_at",
    "summary",
    "provider",
    "smtp_status",
)
