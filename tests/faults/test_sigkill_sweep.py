"""A bot process is killed with SIGKILL in the middle of a reminder sweep (a send in flight, rows of its
batch claimed but not sent); a new process sweeps once the claim lease has expired: every reminder goes out
exactly once — none lost with the dead process, none sent twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

from sqlmodel import select

from storage.models import Reminder
from storage.outbox import DEFAULT_LEASE
from tests.rows import planned_item, reminder_states, team_with_member

ROOT = Path(__file__).resolve().parents[2]
ITEMS = 14
CREATED = datetime(2026, 11, 1, tzinfo=UTC)
SWEEP_AT = datetime(2026, 12, 31, tzinfo=UTC)  # every item is overdue
HANG_AT = 6  # the first process hangs in its 6th send (its second batch of 4) and is killed there


def fill(db) -> None:
    with db.session() as s:
        team, member = team_with_member(s)
        for i in range(ITEMS):
            planned_item(s, team=team, owner=member, title=f"Item {i}", due=date(2026, 12, 1 + i), created=CREATED)


def sweeper(db, tmp_path: Path, name: str, now: datetime, hang_at: int,
            kind: str = "reminders") -> tuple[subprocess.Popen, Path, Path]:
    sent, started = tmp_path / f"{name}.sent", tmp_path / f"{name}.started"
    sent.touch()
    started.touch()
    url = db.engine.url.render_as_string(hide_password=False)
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.faults.sweep_process", url, str(sent), str(started), now.isoformat(), name,
         str(hang_at), kind],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    return process, sent, started


def kill_in_send(process: subprocess.Popen, started: Path, send: int) -> None:
    """SIGKILL the process once it is inside its ``send``-th send (a short, bounded wait to get there)."""
    try:
        deadline = time.monotonic() + 60
        while len(lines(started)) < send:
            assert process.poll() is None, "the sweeper ended before it was killed"
            assert time.monotonic() < deadline, "the sweeper never reached its hanging send"
            time.sleep(0.02)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(30)
    assert process.returncode == -signal.SIGKILL


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def test_a_process_killed_mid_sweep_leaves_nothing_lost_or_doubled_for_the_next_one(db, tmp_path):
    fill(db)
    first, first_sent, first_started = sweeper(db, tmp_path, "first", SWEEP_AT, hang_at=HANG_AT)
    kill_in_send(first, first_started, HANG_AT)
    in_flight = lines(first_started)[-1]
    assert len(lines(first_sent)) == HANG_AT - 1 and in_flight not in lines(first_sent)
    with db.session() as s:
        stranded = [r for r in s.exec(select(Reminder)) if r.claimed_by == "first" and r.sent_at is None
                    and r.cancelled_at is None]
    assert stranded, "the dead process should have left claimed, unsent rows behind"

    # Restarted after the lease ran out (the clock is moved, nobody sleeps).
    later = SWEEP_AT + DEFAULT_LEASE + (DEFAULT_LEASE / 5)
    second, second_sent, _ = sweeper(db, tmp_path, "second", later, hang_at=0)
    assert second.wait(60) == 0

    counts = Counter(lines(first_sent) + lines(second_sent))
    assert [line for line, n in counts.items() if n > 1] == []
    assert len(counts) == ITEMS and all(line.startswith("⚠️ Overdue") for line in counts)
    assert in_flight in lines(second_sent)  # the send the kill interrupted went out after the restart
    assert reminder_states(db) == {("sent", "overdue"): ITEMS, ("cancelled", "due_soon"): ITEMS,
                                   ("cancelled", "due_today"): ITEMS}


def test_a_process_killed_mid_digest_leaves_each_channel_its_parts_once(router, db, tmp_path):
    """Five teams' digests, three parts each; the first process is killed in the middle of the 8th post."""
    from handlers.core import ChatRef
    from storage.models import DigestDelivery
    from tests.helpers import say

    chats = [ChatRef(platform="console", chat_id=f"team-{n}") for n in range(5)]
    for chat in chats:
        say(router, '/log talk "Scaling Postgres" @ Conf 2026-11-24 audience=100', chat=chat)
        say(router, "/digest here", chat=chat)
    monday = datetime(2026, 11, 30, 10, tzinfo=UTC)

    first, first_sent, first_started = sweeper(db, tmp_path, "first", monday, hang_at=8, kind="digests")
    kill_in_send(first, first_started, 8)

    later = monday + DEFAULT_LEASE + (DEFAULT_LEASE / 5)
    second, second_sent, _ = sweeper(db, tmp_path, "second", later, hang_at=0, kind="digests")
    assert second.wait(120) == 0

    posted = lines(first_sent) + lines(second_sent)
    for chat in chats:
        parts = [p for p in posted if p.startswith(chat.chat_id + ":") or p.startswith(chat.chat_id + " (")]
        assert len(parts) == 3, (chat.chat_id, parts)  # summary, details, chart: each once
        assert "Weekly digest" in parts[0] and parts[2].endswith("chart")
    with db.session() as s:
        assert all(d.sent_at is not None for d in s.exec(select(DigestDelivery)))
