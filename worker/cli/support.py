"""Support commands: ``inboxgap recipient``, ``inboxgap report`` and ``inboxgap serve``.

Thin: they parse options, call :mod:`worker.queries.support` and the unsuppress handler
through :class:`~worker.api.wiring.SupportServices`, and draw with
:mod:`worker.cli.render`.
"""

from __future__ import annotations

import getpass
import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console
from sqlalchemy import exc as sa_exc

from worker.cli import main
from worker.cli.console import PipeConsole
from worker.cli.errors import database_error
from worker.cli.params import ADDRESS, InvalidInput, since_option, since_start
from worker.cli.terminal_text import terminal_text

if TYPE_CHECKING:
    from worker.bootstrap.support import SupportServices

logger = logging.getLogger(__name__)


def _services() -> SupportServices:
    """The wired support services; the schema checked (and created for SQLite files)."""
    from worker.bootstrap.support import support_services_from_environment
    from worker.handlers.ports import SchemaNotReadyError

    with _friendly_errors():
        try:
            return support_services_from_environment()
        except SchemaNotReadyError as exc:
            raise click.ClickException(str(exc)) from None


@contextmanager
def _friendly_errors() -> Iterator[None]:
    """Database problems as one line with what to do, not a traceback."""
    from worker.adapters.notification_log import is_missing_schema

    try:
        yield
    except sa_exc.SQLAlchemyError as exc:
        if is_missing_schema(exc):
            raise click.ClickException(
                "the notification log tables are missing or outdated: run `inboxgap db upgrade`"
            ) from None
        raise database_error(exc) from None


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name and no passwd entry (some containers)
        return "unknown-user"


def _console() -> Console:
    return PipeConsole(soft_wrap=not sys.stdout.isatty())


# --------------------------------------------------------------------------------------
# recipient
# --------------------------------------------------------------------------------------


def _unsuppress(
    services: SupportServices,
    email: str,
    *,
    why: str | None,
    yes: bool,
    now: datetime,
    err: bool = False,
) -> None:
    """``recipient --unsuppress``: ask, remove, audit, say what happened (on stderr with
    ``--json``, so stdout stays one JSON document)."""
    from worker.domain.deliverability import unsuppress_refusal
    from worker.handlers.errors import EXIT_BAD_INPUT, exit_code
    from worker.handlers.ports.suppression import SuppressionError
    from worker.handlers.unsuppress import (
        InvalidUnsuppressRequest,
        UnsuppressRefused,
        unsuppress_recipient,
    )

    if not why and not sys.stdin.isatty():
        raise click.UsageError("--unsuppress needs --reason TEXT (kept in the audit)")
    with _friendly_errors():
        recent = services.queries.recipient_outcomes(email)
    refused_for = unsuppress_refusal(recent)
    if refused_for is not None:  # before asking: the answer would not matter
        refusal = UnsuppressRefused(refused_for)
        # click declares exit_code per class: InvalidInput is the exit-2 kind.
        refused = InvalidInput if exit_code(refusal) == EXIT_BAD_INPUT else click.ClickException
        raise refused(str(refusal))
    if not why:
        why = click.prompt("Why remove it from the suppression list (kept in the audit)")
    if not yes:
        click.confirm(
            f"Remove {email} from the SES account suppression list? Amazon SES will "
            "send to it again",
            abort=True,
        )
    actor = f"cli:{_os_user()}"
    try:
        with _friendly_errors():
            result = unsuppress_recipient(
                email,
                actor=actor,
                why=why or "",
                now=now,
                suppression=services.suppression,
                audit=services.audit,
                recent=recent,
            )
    except InvalidUnsuppressRequest as exc:
        raise click.UsageError(str(exc)) from None
    except SuppressionError as exc:
        raise click.ClickException(f"nothing changed: {terminal_text(exc)}") from None
    if result.removed:
        reason = terminal_text(result.previous.reason) if result.previous else "?"
        click.echo(
            f"Removed from the suppression list (was listed for {reason}); audited.", err=err
        )
    else:
        click.echo("It was not on the suppression list; nothing to remove (audited).", err=err)


@main.command("recipient")
@click.argument("address", type=ADDRESS)
@since_option("Period of the recent list (e.g. 30d) or an ISO-8601 time.")
@click.option(
    "--unsuppress",
    is_flag=True,
    help="Remove the address from the SES account suppression list (asks first; audited).",
)
@click.option("--reason", "why", default=None, help="Why it is removed (kept in the audit).")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def recipient_command(
    address: str,
    since: timedelta | datetime | None,
    unsuppress: bool,
    why: str | None,
    yes: bool,
    as_json: bool,
) -> None:
    """Recent notifications and outcomes of ADDRESS, its hard-bounce and complaint
    history, and whether it is on the SES account suppression list."""
    from worker.cli.render import render_recipient
    from worker.domain.addresses import normalise_address

    email = normalise_address(address)  # checked by the ADDRESS type (the address rule)
    services = _services()
    now = services.clock()
    console = _console()
    if unsuppress:
        _unsuppress(services, email, why=why, yes=yes, now=now, err=as_json)
    from worker.queries.recipient import recipient_overview

    with _friendly_errors():
        overview = recipient_overview(
            email,
            since=since_start(since, now) if since is not None else None,
            now=now,
            region=services.region,
            queries=services.queries,
            suppression=services.suppression,
            audit=services.audit,
        )
    if as_json:
        from worker.api.models import RecipientOut

        out = RecipientOut.of_overview(overview, region=services.region)
        # json.dumps, not model_dump_json: ensure_ascii escapes C1 controls and bidi
        # overrides as \uXXXX too (JSON itself only escapes C0), so the JSON is safe to cat.
        click.echo(json.dumps(out.model_dump(mode="json"), indent=2))
        return
    render_recipient(
        overview.health,
        suppressed=overview.suppressed,
        suppression_error=overview.suppression_error,
        audit=overview.audit,
        console=console,
        now=now,
        region=services.region,
    )


# --------------------------------------------------------------------------------------
# report
# --------------------------------------------------------------------------------------


@main.command("report")
@since_option("Period (24h, 7d) or an ISO-8601 time.", default="24h")
@click.option("--by", type=click.Choice(["domain", "type", "day"]), default=None)
@click.option("--top", type=click.IntRange(1, 100), default=10, show_default=True)
@click.option(
    "--min-volume",
    type=click.IntRange(1),
    default=20,
    show_default=True,
    help="Least notifications for a domain to be ranked by rate.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
@click.option(
    "--chart",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=None,
    help="Also write a PNG of the outcome rates per day (needs the chart extra).",
)
def report_command(
    since: timedelta | datetime,
    by: str | None,
    top: int,
    min_volume: int,
    as_json: bool,
    chart: Path | None,
) -> None:
    """The gap report: sent, delivered, bounced, quarantined, unknown and still-pending
    counts and rates, top reasons, and the recipient domains with the worst quarantine
    and bounce rates, for notifications sent in the period."""
    from worker.cli.chart import write_chart
    from worker.cli.extras import require_extra
    from worker.cli.render import render_report

    if chart is not None:
        require_extra("matplotlib", "chart")
    services = _services()
    until: datetime = services.clock()
    start = since_start(since, until)
    with _friendly_errors():
        report = services.queries.gap_report(
            since=start, until=until, by=by, top=top, min_domain_volume=min_volume
        )
        series = (
            services.queries.outcome_series(since=start, until=until, hourly=False) if chart else []
        )
    if as_json:
        click.echo(json.dumps(report.as_json(), indent=2))
    else:
        render_report(report, console=_console())
    if chart is not None:
        write_chart(series, chart, since=start, until=until)
        click.echo(f"Chart written to {chart}", err=as_json)


# --------------------------------------------------------------------------------------
# serve
# --------------------------------------------------------------------------------------


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option(
    "--insecure-cookie",
    is_flag=True,
    help="Send the login cookie without Secure: plain http on a local machine only "
    "(same as INBOXGAP_WEB_INSECURE_COOKIE=1).",
)
@click.option(
    "--secure-cookies",
    is_flag=True,
    hidden=True,
    help="Kept for old scripts: the cookie is Secure by default now.",
)
def serve_command(host: str, port: int, insecure_cookie: bool, secure_cookies: bool) -> None:
    """The support API and web page (FastAPI on uvicorn).

    The login cookie is Secure (serve behind HTTPS); for plain http on your own machine
    pass --insecure-cookie. Logs, uvicorn's access log included, are JSON lines on
    standard error with addresses masked.
    """
    import uvicorn

    from worker.api.app import create_app

    if insecure_cookie and secure_cookies:
        raise click.UsageError("--insecure-cookie and --secure-cookies contradict each other")
    services = _services()
    if insecure_cookie:
        services.secure_cookies = False
    if not services.api_tokens:
        click.echo(
            "warning: INBOXGAP_API_TOKENS is empty: every API and page request will get 401",
            err=True,
        )
    if not services.secure_cookies:
        logger.warning("the login cookie is sent without Secure: use plain http only locally")
    # log_config=None: uvicorn keeps its hands off logging, so its loggers (the access
    # log too) propagate to the JSON handler the CLI set up; that handler masks the
    # addresses in request targets (config.logging.mask_url).
    uvicorn.run(
        create_app(services),
        host=host,
        port=port,
        log_config=None,
        log_level="info",
        access_log=True,
    )
