"""The ``devrelbot`` command (Typer)."""

from __future__ import annotations

import asyncio
import sys
from typing import Annotated

import typer
from rich.console import Console

from devrelbot.bot.settings import Settings, SettingsError, load_settings

app = typer.Typer(
    help="devrelbot — a DevRel team's ledger, plan, feedback and digest on Slack and Telegram.",
    no_args_is_help=True,
    add_completion=False,
)
db_app = typer.Typer(help="Database schema commands.", no_args_is_help=True)
app.add_typer(db_app, name="db")
err = Console(stderr=True, highlight=False)


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as error:
        err.print(f"[red]{error}[/red]\nFix it in the environment or in .env (see .env.example).", soft_wrap=True)
        raise typer.Exit(2) from None


def _setup() -> Settings:
    from devrelbot.bot.logs import configure_logging

    settings = _settings()
    configure_logging(settings.log_level, settings.secrets())
    return settings


@app.command()
def run() -> None:
    """Run every door whose tokens are set; with none, open the local console."""
    settings = _setup()
    from devrelbot.bot.app import build_router, platform_doors, serve

    db, router = build_router(settings)
    doors = platform_doors(settings, router)
    if not doors:
        err.print(
            "No TELEGRAM_BOT_TOKEN or SLACK_BOT_TOKEN is set — starting the local console. "
            "Put tokens in .env to run on Telegram or Slack (see README).",
            soft_wrap=True,
        )
        _run_console(router)
    else:
        asyncio.run(serve(doors))
    db.dispose()


@app.command()
def console() -> None:
    """Type commands as the admin of a local team (stdin may be a pipe)."""
    settings = _setup()
    from devrelbot.bot.app import build_router

    db, router = build_router(settings)
    _run_console(router)
    db.dispose()


def _run_console(router) -> None:  # type: ignore[no-untyped-def]
    from devrelbot.bot.console import ConsoleDoor

    try:
        asyncio.run(ConsoleDoor(router).run())
    except KeyboardInterrupt:
        pass


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Bring the database schema up to date (the bot also does this on start)."""
    settings = _setup()
    from devrelbot.storage.db import Database

    db = Database.from_url(settings.database_url)
    db.upgrade()
    db.dispose()
    err.print("Database schema is up to date.")


@app.command()
def demo(
    weeks: Annotated[int, typer.Option(min=1, max=104, help="How many weeks of history to make.")] = 13,
    seed: Annotated[int, typer.Option(help="Random seed, for the same data every time.")] = 7,
) -> None:
    """Fill the local console team with a realistic quarter of DevRel activity."""
    settings = _setup()
    from devrelbot.bot.app import build_router
    from devrelbot.demo import fill_demo

    db, router = build_router(settings)
    count = fill_demo(router, weeks=weeks, seed=seed)
    db.dispose()
    err.print(
        f"Added {count} demo activities to the local team. Try: devrelbot console, then /stats quarter", soft_wrap=True
    )


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
