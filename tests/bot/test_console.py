"""The real ``devrelbot console`` process, fed a script on stdin, as a newcomer would use it."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console
from sqlmodel import select

from bot.console import LOCAL_CHAT, ConsoleDoor
from handlers.core import Button, Reply
from storage.db import Database
from storage.models import Activity

SCRIPT = """\
/log talk "Scaling Postgres" @ HighLoad++ 2026-11-20 audience=300 contacts=25 cost=1500 #backend #dba
/log meetup "Go Meetup #3" @ Office 2026-11-18 audience=80 stream_views=1.2k contacts=30 cost=600usd nps=72
/log booth "DevConf booth" @ DevConf 2026-10-02 audience=2k participants=150 contacts=90 cost=3000usd
/log article "Why we moved to Kafka" @ Habr 2026-11-01 views=12k likes=140 shares=20 comments=40
/log tweet "Release 2.0 thread" @ X 2026-11-02 views=5k likes=80 shares=12 comments=8
/log talk "Oops" audience=-1
/update 4 views=15000
/show 4
/list
/delete 5
1
/list tweet
"""


def run_console(tmp_path: Path, script: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'console.db'}", "LOG_LEVEL": "WARNING"}
    return subprocess.run(
        [sys.executable, "-m", "bot", "console"], input=script, capture_output=True, text=True,
        cwd=tmp_path, env=env, timeout=60, check=False,
    )


def test_a_scripted_console_session_logs_lists_updates_shows_and_deletes(tmp_path):
    result = run_console(tmp_path, SCRIPT)

    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Logged talk #1 Scaling Postgres @ HighLoad++, 2026-11-20" in out
    assert "reach 300 · cost per contact $60.00" in out
    assert "Logged event #2" in out and "reach 1,280 · cost per contact $20.00" in out
    assert "Logged partnership #3" in out and "reach 2,000 · cost per contact $33.33" in out
    assert "Logged publication #4" in out and "reach 12,000 · engagement 200" in out
    assert "Logged social #5" in out and "reach 5,000 · engagement 100" in out
    assert "audience cannot be negative" in out
    assert "views: 12,000 → 15,000" in out and "reach 15,000" in out
    assert "Delete social #5" in out and "[1] Delete #5" in out
    assert "Deleted social #5" in out
    assert "Nothing logged here yet" in out  # /list tweet after the delete
    assert "Traceback" not in result.stderr

    db = Database.from_url(f"sqlite:///{tmp_path / 'console.db'}")
    with db.session() as s:
        kinds = [a.kind for a in s.exec(select(Activity).order_by(Activity.id)).all()]
    db.dispose()
    assert kinds == ["talk", "event", "partnership", "publication"]


def test_console_explains_non_commands_and_bad_choices(tmp_path):
    result = run_console(tmp_path, "hello\n7\n/nope\n")
    assert "Commands start with / — try /help." in result.stdout
    assert "Unknown command /nope, try /help." in result.stdout


@pytest.mark.parametrize("command", ["run", "console"])
def test_run_without_tokens_opens_the_console_and_says_so(tmp_path, command):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "SLACK_"))}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'r.db'}")
    result = subprocess.run([sys.executable, "-m", "bot", command], input="/help\n", capture_output=True,
                            text=True, cwd=tmp_path, env=env, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert "/log — Log a talk" in result.stdout
    if command == "run":
        assert "starting the local console" in result.stderr


# `devrelbot run` in-process, then which of these packages it loaded (as bench/bench_startup.py lists them).
LOADED_PROBE = """\
import runpy, sys
sys.argv = ["devrelbot", "run"]
try:
    runpy.run_module("bot", run_name="__main__")
except SystemExit:
    pass
loaded = {m.split(".")[0] for m in sys.modules}
print("LOADED", *sorted(loaded & {"alembic", "aiohttp", "prometheus_client", "prompt_toolkit"}), file=sys.stderr)
"""


def test_a_piped_console_starts_on_a_migrated_database_without_alembic_the_health_server_or_line_editing(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "SLACK_", "METRICS_PORT"))}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'r.db'}", LOG_LEVEL="WARNING")

    def start() -> list[str]:
        result = subprocess.run([sys.executable, "-c", LOADED_PROBE], input="/help\n", capture_output=True,
                                text=True, cwd=tmp_path, env=env, timeout=60, check=True)
        assert "/log — Log a talk" in result.stdout
        return next(line for line in result.stderr.splitlines() if line.startswith("LOADED")).split()[1:]

    assert start() == ["alembic"]  # the first start migrates the new database
    # Later starts find it at head and read no further; no METRICS_PORT, so no aiohttp server nor Prometheus;
    # stdin is a pipe, so no prompt_toolkit (tests/bot/test_console_terminal.py drives it on a terminal).
    assert start() == []


# `devrelbot run` as its entry point starts it, reporting the collector's state when the console reads its first line.
COLLECTOR_PROBE = """\
import gc, io, sys

class Stdin(io.StringIO):
    seen = None

    def readline(self, *args):
        Stdin.seen = Stdin.seen or (gc.isenabled(), gc.get_freeze_count())
        return super().readline(*args)

sys.stdin, sys.argv = Stdin("/help\\n"), ["devrelbot", "run"]
import bot.cli
layers_imported_with_the_cli = "sqlalchemy" in sys.modules
try:
    bot.cli.main()
except SystemExit:
    pass
print("COLLECTOR", layers_imported_with_the_cli, *Stdin.seen, file=sys.stderr)
"""


def test_the_start_up_imports_the_layers_with_the_collector_paused_and_serves_with_it_on(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "SLACK_"))}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'r.db'}", LOG_LEVEL="WARNING")
    result = subprocess.run([sys.executable, "-c", COLLECTOR_PROBE], capture_output=True, text=True, cwd=tmp_path,
                            env=env, timeout=60, check=True)
    assert "/log — Log a talk" in result.stdout
    _, imported_early, collecting, frozen = next(
        line for line in result.stderr.splitlines() if line.startswith("COLLECTOR")).split()
    assert imported_early == "False"  # the layers come after main() paused the collector, not with bot.cli
    assert collecting == "True"  # serving with the collector on, as any long-running process
    assert int(frozen) > 100_000  # what start-up built is left out of later collections


def test_a_bad_setting_stops_start_up_naming_it(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "DEFAULT_TIMEZONE": "Mars/Olympus"}
    result = subprocess.run([sys.executable, "-m", "bot", "run"], input="", capture_output=True, text=True,
                            cwd=tmp_path, env=env, timeout=60, check=False)
    assert result.returncode == 2
    assert "DEFAULT_TIMEZONE" in result.stderr and "Mars/Olympus" in result.stderr


async def test_buttons_a_job_printed_can_be_chosen_by_number(router, tmp_path):
    out = io.StringIO()
    door = ConsoleDoor(router, console=Console(file=out, width=200), out_dir=tmp_path)
    await door.messenger.send(LOCAL_CHAT, Reply("⏰ Reminder", buttons=(Button("Help", "/help"),)))  # as a job does

    await door.handle_line("1")

    assert "[1] Help" in out.getvalue() and "devrelbot commands" in out.getvalue()


RUSSIAN_SCRIPT = """\
/settings currency=RUB
/log доклад "Масштабируем Postgres" @ HighLoad++ 20 ноября 2026 аудитория=300 контакты=25 стоимость=15 000 руб #backend
/log митап "Go Meetup #3" @ Офис 18.11.2026 аудитория=80 просмотры_трансляции=1.2к контакты=30 стоимость=600₽ nps=72
/log стенд "Стенд на DevConf" @ DevConf 2 окт 2026 аудитория=2к участники=150 контакты=90 стоимость=$3000
/log статья "Почему Kafka" @ Хабр 1 нояб. 2026 просмотры=12к лайки=140 репосты=20 комментарии=40
/log твит "Тред о релизе 2.0" @ X сегодня просмотры=5к лайки=80 репосты=12 комментарии=8
/log доклад "Ой" аудитория=-1
/log доклад Kafka @ HighLoad++ 20/11
/show 4
привет
"""


def test_a_console_session_in_russian_logs_every_kind_with_russian_words_and_dates(tmp_path, monkeypatch):
    from datetime import UTC, date, datetime

    monkeypatch.setenv("DEFAULT_LANGUAGE", "ru")
    today = datetime.now(UTC).date()
    result = run_console(tmp_path, RUSSIAN_SCRIPT)

    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Записано: доклад #1 Масштабируем Postgres @ HighLoad++" in out
    assert "охват 300 · стоимость контакта 600,00 ₽" in out.replace("\xa0", " ")
    assert "Записано: мероприятие #2" in out and "охват 1 280" in out.replace("\xa0", " ")
    assert "Записано: партнёрство #3" in out
    assert "Записано: публикация #4" in out and "вовлечённость 200" in out
    assert "Записано: соцсети #5" in out
    assert "аудитория: значение не может быть отрицательным" in out
    assert "не похоже на дату" in out and "Пример: /log доклад" in out
    assert "просмотры: 12" in out  # /show 4 names the metric in Russian
    assert "Команды начинаются с / — попробуйте /help." in out  # the console's own words too
    assert "Traceback" not in result.stderr

    db = Database.from_url(f"sqlite:///{tmp_path / 'console.db'}")
    with db.session() as s:
        rows = [(a.kind, a.date, a.cost, a.currency) for a in s.exec(select(Activity).order_by(Activity.id)).all()]
    db.dispose()
    assert [r[0] for r in rows] == ["talk", "event", "partnership", "publication", "social"]
    assert [r[1] for r in rows[:4]] == [date(2026, 11, 20), date(2026, 11, 18), date(2026, 10, 2), date(2026, 11, 1)]
    assert rows[4][1] == today
    assert [(str(r[2]), r[3]) for r in rows[:3]] == [("15000.00", "RUB"), ("600.00", "RUB"), ("3000.00", "USD")]
