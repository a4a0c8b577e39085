"""The app: settings in, a wired :class:`App` out (notification log, SNS verifier, clock
and the handlers bound to them).

The CLI, the Celery tasks and the support API call :func:`build_app`; tests pass fakes
(``build_app(settings, log=FakeNotificationLog(), verify_envelope=None)``). Engines are
cached per database URL, so calling ``build_app`` once per task is cheap and every task
of a process shares one connection pool.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from config.settings import Settings, get_settings
from worker.adapters.notification_log import SqlNotificationLog
from worker.bootstrap.engines import auto_upgrades, engine_for, ensure_schema
from worker.handlers.dead_letters import ReplayResult, replay_dead_letters
from worker.handlers.ingest import (
    BodySource,
    EnvelopeVerifier,
    IngestResult,
    PreparedBatch,
    TagNames,
    apply_batch,
    apply_prepared,
    prepare_batch,
)
from worker.handlers.ports import NotificationLog, PurgeCounts
from worker.handlers.purge import purge
from worker.handlers.sends import RecordResult, SendRecord, record_sends
from worker.handlers.sweep import DEFAULT_BATCH_SIZE as SWEEP_BATCH_SIZE
from worker.handlers.sweep import SweepResult, sweep
from worker.handlers.transactions import in_transaction

_UNSET: Any = object()


def build_verifier(settings: Settings) -> EnvelopeVerifier | None:
    """SNS signature verification as configured (None when switched off)."""
    if not settings.verify_sns_signatures:
        return None
    from worker.adapters.sns_signature import SnsSignatureVerifier, certificate_fetcher

    # A local endpoint (moto, the demo) when configured, else https to Amazon SNS.
    fetch = certificate_fetcher(settings.sns_certificate_endpoint_url)
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

    def prepare(self, bodies: Sequence[str | bytes]) -> PreparedBatch:
        """The pure half of :meth:`ingest` (the drain runs it ahead, in another thread)."""
        return prepare_batch(
            bodies,
            received_at=self.clock(),
            verify_envelope=self.verify_envelope,
            tags=self.tags,
        )

    def commit(self, bodies: Sequence[str | bytes], prepared: PreparedBatch) -> IngestResult:
        """The transaction half of :meth:`ingest`, for ``prepared`` = :meth:`prepare` of
        ``bodies`` (which a refused batch is isolated from, as :meth:`ingest` does)."""
        return apply_prepared(
            prepared,
            log=self.log,
            now=self.clock(),
            feedback_window=self.feedback_window,
            source=BodySource(bodies, self.prepare),
        )

    def refresh_statistics(self) -> None:
        """``ANALYZE`` after a bulk load (``inboxgap sent import``)."""
        in_transaction(self.log, lambda tx: tx.refresh_statistics())

    def record_sends(
        self, records: Iterable[SendRecord], *, now: datetime | None = None
    ) -> RecordResult:
        return record_sends(
            records, log=self.log, now=now or self.clock(), feedback_window=self.feedback_window
        )

    def sweep(
        self,
        *,
        now: datetime | None = None,
        batch_size: int = SWEEP_BATCH_SIZE,
        workers: int = 1,
    ) -> SweepResult:
        return sweep(
            log=self.log,
            now=now or self.clock(),
            feedback_window=self.feedback_window,
            batch_size=batch_size,
            workers=workers,
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


def app_from_environment(*, schema: bool = True) -> App:
    """The app as the environment configures it (the ``inboxgap`` log commands); with
    ``schema``, the tables checked (created or upgraded for SQLite files)."""
    settings = get_settings()
    app = build_app(settings)
    if schema:
        auto = auto_upgrades(settings.database_url)
        ensure_schema(app.require_engine(), auto_upgrade=auto)
    return app


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
        from worker.bootstrap.callbacks import callbacks_enabled  # issue 14

        log = SqlNotificationLog(engine, callbacks=callbacks_enabled(settings))
    verifier = build_verifier(settings) if verify_envelope is _UNSET else verify_envelope
    app = App(settings=settings, log=log, engine=engine, verify_envelope=verifier)
    if clock is not None:
        app.clock = clock
    return app
