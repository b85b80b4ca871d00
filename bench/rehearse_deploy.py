"""A rehearsal of docs/deploy.md as written: three ``devrelbot run`` replicas on the ports of its settings table,
on one PostgreSQL, behind nginx with the configuration printed in the guide (only TLS is replaced by a plain
loopback listener), then a load of Telegram webhook updates and Slack commands while replica 2 is killed and
started again, as a rolling upgrade restarts it.

    .venv/bin/python bench/rehearse_deploy.py [--postgres URL]     (needs nginx: apt-get install nginx-light)

Prints what it checked; exits non-zero when an acknowledged item was lost or applied twice.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import aiohttp
from sqlalchemy import text
from sqlmodel import select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from storage.db import Database, make_engine, normalize_url  # noqa: E402
from storage.models import Activity  # noqa: E402
from tests.fakes.slack_api import FakeSlackAPI  # noqa: E402
from tests.fakes.telegram_api import FakeBotApi, message_update  # noqa: E402
from tests.replicas import Replica, Sender, bounded, replica_env, schema_url  # noqa: E402

LISTEN = 18080
WEBHOOK_PATH = "/telegram/3f9c1e7a"  # the guide's location
PORTS = [(3001, 8441, 9101), (3002, 8442, 9102), (3003, 8443, 9103)]  # the guide's settings table


def nginx_config_from_the_guide() -> str:
    guide = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    config = re.search(r"```nginx\n(.*?)```", guide, re.S)
    assert config, "docs/deploy.md has no nginx block"
    body = config.group(1)
    body = body.replace("listen 443 ssl;", f"listen 127.0.0.1:{LISTEN};")
    return "\n".join(line for line in body.splitlines() if "ssl_certificate" not in line)


def titles(db: Database) -> collections.Counter[str]:
    with db.reader() as session:
        return collections.Counter(a.title for a in session.exec(select(Activity)))


async def rehearse(postgres_url: str, workdir: Path) -> bool:
    (workdir / "conf.d").mkdir()
    (workdir / "conf.d" / "devrelbot.conf").write_text(nginx_config_from_the_guide(), encoding="utf-8")
    (workdir / "nginx.conf").write_text(
        "pid nginx.pid;\nerror_log error.log;\nevents {}\n"
        "http {\n  access_log off;\n  client_body_temp_path tmp;\n  proxy_temp_path tmp;\n"
        "  include conf.d/devrelbot.conf;\n}\n", encoding="utf-8")
    (workdir / "tmp").mkdir()
    nginx = subprocess.Popen([shutil.which("nginx") or "nginx", "-p", str(workdir), "-c", "nginx.conf",
                              "-g", "daemon off;"])
    schema = f"rehearsal_{uuid.uuid4().hex[:8]}"
    admin = make_engine(postgres_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = normalize_url(postgres_url)
    db = Database(make_engine(url, connect_args={"options": f"-csearch_path={schema}"}))
    slack, telegram = FakeSlackAPI(), FakeBotApi()
    await slack.start()
    await telegram.start()
    env = replica_env(schema_url(url, schema), slack, telegram)
    env["TELEGRAM_WEBHOOK_URL"] = f"https://bot.example.com{WEBHOOK_PATH}"
    replicas = [Replica(f"replica-{i + 1}", env, workdir / f"replica-{i + 1}.log", slack_port=s, telegram_port=t,
                        metrics_port=m) for i, (s, t, m) in enumerate(PORTS)]
    try:
        db.upgrade()  # "migrations first"
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
            for replica in replicas:
                await replica.start()
            for replica in replicas:
                await replica.wait_ready(session, timeout=180)
            print("three replicas ready (/readyz 200 on 9101, 9102, 9103); nginx on", LISTEN)
            sender = Sender(f"http://127.0.0.1:{LISTEN}", slack, session, telegram_path=WEBHOOK_PATH)
            load = [("T", n, sender.telegram({"update_id": 70_000 + n, **message_update(
                        f'/log talk "T{n}" @ Conf 2026-11-20', chat_id=-3000 - n % 6)})) for n in range(90)]
            load += [("S", n, sender.slack_command("/devrel", f'log talk "S{n}" @ Conf 2026-11-20'))
                     for n in range(30)]

            async def restart_the_second() -> None:
                while sum(titles(db).values()) < 20:
                    await asyncio.sleep(0.1)
                await replicas[1].stop(signal.SIGKILL)
                print("replica 2 killed with SIGKILL mid-load; starting it again")
                await replicas[1].start()
                await replicas[1].wait_ready(session, timeout=180)
                print("replica 2 ready again")

            restarting = asyncio.create_task(restart_the_second())
            acknowledged = await bounded(8, [job for _kind, _n, job in load])
            await restarting
            expected = {f"{kind}{n}" for (kind, n, _job), ok in zip(load, acknowledged, strict=True) if ok}
            for _ in range(1200):
                if expected <= set(titles(db)):
                    break
                await asyncio.sleep(0.1)
            await asyncio.sleep(1)
    finally:
        for replica in replicas:
            await replica.stop()
        nginx.send_signal(signal.SIGQUIT)
        nginx.wait(30)
        await slack.stop()
        await telegram.close()
        counted = titles(db)
        db.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    twice = {t for t, n in counted.items() if n > 1}
    missing = expected - set(counted)
    print(f"acknowledged: {len(expected)} of {len(load)} (Telegram updates are sent again until acknowledged, "
          f"Slack commands once); applied twice: {sorted(twice) or 'none'}; lost: {sorted(missing) or 'none'}; "
          f"resent after a failed attempt: {sender.resent}")
    return not twice and not missing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", default=os.environ.get("DEVRELBOT_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    if not args.postgres or not shutil.which("nginx"):
        sys.exit("needs PostgreSQL (--postgres URL) and nginx (apt-get install nginx-light)")
    with tempfile.TemporaryDirectory() as tmp:
        ok = asyncio.run(rehearse(args.postgres, Path(tmp)))
    print("rehearsal passed" if ok else "REHEARSAL FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
