"""Start-up: ``devrelbot run`` with no tokens (the console door) from process start to the answer to ``/help``
fed on stdin, against ``python -c pass`` (the interpreter's own start-up) as a baseline.

    .venv/bin/python bench/bench_startup.py [--runs 7]

Each run is a fresh process in a temporary directory (no ``.env``), on a database migrated by a first,
separately reported start. The two are run alternately; medians are compared. Target: under 2 s to ready.
Also lists which heavy packages the console process loaded (matplotlib and the SDKs should not be there).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

READY = "devrelbot commands"  # the first line of /help's answer
HEAVY = ("matplotlib", "telegram", "slack_sdk", "slack_bolt", "apscheduler", "aiohttp", "numpy", "PIL")
PROBE = (
    "import sys, runpy; sys.argv = ['devrelbot', 'run'];\n"
    "try:\n    runpy.run_module('bot', run_name='__main__')\nexcept SystemExit:\n    pass\n"
    f"print('LOADED', sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})), file=sys.stderr)"
)


def environment(workdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "SLACK_", "DATABASE_URL"))}
    env.update(DATABASE_URL=f"sqlite:///{workdir / 'bench.db'}", LOG_LEVEL="WARNING", PYTHONDONTWRITEBYTECODE="0")
    return env


def time_to_ready(workdir: Path) -> float:
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "run"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, text=True, cwd=workdir, env=environment(workdir),
    )
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write("/help\n")
    process.stdin.flush()
    elapsed = None
    for line in process.stdout:
        if READY in line:
            elapsed = time.perf_counter() - start
            break
    process.stdin.close()
    process.stdout.read()
    process.wait(timeout=30)
    if elapsed is None:
        raise RuntimeError(f"devrelbot run never answered /help (exit code {process.returncode})")
    return elapsed


def time_python_pass() -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return time.perf_counter() - start


def loaded_modules(workdir: Path) -> str:
    out = subprocess.run([sys.executable, "-c", PROBE], input="/help\n", capture_output=True, text=True,
                         cwd=workdir, env=environment(workdir), timeout=60, check=True)
    return next((line for line in out.stderr.splitlines() if line.startswith("LOADED")), "LOADED ?")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        first = time_to_ready(workdir)  # creates and migrates the database
        ours, baseline = [], []
        for _ in range(runs):
            ours.append(time_to_ready(workdir))
            baseline.append(time_python_pass())
        heavy = loaded_modules(workdir)
    ours_s, base_s = statistics.median(ours), statistics.median(baseline)
    print(f"devrelbot run (console) to /help answered: median {ours_s:.2f} s over {runs} runs "
          f"(min {min(ours):.2f}, max {max(ours):.2f}); first start with migrations {first:.2f} s")
    print(f"python -c pass: median {base_s * 1000:.0f} ms; ratio ours / python = {ours_s / base_s:.1f}x")
    print(f"target < 2 s: {'met' if ours_s < 2 else 'NOT met'}; heavy packages loaded by the console: "
          f"{heavy.removeprefix('LOADED ')}")


if __name__ == "__main__":
    main()
