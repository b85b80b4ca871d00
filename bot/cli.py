"""The ``devrelbot`` command (Typer)."""

from __future__ import annotations

import asyncio
import gc
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer
from rich.console import Console

if TYPE_CHECKING:
    from sqlmodel import Session

    from bot.health import HealthServer
    from bot.metrics import Metrics
    from bot.settings import Settings
    from handlers.router import Router
    from storage.db import Database
    from storage.models import Member, Team

app = typer.Typer(
    help="devrelbot — a DevRel team's ledger, plan, feedback and digest on Slack and Telegram.",
    no_args_is_help=True,
    add_completion=False,
)
db_app = typer.Typer(help="Database schema commands.", no_args_is_help=True)
app.add_typer(db_app, name="db")
err = Console(stderr=True, highlight=False)


# Importing the layers builds some 150,000 objects that live as long as the process (SQLAlchemy's and pydantic's
# machinery, the models, every command) and makes little garbage, yet the cyclic collector walks them
# again and again while they are built: about a fifth of the console's start-up (bench/bench_startup.py). So
# main() pauses the collector until they are imported (_settings imports them, and every command reads its
# settings first), then freezes what was built out of later collections (it stays for the process's life, and
# full collections while serving need not walk it) and resumes it. Only main() pauses it: the tests call ``app``.
_collector_paused = False


def _pause_collector() -> None:
    global _collector_paused
    if gc.isenabled():
        gc.disable()
        _collector_paused = True


def _resume_collector() -> None:
    global _collector_paused
    if _collector_paused:
        gc.freeze()
        gc.enable()
        _collector_paused = False


def _settings(**overrides: str) -> Settings:
    try:
        # Here, not at the top: this import brings in every layer (through handlers.i18n), see _pause_collector.
        from bot.settings import SettingsError, load_settings
    finally:
        _resume_collector()
    try:
        return load_settings(**overrides)
    except SettingsError as error:
        err.print(f"[red]{error}[/red]\nFix it in the environment or in .env (see .env.example).", soft_wrap=True)
        raise typer.Exit(2) from None


def _setup() -> Settings:
    from bot.logs import configure_logging

    settings = _settings()
    configure_logging(settings.log_level, settings.secrets(), log_format=settings.log_format)
    return settings


@app.command()
def run() -> None:
    """Run every door whose tokens are set; with none, open the local console."""
    settings = _setup()
    from bot.app import build_router, health_server, platform_doors, serve

    metrics: Metrics | None = None
    if settings.metrics_port is not None:
        from bot.metrics import Metrics  # the Prometheus client only when something will scrape it

        metrics = Metrics()
    db, router = build_router(settings, metrics=metrics)
    doors = platform_doors(settings, router, metrics)
    if not doors:
        err.print(
            "No TELEGRAM_BOT_TOKEN or SLACK_BOT_TOKEN is set — starting the local console. "
            "Put tokens in .env to run on Telegram or Slack (see README).",
            soft_wrap=True,
        )
        _run_console(router, db, health_server(settings, db, [], metrics), settings.deleted_retention)
    else:
        asyncio.run(serve(doors, db=db, health=health_server(settings, db, doors, metrics),
                          deleted_retention=settings.deleted_retention))
    db.dispose()


@app.command()
def console() -> None:
    """Type commands as the admin of a local team (stdin may be a pipe)."""
    settings = _setup()
    from bot.app import build_router

    db, router = build_router(settings)
    _run_console(router, db, deleted_retention=settings.deleted_retention)
    db.dispose()


def _run_console(router: Router, db: Database, health: HealthServer | None = None,
                 deleted_retention: timedelta | None = None) -> None:
    from bot.app import run_console
    from bot.console import quitting_at_the_first_ctrl_c

    session = run_console(router, db=db, health=health, deleted_retention=deleted_retention)
    try:
        asyncio.run(quitting_at_the_first_ctrl_c(session))
    except KeyboardInterrupt:
        pass


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Bring the database schema up to date (the bot also does this on start)."""
    settings = _setup()
    from storage.db import Database

    db = Database.from_url(settings.database_url)
    db.upgrade()
    db.dispose()
    err.print("Database schema is up to date.")


@db_app.command("backup")
def db_backup(
    out: Annotated[Path, typer.Argument(dir_okay=False, help="The new file to write the copy to.")],
) -> None:
    """Copy the SQLite database while the bot runs (SQLite's online backup); PostgreSQL: use pg_dump."""
    settings = _setup()
    from storage.backup import BackupError, backup_sqlite
    from storage.db import Database

    db = Database.from_url(settings.database_url)
    try:
        size = backup_sqlite(db, out)
    except BackupError as error:
        err.print(f"[red]Cannot back up: {error}.[/red]", soft_wrap=True)
        raise typer.Exit(2) from None
    finally:
        db.dispose()
    err.print(f"Wrote a consistent copy of the database to {out} ({size:,} bytes).", soft_wrap=True)


@app.command()
def demo(
    weeks: Annotated[int, typer.Option(min=1, max=104, help="How many weeks of history to make.")] = 13,
    seed: Annotated[int, typer.Option(help="Random seed, for the same data every time.")] = 7,
    reset: Annotated[bool, typer.Option(
        "--reset", help="Replace what the local team already has (its activities, plan, feedback, goals and "
                        "community; settings and members stay) with the demo.")] = False,
) -> None:
    """Fill the local console team with a realistic quarter of DevRel activity (once; --reset replaces it)."""
    settings = _setup()
    from bot.app import build_router
    from bot.demo import clear_local_team, fill_demo, local_activities
    from handlers.i18n import ngettext

    db, router = build_router(settings)
    try:
        existing = local_activities(router)
        if existing and not reset:
            # Running it twice must not double the numbers: say so, and how to start over.
            has = ngettext("The local team already has data ({n} activity), so the demo added nothing.",
                           "The local team already has data ({n} activities), so the demo added nothing.",
                           existing).format(n=existing)
            err.print(f"{has} To replace it with the demo, run: devrelbot demo --reset", soft_wrap=True)
            return
        if existing:
            clear_local_team(router)
        count = fill_demo(router, weeks=weeks, seed=seed)
    finally:
        db.dispose()
    done = ngettext("Replaced the local team's data with {n} demo activity.",
                    "Replaced the local team's data with {n} demo activities.", count) if existing else ngettext(
        "Added {n} demo activity.", "Added {n} demo activities.", count)
    err.print(done.format(n=count) + " Try: devrelbot console, then /stats quarter", soft_wrap=True)


slack_app = typer.Typer(help="Slack app set-up.", no_args_is_help=True)
app.add_typer(slack_app, name="slack")


@slack_app.command("manifest")
def slack_manifest(
    commands: Annotated[
        str, typer.Option(help="namespace: one command (/devrel stats) plus /log; all: every command by its name.")
    ] = "namespace",
    locale: Annotated[str, typer.Option(help="The language of the descriptions: en or ru.")] = "en",
    name: Annotated[str | None, typer.Option(help="The namespace command (default: SLACK_COMMAND, devrel).")] = None,
) -> None:
    """Print the Slack app manifest (YAML) for creating or updating the app; the door answers both forms."""
    from handlers.i18n import LOCALES

    if commands not in ("namespace", "all"):
        err.print(f"[red]--commands {commands!r}: choose namespace or all.[/red]")
        raise typer.Exit(2)
    if locale not in LOCALES:
        err.print(f"[red]--locale {locale!r}: choose one of {', '.join(LOCALES)}.[/red]")
        raise typer.Exit(2)
    import handlers  # noqa: F401  (registers every command)
    from bot.slack.manifest import render_manifest
    from handlers.router import registry

    namespace = _settings(slack_command=name).slack_command if name else _settings().slack_command
    form: Literal["namespace", "all"] = "all" if commands == "all" else "namespace"
    sys.stdout.write(render_manifest(registry.all(), locale=locale, form=form, namespace=namespace))


plan_app = typer.Typer(help="The media plan.", no_args_is_help=True)
app.add_typer(plan_app, name="plan")


@plan_app.command("import")
def plan_import(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="A CSV file.")],
    team: Annotated[str, typer.Option(help="The team's name (or number); the console's team is 'Local team'.")],
    skip_invalid: Annotated[bool, typer.Option(help="Import the good rows even if some are wrong.")] = False,
) -> None:
    """Import plan items from CSV (columns kind,title,due,owner,outlet,tags,url, in any order)."""
    settings = _setup()
    from rich.progress import Progress

    from bot.app import build_router
    from handlers.errors import UserError
    from handlers.plan_import import import_plan
    from storage.history import Actor, act_as
    from storage.models import utcnow
    from storage.periods import local_today

    db, _router = build_router(settings)
    try:
        with db.session() as session, Progress(console=err, transient=True) as progress:
            found = _find_team(session, team)
            task = progress.add_task(f"Importing into {found.name}", total=None)
            now = utcnow()
            act_as(session, Actor(member_id=None, name="shell", door="cli", at=now))  # as the history records it
            result = import_plan(
                session, team=found, importer=_team_admin(session, found), data=file.read_bytes(), now=now,
                today=local_today(now, found.timezone), skip_invalid=skip_invalid,
                progress=lambda done, total: progress.update(task, completed=done, total=total),
            )
            if result.errors and not skip_invalid:
                raise typer.Exit(_report_errors(result.errors, imported=False))
    except UserError as error:
        err.print(f"[red]{error.message}[/red]", soft_wrap=True)
        raise typer.Exit(1) from None
    finally:
        db.dispose()
    if result.errors:
        _report_errors(result.errors, imported=True)
    from handlers.i18n import ngettext

    imported = ngettext("Imported {n} plan item into {team}", "Imported {n} plan items into {team}",
                        result.imported).format(n=result.imported, team=found.name)
    skipped = ngettext("; skipped {n} invalid row.", "; skipped {n} invalid rows.", result.skipped).format(
        n=result.skipped) if result.skipped else "."
    err.print(imported + skipped, soft_wrap=True)


@app.command()
def export(
    what: Annotated[str, typer.Argument(help="activities, plan or history")],
    file: Annotated[Path, typer.Argument(dir_okay=False, help="The CSV file to write.")],
    team: Annotated[str, typer.Option(help="The team's name (or number).")] = "Local team",
) -> None:
    """Export a team's activities, open plan items or history of changes as CSV."""
    if what not in ("activities", "plan", "history"):
        err.print(f"[red]Cannot export {what!r}: choose activities, plan or history.[/red]")
        raise typer.Exit(2)
    settings = _setup()
    from bot.app import build_router
    from handlers.export import export_activities, export_history

    db, _router = build_router(settings)
    try:
        with db.session() as session:
            found = _find_team(session, team)
            assert found.id is not None  # read from the database
            data = (export_history(session, team_id=found.id) if what == "history"
                    else export_activities(session, team_id=found.id, plan_only=what == "plan"))
    finally:
        db.dispose()
    file.write_bytes(data)
    err.print(f"Wrote {file}")


DIGEST_EXAMPLE = "devrelbot digest talk '#backend' by person"


@app.command()
def digest(
    team: Annotated[str, typer.Option(help="The team's name (or number).")] = "Local team",
    out: Annotated[Path, typer.Option(dir_okay=False, help="Where to write the chart (PNG).")] = Path("digest.png"),
    week: Annotated[str | None, typer.Option(help="A day in the week to show (default: the last full week).")] = None,
    words: Annotated[list[str] | None, typer.Argument(
        metavar="[FILTERS]...",
        help="Narrow it as /report does: a kind, #tag (several: any of them), @person, purpose=…, and "
             "by tag|person|kind|purpose for the segments side by side. Quote #tags in the shell: '#backend'.",
    )] = None,
) -> None:
    """Render a team's weekly digest locally: the text on the screen, the chart into a PNG file."""
    settings = _setup()
    from datetime import date

    from bot.app import build_router
    from handlers.digest_content import build_report, last_full_week
    from handlers.errors import UserError
    from handlers.filters import SLICE_FILTERS, parse_filters
    from handlers.i18n import _, use_locale
    from handlers.markup import to_plain
    from storage.models import utcnow
    from storage.periods import period_containing

    db, _router = build_router(settings)
    try:
        with db.session() as session:
            found = _find_team(session, team)
            now = utcnow()
            try:
                period = period_containing("week", date.fromisoformat(week)) if week else last_full_week(now, found)
            except ValueError:
                err.print(f"[red]--week {week!r} is not a date like 2026-11-16.[/red]")
                raise typer.Exit(2) from None
            with use_locale(found.locale):
                try:
                    filters = parse_filters(
                        " ".join(words or ()), session=session, team_id=found.id or 0, accept=SLICE_FILTERS,
                        example=DIGEST_EXAMPLE,
                        unknown=lambda token: _("{token} is not a filter: give a kind, #tag, @person, purpose=… "
                                                "or by tag|person|kind|purpose.").format(token=token),
                    )
                except UserError as error:
                    err.print(f"[red]{to_plain(error.message)}[/red]\nExample: {error.example}", soft_wrap=True,
                              markup=False)
                    raise typer.Exit(2) from None
                result = build_report(session, team=found, period=period, now=now, filters=filters)
    finally:
        db.dispose()
    parts = [result.summary, result.breakdown, result.details]
    Console(highlight=False).print("\n\n".join(to_plain(p) for p in parts if p), soft_wrap=True, markup=False)
    if result.chart is None:
        err.print("Nothing logged yet, so there is no chart. Try: devrelbot demo")
        raise typer.Exit(1)
    out.write_bytes(result.chart)
    err.print(f"Wrote the chart to {out}")


@app.command()
def report(
    quarter: Annotated[str, typer.Option(help="The quarter, like 2026-Q4.")],
    team: Annotated[str, typer.Option(help="The team's name (or number).")] = "Local team",
    out: Annotated[Path, typer.Option(dir_okay=False, help="Where to write the PDF.")] = Path("review.pdf"),
) -> None:
    """Write a team's quarterly review (headline figures, goals, funnel, charts, top activities) as a PDF."""
    settings = _setup()
    from bot.app import build_router
    from handlers.i18n import use_locale
    from handlers.review import build_review, parse_quarter
    from storage.models import utcnow

    try:
        period = parse_quarter(quarter)
    except ValueError:
        err.print(f"[red]--quarter {quarter!r} is not a quarter like 2026-Q4.[/red]")
        raise typer.Exit(2) from None
    db, _router = build_router(settings)
    try:
        with db.session() as session:
            found = _find_team(session, team)
            with use_locale(found.locale):
                review = build_review(session, team=found, period=period, now=utcnow())
    finally:
        db.dispose()
    out.write_bytes(review.pdf)
    err.print(f"Wrote the quarterly review ({len(review.pages)} pages) to {out}")


attendees_app = typer.Typer(help="Who attended an event.", no_args_is_help=True)
app.add_typer(attendees_app, name="attendees")


@attendees_app.command("import")
def attendees_import(
    event: Annotated[int, typer.Argument(help="The event's number, as /list shows it.")],
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="A CSV file.")],
    team: Annotated[str, typer.Option(help="The team's name (or number); the console's team is 'Local team'.")]
    = "Local team",
) -> None:
    """Import an event platform's attendee export (a name plus a Telegram username, Slack id or e-mail column)."""
    from handlers.attendance import format_report, read_attendees
    from handlers.errors import UserError
    from handlers.i18n import use_locale
    from handlers.markup import to_plain
    from storage.community.attendance import record_attendance
    from storage.ids import id_of
    from storage.models import Activity, utcnow
    from storage.periods import local_moment

    def work(session: Session) -> None:
        found = _find_team(session, team)
        activity = session.get(Activity, event)
        if activity is None or activity.team_id != found.id:
            err.print(f"[red]{found.name} has no activity #{event}.[/red]")
            raise typer.Exit(1)
        with use_locale(found.locale):
            try:
                table = read_attendees(file.read_bytes())
            except UserError as error:
                err.print(f"[red]{error.message}[/red]", soft_wrap=True)
                raise typer.Exit(1) from None
            at = min(local_moment(activity.date, 12, found.timezone), utcnow())
            report = record_attendance(session, team_id=id_of(found), activity_id=event, people=table.people,
                                       platform="console", at=at)
            Console(highlight=False).print(to_plain(format_report(activity, report, table.skipped)), soft_wrap=True,
                                           markup=False)

    _with_session(work)


admin_app = typer.Typer(
    help="A team's admins: the way in when nobody is an admin yet (platform admins need no grant).",
    no_args_is_help=True,
)
app.add_typer(admin_app, name="admin")
TeamOption = Annotated[str, typer.Option(help="The team's name (or number); the console's team is 'Local team'.")]
PersonArgument = Annotated[str, typer.Argument(help="The person's name or user id, as the team knows them.")]


@admin_app.command("list")
def admin_list(team: TeamOption = "Local team") -> None:
    """Who was granted the admin role (platform admins are admins as well, without a grant)."""
    _with_session(lambda session: _print_admins(session, _find_team(session, team)))


@admin_app.command("grant")
def admin_grant(person: PersonArgument, team: TeamOption = "Local team") -> None:
    """Make a team member an admin."""
    _with_session(lambda session: _set_admin(session, _find_team(session, team), person, admin=True))


@admin_app.command("revoke")
def admin_revoke(person: PersonArgument, team: TeamOption = "Local team") -> None:
    """Take the granted admin role away (a platform admin stays an admin on the platform's word)."""
    _with_session(lambda session: _set_admin(session, _find_team(session, team), person, admin=False))


def _with_session(work: Callable[[Session], None]) -> None:
    """Run ``work`` in one transaction on the configured, up-to-date database."""
    settings = _setup()
    from storage.db import Database

    db = Database.from_url(settings.database_url)
    db.upgrade()
    try:
        with db.session() as session:
            work(session)
    finally:
        db.dispose()


def _print_admins(session: Session, team: Team) -> None:
    from storage.teams import granted_admins

    assert team.id is not None
    admins = granted_admins(session, team_id=team.id)
    names = ", ".join(f"{m.display_name} ({m.platform} {m.user_id})" for m in admins) or "nobody"
    err.print(f"Granted admins of {team.name}: {names}.", soft_wrap=True, markup=False)


def _set_admin(session: Session, team: Team, person: str, *, admin: bool) -> None:
    from storage.domain import Role
    from storage.teams import find_members_by_name, set_role

    assert team.id is not None
    found = find_members_by_name(session, team_id=team.id, name=person)
    if len(found) != 1:
        problem = "No member of" if not found else "More than one member of"
        err.print(f"{problem} {team.name} is called {person!r}; a person joins by using the bot in the team once "
                  "(give the user id when names repeat).", soft_wrap=True, markup=False)
        raise typer.Exit(2)
    member = found[0]
    changed = set_role(session, member=member, role=Role.ADMIN if admin else Role.ADVOCATE)
    if admin:
        err.print(f"{member.display_name} is {'now' if changed else 'already'} an admin of {team.name}.",
                  soft_wrap=True, markup=False)
    else:
        err.print(f"{member.display_name} {'is no longer' if changed else 'was not'} a granted admin of "
                  f"{team.name}.", soft_wrap=True, markup=False)


def _find_team(session: Session, name: str) -> Team:
    from sqlmodel import select

    from storage.models import Team

    teams = session.exec(select(Team).where(Team.name == name)).all()
    if not teams and name.isdigit():
        teams = [t for t in [session.get(Team, int(name))] if t is not None]
    if len(teams) != 1:
        known = ", ".join(f"{t.id}: {t.name}" for t in session.exec(select(Team)).all()) or "none yet"
        problem = "No team is called" if not teams else "More than one team is called"
        err.print(f"[red]{problem} {name!r}; give its number instead. Teams: {known}[/red]", soft_wrap=True)
        raise typer.Exit(2)
    return teams[0]


def _team_admin(session: Session, team: Team) -> Member:
    from sqlmodel import col, select

    from storage.models import Member

    member = session.exec(select(Member).where(Member.team_id == team.id).order_by(col(Member.id))).first()
    if member is None:
        err.print("[red]That team has no members yet: use the bot in it once first.[/red]")
        raise typer.Exit(2)
    return member


def _report_errors(errors: list[str], *, imported: bool) -> int:
    head = "Skipped these rows:" if imported else "Nothing was imported; fix these rows (or use --skip-invalid):"
    err.print(f"[yellow]{head}[/yellow]")
    for line in errors:
        err.print(f"  {line}", soft_wrap=True, markup=False)
    return 1


def main() -> None:
    _pause_collector()
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
    finally:
        _resume_collector()  # a command that never read its settings (--help, a bad option)


if __name__ == "__main__":
    main()
