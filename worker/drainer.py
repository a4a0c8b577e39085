"""The drain, assembled from settings: what the Celery task and ``inboxgap drain`` run.

This extends the composition root (:func:`worker.bootstrap.build_app`: notification log,
SNS verifier, clock) with the parts only the drain needs: the SQS queue, the metrics
observer and the batch limits. Build it lazily in each process: a Celery prefork child
builds its own (database pools and HTTP connections must not cross a fork).
"""

from __future__ import annotations

import dataclasses
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from config.settings import Settings
from worker.adapters.sns_signature import (
    MAX_CERTIFICATE_BYTES,
    CertificateFetchError,
    CertificateUnusableError,
    fetch_certificate_https,
)
from worker.adapters.sqs import SqsError, SqsQueue, sqs_client
from worker.bootstrap import auto_upgrades, build_app, ensure_schema
from worker.handlers.drain import (
    DrainLimits,
    DrainObserver,
    DrainReport,
    FaultInjectingLog,
    drain_queue,
)
from worker.handlers.ingest import IngestResult
from worker.handlers.ports.queue import MessageQueue
from worker.metrics import PrometheusDrainObserver, observe_queue

__all__ = ["Drainer", "build_drainer", "certificate_fetcher", "limits_from_settings"]

_CERT_PATH = re.compile(r"/SimpleNotificationService-[0-9A-Za-z-]{8,64}\.pem")


def certificate_fetcher(settings: Settings) -> Callable[[str], bytes]:
    """Fetch SNS certificates over https; with ``INBOXGAP_SNS_CERTIFICATE_ENDPOINT_URL``
    (moto, the demo), fetch the same certificate path from that local endpoint instead.

    The verifier has already checked the URL against the Amazon SNS pattern before this
    is called; the override only changes *where* the validated path is fetched from. The
    request names the SNS service and region in an (unchecked) SigV4-shaped
    ``Authorization`` header: that is how a moto server routes a request to its SNS."""
    endpoint = settings.sns_certificate_endpoint_url
    if not endpoint:
        return fetch_certificate_https
    base = endpoint.rstrip("/")

    def fetch_local(url: str) -> bytes:
        parts = urllib.parse.urlsplit(url)
        if not _CERT_PATH.fullmatch(parts.path):
            raise CertificateUnusableError(f"not an SNS certificate path: {parts.path[:80]!r}")
        region = parts.hostname.split(".")[1] if parts.hostname else "us-east-1"
        request = urllib.request.Request(  # noqa: S310 - http(s) URL built from settings
            base + parts.path,
            headers={
                "Authorization": (
                    f"AWS4-HMAC-SHA256 Credential=local/20000101/{region}/sns/aws4_request, "
                    "SignedHeaders=host, Signature=0"
                )
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
                body: bytes = response.read(MAX_CERTIFICATE_BYTES + 1)
        except urllib.error.HTTPError as exc:
            if exc.code < 500:
                raise CertificateUnusableError(f"HTTP {exc.code} from {base}") from exc
            raise CertificateFetchError(f"HTTP {exc.code} from {base}") from exc
        except (OSError, ValueError) as exc:
            raise CertificateFetchError(f"could not fetch certificate from {base}: {exc}") from exc
        if len(body) > MAX_CERTIFICATE_BYTES:
            raise CertificateUnusableError("certificate response too large")
        return body

    return fetch_local


def limits_from_settings(settings: Settings, *, max_run_time: float | None = None) -> DrainLimits:
    return DrainLimits(
        batch_size=settings.sqs_batch_size,
        batch_wait=settings.sqs_batch_wait,
        poll_wait=settings.sqs_wait_time,
        max_run_time=max_run_time if max_run_time is not None else settings.drain_max_run_time,
    )


@dataclass
class Drainer:
    """Everything one drain run needs, built once per process."""

    settings: Settings
    queue: MessageQueue
    apply: Callable[[Sequence[str]], IngestResult]
    observer: DrainObserver

    def run(
        self, *, max_run_time: float | None = None, max_batches: int | None = None
    ) -> DrainReport:
        limits = limits_from_settings(self.settings, max_run_time=max_run_time)
        report = drain_queue(
            self.queue, self.apply, limits, observer=self.observer, max_batches=max_batches
        )
        self.sample_queue()
        return report

    def sample_queue(self) -> None:
        """Update the queue-depth gauges (one GetQueueAttributes call)."""
        stats = getattr(self.queue, "stats", None)
        if stats is not None:
            observe_queue(stats())


def _sqs_queue(settings: Settings) -> SqsQueue:
    if not settings.sqs_queue_url:
        raise SqsError("INBOXGAP_SQS_QUEUE_URL is not set")
    client = sqs_client(
        region=settings.aws_region,
        endpoint_url=settings.sqs_endpoint_url,
        read_timeout=settings.sqs_wait_time + 15.0,
    )
    return SqsQueue(
        client, settings.sqs_queue_url, visibility_timeout=settings.sqs_visibility_timeout
    )


def build_drainer(
    settings: Settings,
    *,
    queue: MessageQueue | None = None,
    observer: DrainObserver | None = None,
) -> Drainer:
    app = build_app(settings)
    ensure_schema(app.require_engine(), auto_upgrade=auto_upgrades(settings.database_url))
    # The crash drill's "before commit" fault point (inert unless INBOXGAP_FAULT_INJECT).
    app = dataclasses.replace(app, log=FaultInjectingLog(app.log))
    return Drainer(
        settings=settings,
        queue=queue or _sqs_queue(settings),
        apply=app.ingest,
        observer=observer or PrometheusDrainObserver(),
    )
