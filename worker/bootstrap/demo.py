"""The demo's wiring: a migrated notification log, the app over it (no signature
verification: the demo signs with its own certificate, verified by the worker it starts)
and an SQS queue on a local endpoint."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine

from config.settings import Settings
from worker.adapters.database import create_engine_from_url
from worker.adapters.sqs import SqsQueue, sqs_client
from worker.bootstrap.app import App, build_app
from worker.migrations import upgrade
from worker.queries.support import SupportQueries

__all__ = ["DemoWiring", "build_demo", "demo_sqs_client", "demo_sqs_queue"]

#: Region and credentials of the local (moto) SQS the demo starts.
DEMO_REGION = "us-east-1"
DEMO_CREDENTIALS = ("demo", "demo")


@dataclass
class DemoWiring:
    """The demo's own engine (disposed at the end of the run), app and read side."""

    engine: Engine
    app: App
    queries: SupportQueries

    def dispose(self) -> None:
        self.engine.dispose()


def build_demo(database_url: str, *, feedback_window: timedelta) -> DemoWiring:
    """A fresh engine on ``database_url`` with the schema upgraded, and the app on it."""
    engine = create_engine_from_url(database_url)
    try:
        upgrade(engine)
        settings = Settings(database_url=database_url, feedback_window=feedback_window)
        app = build_app(settings, engine=engine, verify_envelope=None)
    except BaseException:
        engine.dispose()
        raise
    return DemoWiring(engine=engine, app=app, queries=SupportQueries(engine))


def demo_sqs_client(endpoint: str) -> Any:
    """A boto3 SQS client on the demo's local endpoint."""
    return sqs_client(region=DEMO_REGION, endpoint_url=endpoint, credentials=DEMO_CREDENTIALS)


def demo_sqs_queue(client: Any, queue_url: str) -> SqsQueue:
    return SqsQueue(client, queue_url)
