"""The supervisor: a door that fails is retried with backoff, and never takes another door down."""

from __future__ import annotations

import asyncio

import pytest

from bot.app import supervise


class FlakyDoor:
    name = "flaky"

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.attempts = 0

    async def run(self, stop: asyncio.Event) -> None:
        self.attempts += 1
        if self.attempts <= self.failures:
            raise ConnectionError("API unreachable")
        await stop.wait()


class SteadyDoor:
    name = "steady"

    def __init__(self) -> None:
        self.ticks = 0
        self.stopped = False

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            self.ticks += 1
            await asyncio.sleep(0.001)
        self.stopped = True


async def test_a_failing_door_is_retried_while_the_other_goes_on(caplog):
    stop = asyncio.Event()
    flaky, steady = FlakyDoor(failures=3), SteadyDoor()
    tasks = [asyncio.create_task(supervise(flaky, stop, first_delay=0.01, max_delay=0.02)),
             asyncio.create_task(supervise(steady, stop, first_delay=0.01))]
    for _ in range(500):
        if flaky.attempts > 3:
            break
        await asyncio.sleep(0.01)
    ticks_while_flaky_failed = steady.ticks
    stop.set()
    await asyncio.wait_for(asyncio.gather(*tasks), timeout=5)

    assert flaky.attempts == 4
    assert ticks_while_flaky_failed > 0 and steady.stopped
    failures = [r for r in caplog.records if "flaky door failed" in r.getMessage()]
    assert len(failures) == 3 and "API unreachable" in failures[0].getMessage()


async def test_stop_ends_the_backoff_wait_at_once():
    stop = asyncio.Event()
    task = asyncio.create_task(supervise(FlakyDoor(failures=100), stop, first_delay=60))
    await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(task, timeout=2)


async def test_the_wait_doubles_from_the_first_delay_up_to_the_ceiling(caplog):
    stop = asyncio.Event()
    flaky = FlakyDoor(failures=4)
    task = asyncio.create_task(supervise(flaky, stop, first_delay=0.01, max_delay=0.03))
    for _ in range(500):
        if flaky.attempts > 4:
            break
        await asyncio.sleep(0.01)
    stop.set()
    await asyncio.wait_for(task, timeout=5)

    waits = [r.getMessage().rsplit("retrying in ", 1)[1] for r in caplog.records if "retrying in" in r.getMessage()]
    assert waits == ["0.01 s", "0.02 s", "0.03 s", "0.03 s"] and flaky.attempts == 5


async def test_cancelling_the_supervisor_cancels_the_door_instead_of_retrying_it():
    stop = asyncio.Event()
    flaky = FlakyDoor(failures=0)
    task = asyncio.create_task(supervise(flaky, stop, first_delay=0.01))
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, timeout=2)

    assert flaky.attempts == 1
