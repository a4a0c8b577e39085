"""The composition root: settings in, a wired :class:`App` out.

The CLI, the Celery tasks and the support API call :func:`build_app`; tests pass fakes
(``build_app(settings, log=FakeNotificationLog(), verify_envelope=None)``). Engines are
cached per database URL, so calling ``build_app`` once per task is cheap and every task
of a process shares one connection pool.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, make_url

from config.settings import Settings, get_settings
from worker.adapters.database import create_engine_from_url, is_sqlite
from worker.adapters.notification_log import SqlNotificationLog
from worker.handlers.dead_letters import ReplayResult, replay_dead_letters
from worker.handlers.ingest import EnvelopeVerifier, IngestResult, TagNames, apply_batch
from worker.handlers.ports import NotificationLog, PurgeCounts, SchemaNotReadyError
from worker.handlers.purge import purge
from worker.handlers.sends import RecordResult, SendRecord, record_sends
from worker.handlers.sweep import SweepResult, sweep

logger = logging.getLogger(__name__)

_UNSET: Any = object()
_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


def engine_for(url: str) -> Engine:
    """One engine (and pool) per URL per process."""
    with _engines_lock:
        engine = _engines.get(url)
        if engine is None:
            engine = create_engine_from_url(url)
            _engines[url] = engine
        return engine


def dispose_engines() -> None:
    """Close every cached pool (after a fork, or at the end of tests)."""
    with _engines_lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


def build_verifier(settings: Settings) -> EnvelopeVerifier | None:
    """SNS signature verification as configured (None when switched off)."""
    if not settings.verify_sns_signatures:
        return None
    from worker.adapters.sns_signature import SnsSignatureVerifier, fetch_certificate_https

    fetch: Callable[[str], bytes] = fetch_certificate_https
    if settings.sns_certificate_endpoint_url:
        from worker.drainer import certificate_fetcher  # local endpoints (moto, the demo)

        fetch = certificate_fetcher(settings)
    verifier = SnsSignatureVerifier(fetch, allowed_topic_arns=settings.sns_topic_allowlist)
    return verifier.verify


@dataclass
class App:
    """Everything wired: the notification log, the verifier, the clock and the handlers
    bound to them (thin entry points call these)."""

    settings: Settings
    log: NotificationLog
    engine: Engine | None = None
    verify_envelope: EnvelopeVerifier | None = None
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    @property
    def tags(self) -> TagNames:
        return TagNames(self.settings.notification_id_tag, self.settings.notification_type_tag)

    @property
    def feedback_window(self) -> timedelta:
        return self.settings.feedback_window

    def ingest(
        self,
        bodies: Sequence[str | bytes],
        *,
        now: datetime | None = None,
        verify: bool = True,
    ) -> IngestResult:
        return apply_batch(
            bodies,
            log=self.log,
            now=now or self.clock(),
            feedback_window=self.feedback_window,
            verify_envelope=self.verify_envelope if verify else None,
            tags=self.tags,
        )

    def record_sends(
        self, records: Iterable[SendRecord], *, now: datetime | None = None
    ) -> RecordResult:
        return record_sends(
            records, log=self.log, now=now or self.clock(), feedback_window=self.feedback_window
        )

    def sweep(self, *, now: datetime | None = None, batch_size: int = 1000) -> SweepResult:
        return sweep(
            log=self.log,
            now=now or self.clock(),
            feedback_window=self.feedback_window,
            batch_size=batch_size,
        )

    def purge(
        self,
        *,
        older_than: timedelta | None = None,
        now: datetime | None = None,
        batch_size: int = 1000,
    ) -> PurgeCounts:
        return purge(
            log=self.log,
            now=now or self.clock(),
            older_than=older_than or self.settings.retention,
            batch_size=batch_size,
        )

    def replay_dead_letters(
        self,
        ids: Collection[int] | None = None,
        *,
        now: datetime | None = None,
        verify: bool = True,
    ) -> ReplayResult:
        return replay_dead_letters(
            ids,
            log=self.log,
            now=now or self.clock(),
            feedback_window=self.feedback_window,
            verify_envelope=self.verify_envelope if verify else None,
            tags=self.tags,
        )

    def require_engine(self) -> Engine:
        if self.engine is None:
            raise RuntimeError("this App has no database engine (built with a fake log)")
        return self.engine


def build_app(
    settings: Settings | None = None,
    *,
    engine: Engine | None = None,
    log: NotificationLog | None = None,
    verify_envelope: EnvelopeVerifier | None = _UNSET,
    clock: Callable[[], datetime] | None = None,
) -> App:
    """Wire the app from ``settings`` (default: the environment). Anything passed in
    replaces what would be built (tests pass a fake log, no verifier, a fixed clock)."""
    settings = settings or get_settings()
    if log is None:
        engine = engine or engine_for(settings.database_url)
        from worker.callback_wiring import callbacks_enabled  # issue 14

        log = SqlNotificationLog(engine, callbacks=callbacks_enabled(settings))
    verifier = build_verifier(settings) if verify_envelope is _UNSET else verify_envelope
    app = App(settings=settings, log=log, engine=engine, verify_envelope=verifier)
    if clock is not None:
        app.clock = clock
    return app


DEFAULT_DATABASE_URL = Settings.model_fields["database_url"].default


def auto_upgrades(url: str) -> bool:
    """Schemas created and upgraded on first use: SQLite files (the default database
    of a newcomer's first command, and local files). Server databases are migrated
    explicitly with ``inboxgap db upgrade``."""
    if not is_sqlite(url):
        return False
    database = make_url(url).database
    return bool(database) and database != ":memory:"


def ensure_schema(engine: Engine, *, auto_upgrade: bool) -> None:
    """Make sure the tables are there and current: upgrade them when ``auto_upgrade``,
    else raise :class:`SchemaNotReadyError` saying to run ``inboxgap db upgrade``."""
    from worker import migrations

    state = migrations.schema_state(engine)
    if state is migrations.SchemaState.CURRENT:
        return
    if state is migrations.SchemaState.AHEAD:
        raise SchemaNotReadyError(
            "the database was migrated by a newer InboxGap than this one; upgrade InboxGap"
        )
    if auto_upgrade:
        logger.info("creating or upgrading the notification log schema")
        migrations.upgrade(engine)
        return
    where = engine.url.render_as_string(hide_password=True)
    what = "has no InboxGap tables" if state is migrations.SchemaState.MISSING else "is behind"
    raise SchemaNotReadyError(f"the database {where} {what}: run `inboxgap db upgrade`")
