"""/plan import: the team's plan from a spreadsheet — and the command line's import and export."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from handlers.errors import UserError
from handlers.plan_import import import_plan
from storage.models import Activity, ActivityTag, Member, Reminder, Team
from tests.helpers import ALICE, BOB, say

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)
GOOD = (
    "kind,title,due,owner,outlet,tags,url\n"
    "article,Postgres 17 in production,2026-12-10,bob,Habr,backend dba,https://habr.com/p\n"
    "talk,\"Kafka, without tears\",15.12.2026,,HighLoad++,,\n"
)

def run_import(router, db, data: str | bytes, **options):
    say(router, "/help")  # alice: the team and its admin
    say(router, "/help", user=BOB)
    with db.session() as s:
        team = s.exec(select(Team)).one()
        admin = s.exec(select(Member).where(Member.user_id == ALICE.user_id)).one()
        raw = data.encode("utf-8") if isinstance(data, str) else data
        return import_plan(s, team=team, importer=admin, data=raw, now=NOW, today=date(2026, 11, 26), **options)


def plan_rows(db) -> list[tuple[str, str, str, str | None]]:
    with db.session() as s:
        rows = s.exec(select(Activity).order_by(Activity.id)).all()
        owners = {m.id: m.display_name for m in s.exec(select(Member)).all()}
        return [(a.kind, a.title, a.due_date.isoformat(), owners.get(a.owner_id)) for a in rows]


def test_a_good_file_imports_every_row_with_owners_tags_and_reminders(router, db):
    result = run_import(router, db, GOOD)

    assert (result.imported, result.errors) == (2, [])
    assert plan_rows(db) == [("publication", "Postgres 17 in production", "2026-12-10", "bob"),
                             ("talk", "Kafka, without tears", "2026-12-15", "alice")]
    with db.session() as s:
        assert sorted(t.tag for t in s.exec(select(ActivityTag)).all()) == ["backend", "dba"]
        assert len(s.exec(select(Reminder)).all()) == 6


def test_a_bad_file_imports_nothing_and_names_each_bad_row_by_line(router, db):
    data = GOOD + "podcast,Episode 1,2026-12-01,,,,\narticle,,2026-12-01,,,,\narticle,X,31.02.2026,,,,\n" \
                  "post,Y,2026-12-01,carol,,,\npost,Z,2026-12-01,,,#bad!,\n"
    result = run_import(router, db, data)

    assert result.imported == 0
    assert [e.split(":")[0] for e in result.errors] == ["line 4", "line 5", "line 6", "line 7", "line 8"]
    assert "podcast" in result.errors[0] and "title cannot be empty" in result.errors[1]
    assert "not a real calendar date" in result.errors[2] and "carol" in result.errors[3]
    assert plan_rows(db) == []


def test_a_mixed_file_with_skip_invalid_imports_the_good_rows(router, db):
    result = run_import(router, db, GOOD + "podcast,Episode 1,2026-12-01,,,,\n", skip_invalid=True)
    assert (result.imported, result.skipped) == (2, 1)
    assert len(plan_rows(db)) == 2


def test_a_spreadsheet_export_with_bom_semicolons_and_dotted_dates_imports(router, db):
    excel = ("\ufeffTitle;Kind;Due;Outlet\r\n"
             "Release notes;post;20.12.2026;Company blog\r\n"
             "\"Talk; with a semicolon\";talk;21.12.2026;DevConf\r\n;;;\r\n")
    result = run_import(router, db, excel.encode("utf-8"))
    assert result.errors == []
    assert plan_rows(db) == [("publication", "Release notes", "2026-12-20", "alice"),
                             ("talk", "Talk; with a semicolon", "2026-12-21", "alice")]


def test_tab_separated_and_doubled_quotes_import(router, db):
    tsv = 'kind\ttitle\tdue\toutlet\npost\t"The ""fast"" path, part 2"\t2026-12-20\tBlog, mostly\n'
    result = run_import(router, db, tsv)
    assert result.errors == []
    assert plan_rows(db) == [("publication", 'The "fast" path, part 2', "2026-12-20", "alice")]


def test_semicolons_win_over_commas_inside_unquoted_titles(router, db):
    data = "kind;title;due\npost;Kafka, Postgres, and Redis;2026-12-20\ntalk;One, two;2026-12-21\n"
    result = run_import(router, db, data)
    assert result.errors == []
    assert [row[1] for row in plan_rows(db)] == ["Kafka, Postgres, and Redis", "One, two"]


@pytest.mark.parametrize(
    ("data", "expected"),
    [(b"", "empty"), (b"\xff\xfe\x00k", "not UTF-8"), (b"name,when\nx,y\n", "missing columns: kind, due"),
     (b"kind,title,due,budget\n", "unknown columns: budget")],
)
def test_unreadable_files_are_refused_with_a_reason(router, db, data, expected):
    with pytest.raises(UserError) as info:
        run_import(router, db, data)
    assert expected in info.value.message


def test_the_cli_imports_and_exports(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "LOG_LEVEL": "WARNING"}

    def devrelbot(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True,
                              text=True, cwd=tmp_path, env=env, timeout=60, check=False)

    devrelbot("console", stdin="/help\n")  # the local team and its first member
    (tmp_path / "plan.csv").write_text(GOOD.replace("bob", ""), encoding="utf-8")
    (tmp_path / "bad.csv").write_text(GOOD + "podcast,X,2026-12-01,,,,\n", encoding="utf-8")

    bad = devrelbot("plan", "import", "bad.csv", "--team", "Local team")
    assert bad.returncode == 1 and "line 4" in bad.stderr and "Nothing was imported" in bad.stderr
    good = devrelbot("plan", "import", "plan.csv", "--team", "Local team")
    assert good.returncode == 0 and "Imported 2 plan items into Local team" in good.stderr
    missing = devrelbot("plan", "import", "plan.csv", "--team", "Nope")
    assert missing.returncode == 2 and "No team is called 'Nope'" in missing.stderr
    exported = devrelbot("export", "plan", "out.csv")
    assert exported.returncode == 0
    assert "Postgres 17 in production" in (tmp_path / "out.csv").read_text(encoding="utf-8-sig")
