"""The support API's routers, one per resource; :func:`worker.api.app.create_app` includes
them in this order (the order the OpenAPI document lists them)."""

from __future__ import annotations

from fastapi import APIRouter

from worker.api.routes import notifications, operations, page, recipients, report

ROUTERS: tuple[APIRouter, ...] = (
    operations.docs,
    notifications.router,
    recipients.router,
    report.router,
    operations.router,
    page.router,
)
