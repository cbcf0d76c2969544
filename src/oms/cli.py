"""The `oms` command."""

from __future__ import annotations

import contextlib
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
    with contextlib.suppress(KeyboardInterrupt):
        run(serve_forever(settings, demo=demo))


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
    from oms.server import build_runtime, prepare_database

    settings = settings_or_exit()

    async def go() -> None:
        runtime = build_runtime(settings)
        try:
            await prepare_database(runtime, demo=True)
        finally:
            await runtime.database.dispose()

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
    from oms.server import build_runtime

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
            await runtime.database.dispose()

    try:
        user_id = run(go())
    except DomainError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"created {role} {email} (id {user_id})")


@app.command()
def key() -> None:
    """Print a new random APP_KEY."""
    typer.echo(secrets.token_urlsafe(48))


def main() -> None:
    try:
        app()
    except ConfigError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
