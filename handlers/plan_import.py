"""/plan import: the team's plan from a spreadsheet (CSV). /export writes it back out (:mod:`handlers.export`).

Imports accept what Google Sheets and Excel write: UTF-8 with or without a BOM, `,`, `;` or tab separators,
dates as 2026-11-20 or 20.11.2026, columns in any order. Every row is checked first; nothing is
imported if any row is wrong, unless the caller asks to skip the invalid ones.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session

from handlers.csv_files import csv_rows
from handlers.errors import UserError, quote_token
from handlers.i18n import _
from handlers.parsing import MAX_TEXT, MAX_TITLE, parse_date, parse_tag, parse_text, parse_url
from handlers.safe_text import uncsv_cell
from storage.activities import create_activity
from storage.domain import Kind, Status, resolve_kind
from storage.models import Member, Team
from storage.reminders import reschedule
from storage.teams import find_members_by_name

PLAN_COLUMNS = ("kind", "title", "due", "owner", "outlet", "tags", "url")
REQUIRED = ("kind", "title", "due")
IGNORED = ("id", "status")  # in our own plan export: the file imports again as it is
HEADER_ALIASES = {"venue": "outlet", "date": "due", "due_date": "due", "link": "url", "type": "kind",
                  "name": "title", "tag": "tags",
                  # a Russian team's export (and sheet) reads back in
                  "номер": "id", "вид": "kind", "название": "title", "срок": "due", "дата": "due",
                  "ответственный": "owner", "издание": "outlet", "место": "outlet", "теги": "tags",
                  "ссылка": "url", "статус": "status"}
ROW_EXAMPLE = "article,Postgres 17 in production,2026-12-10,alice,Habr,backend dba,https://habr.com/…"


@dataclass(frozen=True)
class PlanRow:
    line: int
    kind: Kind
    title: str
    due: date
    owner: Member | None
    outlet: str | None
    tags: tuple[str, ...]
    url: str | None


@dataclass
class ImportResult:
    imported: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)


def read_rows(data: bytes) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Decode and split a CSV; returns the normalised header and (line number, row) pairs."""
    raw_header, lines = csv_rows(data, example=",".join(PLAN_COLUMNS) + "\n" + ROW_EXAMPLE)
    header = [HEADER_ALIASES.get(h.strip().lower(), h.strip().lower()) for h in raw_header]
    missing = [c for c in REQUIRED if c not in header]
    unknown = [h for h in header if h and h not in PLAN_COLUMNS and h not in IGNORED]
    if missing or unknown:
        problems = []
        if missing:
            problems.append(_("missing columns: {cols}").format(cols=", ".join(missing)))
        if unknown:
            problems.append(_("unknown columns: {cols}").format(cols=", ".join(unknown)))
        raise UserError(_("The header is wrong ({problems}). Columns: {cols}, in any order.").format(
            problems="; ".join(problems), cols=",".join(PLAN_COLUMNS)), example=",".join(PLAN_COLUMNS))
    rows = [(line, {h: (uncsv_cell(values[i].strip()) if i < len(values) else "") for i, h in enumerate(header) if h})
            for line, values in lines]
    return header, rows


def check_row(session: Session, *, team: Team, line: int, row: dict[str, str], today: date) -> PlanRow:
    kind = resolve_kind(row.get("kind", ""))
    if kind is None:
        raise UserError(_("kind {token} is not one of talk, event, partnership, publication, social.").format(
            token=quote_token(row.get('kind', ''))))
    title = parse_text("title", row.get("title", ""), limit=MAX_TITLE, example=ROW_EXAMPLE)
    if not row.get("due"):
        raise UserError(_("due is empty."))
    due = parse_date(row["due"], today=today, example=ROW_EXAMPLE)
    owner = None
    if row.get("owner"):
        assert team.id is not None  # a stored team
        matches = find_members_by_name(session, team_id=team.id, name=row["owner"])
        if len(matches) != 1:
            raise UserError(_("owner {token} is not a member of the team (they join by using the bot once).").format(
                token=quote_token(row['owner'])))
        owner = matches[0]
    outlet = parse_text("outlet", row["outlet"], limit=MAX_TEXT, example=ROW_EXAMPLE) if row.get("outlet") else None
    tags = tuple(dict.fromkeys(parse_tag("#" + t.lstrip("#"), example=ROW_EXAMPLE)
                               for t in row.get("tags", "").replace(",", " ").split()))
    url = parse_url(row["url"], example=ROW_EXAMPLE) if row.get("url") else None
    return PlanRow(line, kind, title, due, owner, outlet, tags, url)


def import_plan(
    session: Session,
    *,
    team: Team,
    importer: Member,
    data: bytes,
    now: datetime,
    today: date,
    skip_invalid: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Check every row, then import all of them in the caller's transaction (or none, when any is wrong)."""
    team_id, importer_id = team.id, importer.id
    assert team_id is not None and importer_id is not None  # both are stored
    _header, rows = read_rows(data)
    result = ImportResult()
    good: list[PlanRow] = []
    for line, row in rows:
        try:
            good.append(check_row(session, team=team, line=line, row=row, today=today))
        except UserError as error:
            result.errors.append(_("line {line}: {message}").format(line=line, message=error.message))
    if result.errors and not skip_invalid:
        return result
    result.skipped = len(result.errors)
    for done, item in enumerate(good, start=1):
        activity = create_activity(
            session, team_id=team_id, kind=item.kind, title=item.title, on=item.due,
            status=Status.PLANNED, values={"venue": item.outlet, "url": item.url, "due_date": item.due},
            tags=item.tags, owner_id=(item.owner or importer).id, created_by=importer_id,
        )
        reschedule(session, activity=activity, team=team, now=now, new=True)
        result.imported += 1
        if progress:
            progress(done, len(good))
    return result
