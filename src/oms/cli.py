"""The `oms` command."""

from __future__ import annotations

import contextlib
import gc
import secrets
import sys
from collections.abc import Coroutine
from typing import Annotated, Any, Literal, TypeVar

import typer

from oms.config import ConfigError, Settings, get_settings

app = typer.Typer(help="OMS: the Optical Management System.", no_args_is_help=True)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
users_app = typer.Typer(help="User accounts.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")

T = TypeVar("T")

# Allocations between collections of the youngest generation while a process starts (see main).
STARTUP_GC_THRESHOLD = 50_000


def settings_or_exit() -> Settings:
    try:
        return get_settings()
    except ConfigError as error:
        typer.echo(f"configuration error: {error}", err=True)
        raise typer.Exit(2) from None


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    import uvloop

    return uvloop.run(coroutine)


@app.command()
def serve(
    demo: Annotated[
        bool, typer.Option("--demo", help="Load the demo chain into an empty database.")
    ] = False,
) -> None:
    """Run everything in one process: web app + REST on HTTP_PORT, real-time on WEBSOCKET_PORT."""
    from oms.server import serve as serve_forever

    settings = settings_or_exit()
    run_process(lambda: serve_forever(settings, demo=demo))


def run_process(make: Any) -> None:
    """Run a server coroutine until a signal; a start-up failure is one line and exit code 2."""
    from oms.processes.bootstrap import StartupError

    try:
        with contextlib.suppress(KeyboardInterrupt):
            run(make())
    except StartupError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from None


def require_redis(settings: Settings, command: str) -> None:
    """Separate processes meet through Redis; refuse to start one that would be cut off."""
    if not settings.redis_url:
        typer.echo(
            f"REDIS_URL: required for `oms {command}` (separate processes meet through Redis); "
            "pass --without-redis to rely on the database alone (events arrive within a second)",
            err=True,
        )
        raise typer.Exit(2)


WithoutRedis = Annotated[
    bool,
    typer.Option(
        "--without-redis",
        help="Run without REDIS_URL: gateways then learn of events from the database, "
        "within about a second.",
    ),
]


@app.command()
def gateway(without_redis: WithoutRedis = False) -> None:
    """Run a real-time gateway node only, on WEBSOCKET_PORT (scale-out; needs REDIS_URL)."""
    settings = settings_or_exit()
    if not without_redis:
        require_redis(settings, "gateway")
    from oms.processes.gateway import run_gateway

    run_process(lambda: run_gateway(settings))


@app.command()
def api(without_redis: WithoutRedis = False) -> None:
    """Run the REST API only, on HTTP_PORT (its events reach gateways through Redis)."""
    settings = settings_or_exit()
    if not without_redis:
        require_redis(settings, "api")
    from oms.processes.api import run_api

    run_process(lambda: run_api(settings))


@app.command()
def worker(without_redis: WithoutRedis = False) -> None:
    """Run background work only: email and Web Push deliveries, appointment reminders and late
    orders (scale-out; needs REDIS_URL so its events reach the gateways at once)."""
    settings = settings_or_exit()
    if not without_redis:
        require_redis(settings, "worker")
    from oms.processes.worker import run_worker

    run_process(lambda: run_worker(settings))


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Migrate the database to the newest schema."""
    from oms.db.migrate import upgrade

    settings = settings_or_exit()
    upgrade(settings.database)
    typer.echo("database is up to date")


@app.command()
def seed(
    demo: Annotated[bool, typer.Option("--demo", help="Load the demo chain (DESIGN §8).")] = False,
) -> None:
    """Load data into an empty database (today: the demo chain)."""
    if not demo:
        typer.echo("nothing to seed: pass --demo to load the demo chain", err=True)
        raise typer.Exit(2)
    from oms.processes.bootstrap import build_runtime
    from oms.processes.prepare import prepare_database

    settings = settings_or_exit()

    async def go() -> None:
        runtime = build_runtime(settings)
        try:
            await prepare_database(runtime, demo=True)
        finally:
            await runtime.close()

    run(go())


@users_app.command("create")
def users_create(
    email: Annotated[str, typer.Option(help="Log-in email.")],
    name: Annotated[str, typer.Option(help="Full name.")],
    role: Annotated[str, typer.Option(help="admin, staff, optometrist or customer.")] = "admin",
    branch_id: Annotated[int | None, typer.Option(help="Branch (required for staff).")] = None,
    password: Annotated[
        str | None, typer.Option(help="Password; asked for when not given.", show_default=False)
    ] = None,
) -> None:
    """Create a user account (for example the first admin)."""
    from oms.domain.accounts import NewUser, create_user
    from oms.domain.actors import ROLES
    from oms.domain.errors import DomainError
    from oms.processes.bootstrap import build_runtime

    if role not in ROLES:
        typer.echo(f"--role: must be one of {', '.join(ROLES)}", err=True)
        raise typer.Exit(2)
    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < 8:
        typer.echo("--password: must be at least 8 characters", err=True)
        raise typer.Exit(2)
    settings = settings_or_exit()
    checked_role: Literal["admin", "staff", "optometrist", "customer"] = role  # type: ignore[assignment]

    async def go() -> int:
        from oms.db.migrate import upgrade_async

        runtime = build_runtime(settings)
        try:
            await upgrade_async(settings.database)
            async with runtime.database.session() as session:
                user = await create_user(
                    session, NewUser(email, password, name, checked_role, branch_id=branch_id)
                )
                return user.id
        finally:
            await runtime.close()

    try:
        user_id = run(go())
    except DomainError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"created {role} {email} (id {user_id})")


@app.command()
def notify(
    title: Annotated[str, typer.Option(help="Title of the notification.")],
    message: Annotated[str, typer.Option(help="Its text.")],
    kind: Annotated[
        str, typer.Option("--type", help="general, alert or urgent (info, warning, error toast).")
    ] = "general",
    user: Annotated[
        list[int] | None, typer.Option("--user", help="A recipient's user id (repeatable).")
    ] = None,
    role: Annotated[str | None, typer.Option(help="Everyone with this role.")] = None,
    branch: Annotated[
        int | None, typer.Option(help="This branch's staff and optometrists.")
    ] = None,
    data: Annotated[str | None, typer.Option(help="A JSON object delivered as `data`.")] = None,
) -> None:
    """Send a general / alert / urgent notification from the shell (DESIGN §4)."""
    import json

    targets = [
        name for name, given in (("--user", user), ("--role", role), ("--branch", branch)) if given
    ]
    if len(targets) != 1:
        typer.echo("choose exactly one target: --user ID..., --role ROLE or --branch ID", err=True)
        raise typer.Exit(2)
    extra: dict[str, Any] | None = None
    if data is not None:
        try:
            extra = json.loads(data)
        except ValueError as error:
            typer.echo(f"--data: not valid JSON ({error})", err=True)
            raise typer.Exit(2) from None
        if not isinstance(extra, dict):
            typer.echo("--data: must be a JSON object", err=True)
            raise typer.Exit(2)
    settings = settings_or_exit()

    async def go() -> tuple[int, int]:
        from oms.domain.notifications import broadcast
        from oms.processes.bootstrap import build_runtime

        runtime = build_runtime(settings)
        try:
            async with runtime.database.session() as session:
                return await broadcast(
                    session,
                    sender=None,
                    title=title,
                    message=message,
                    type=kind,
                    user_ids=list(user) if user else None,
                    role=role,
                    branch_id=branch,
                    data=extra,
                )
        finally:
            await runtime.close()

    from oms.domain.errors import DomainError

    try:
        event_id, count = run(go())
    except DomainError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"sent notification.{kind} (event {event_id}) to {count} recipient(s)")


@app.command()
def connections(
    url: Annotated[
        list[str] | None,
        typer.Option(help="A gateway's base URL (repeatable); default WEBSOCKET_HOST:PORT."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the raw rows.")] = False,
) -> None:
    """List the sockets connected to the cluster: one row per socket, every gateway node (read
    from Redis when REDIS_URL is set, else from the gateway at WEBSOCKET_HOST:PORT)."""
    import json

    from oms.gateway.cli_connections import fetch_connections, format_rows

    settings = settings_or_exit()
    rows: list[dict[str, Any]] = []
    if not url and settings.redis_url:
        from oms.gateway.cli_connections import cluster_rows

        try:
            rows = run(cluster_rows(settings))
        except OSError as error:
            typer.echo(f"REDIS_URL: {error}", err=True)
            raise typer.Exit(1) from None
    urls = url or ([] if settings.redis_url else [settings_gateway_url(settings)])
    for base in urls:
        try:
            rows.extend(fetch_connections(base, settings.app_key))
        except OSError as error:
            typer.echo(f"{base}: {error}", err=True)
            raise typer.Exit(1) from None
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
    else:
        typer.echo(format_rows(rows))


def settings_gateway_url(settings: Settings) -> str:
    host = settings.websocket_host
    host = "127.0.0.1" if host in ("0.0.0.0", "") else ("[::1]" if host == "::" else host)
    scheme = "https" if settings.tls_cert_file else "http"
    return f"{scheme}://{host}:{settings.websocket_port}"


@app.command()
def key() -> None:
    """Print a new random APP_KEY."""
    typer.echo(secrets.token_urlsafe(48))


def main() -> None:
    # Starting a process imports ~150,000 objects that live as long as it does, and makes little
    # garbage: at the default threshold (700) the collector mostly walks them again, ~0.15 s of
    # CPU per `oms` start. The HTTP servers set their own once started
    # (processes.listeners.tune_garbage_collector); `oms worker` and the short commands keep this.
    gc.set_threshold(STARTUP_GC_THRESHOLD, 10, 10)
    try:
        app()
    except ConfigError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
