"""The bot's Prometheus metrics, in a registry of their own (built by a function, not at import time).

What each one means, for an operator, is in docs/deploy.md ("Metrics")."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from handlers.core import Incoming
from handlers.router import EventOutcome, Outcome
from jobs.sweep import SweepResult
from storage.db import Database
from storage.inbox import backlog
from storage.models import utcnow

log = logging.getLogger(f"devrelbot.{__name__}")

# Commands are mostly one transaction; charts and imports take longer, so the buckets reach 30 s.
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
# A sweep sends up to a batch of messages (a digest renders a chart): seconds to minutes.
_SWEEP_BUCKETS = (0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.commands = Counter(
            "devrelbot_commands",
            "Commands dispatched, by door and outcome (ok, user_error, failure).",
            ["door", "outcome"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "devrelbot_command_seconds",
            "Time the router took to run a command, by door.",
            ["door"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.events = Counter(
            "devrelbot_events",
            "Platform events (reactions, poll answers, reaction counts) by door and outcome (ok, duplicate: a "
            "redelivery applied before, failure: dropped by a bug, unavailable: the database away, not "
            "acknowledged so the platform sends it again).",
            ["door", "outcome"],
            registry=self.registry,
        )
        self.messages = Counter(
            "devrelbot_messages_sent",
            "Messages the bot posted (answers, announcements, reminders, digests, polls, files), by door.",
            ["door"],
            registry=self.registry,
        )
        self.platform_calls = Counter(
            "devrelbot_platform_calls",
            "Calls to a platform's API, by door and method (Slack's chat.postMessage, views.open, …; Telegram's "
            "sendMessage, getUpdates, …; file downloads as file), whether they succeeded or not.",
            ["door", "method"],
            registry=self.registry,
        )
        self.platform_errors = Counter(
            "devrelbot_platform_errors",
            "Calls to a platform's API that failed, by door and kind (Slack's error code, such as ratelimited or "
            "not_in_channel; Telegram's rate_limited, bad_request, forbidden, server_error, network).",
            ["door", "kind"],
            registry=self.registry,
        )
        self.sweep_seconds = Histogram(
            "devrelbot_sweep_seconds",
            "How long one sweep of due work took, by job (reminders, digests).",
            ["job"],
            buckets=_SWEEP_BUCKETS,
            registry=self.registry,
        )
        self.sweep_claims = Counter(
            "devrelbot_sweep_claims",
            "Due rows the sweeps claimed, by job and result (sent, failed: retried later with backoff, skipped: "
            "no longer needed).",
            ["job", "result"],
            registry=self.registry,
        )
        self.leader = Gauge(
            "devrelbot_leader",
            "1 while this replica holds the role (telegram_poller: the one replica that long-polls Telegram), "
            "else 0; the replica label names this process.",
            ["role", "replica"],
            registry=self.registry,
        )

    def command_handled(self, incoming: Incoming, outcome: Outcome, seconds: float) -> None:
        """The router's ``on_command`` observer: the one place commands are counted, whatever the door."""
        door = incoming.chat.platform
        self.commands.labels(door=door, outcome=outcome).inc()
        self.latency.labels(door=door).observe(seconds)

    def event_handled(self, door: str, outcome: EventOutcome) -> None:
        """The router's ``on_event`` observer."""
        self.events.labels(door=door, outcome=outcome).inc()

    def message_sent(self, door: str) -> None:
        self.messages.labels(door=door).inc()

    def platform_call(self, door: str, method: str) -> None:
        self.platform_calls.labels(door=door, method=method[:40]).inc()

    def platform_error(self, door: str, kind: str) -> None:
        self.platform_errors.labels(door=door, kind=kind[:40]).inc()

    def swept(self, job: str, seconds: float, result: SweepResult) -> None:
        """The ticker's observer: one sweep of ``job`` took ``seconds`` and ended with ``result``."""
        self.sweep_seconds.labels(job=job).observe(seconds)
        for outcome, count in (("sent", result.sent), ("failed", result.failed), ("skipped", result.skipped)):
            self.sweep_claims.labels(job=job, result=outcome).inc(count)

    def leading(self, role: str, replica: str) -> Callable[[bool], None]:
        """An observer for :class:`bot.leader.Leadership`: the gauge follows whether this replica leads."""
        gauge = self.leader.labels(role=role, replica=replica)
        gauge.set(0)
        return lambda leads: gauge.set(1 if leads else 0)

    def watch_inbox(self, db: Database, *, clock: Callable[[], datetime] = utcnow) -> None:
        """Inbox depth and age, read from the database at each scrape."""
        self.registry.register(_InboxCollector(db, clock))

    def exposition(self) -> bytes:
        """The metrics in the Prometheus text format (blocking: the inbox gauges query the database)."""
        return generate_latest(self.registry)


class _InboxCollector(Collector):
    def __init__(self, db: Database, clock: Callable[[], datetime]) -> None:
        self.db = db
        self.clock = clock

    def collect(self) -> Iterator[GaugeMetricFamily]:
        depth = GaugeMetricFamily("devrelbot_inbox_pending",
                                  "Deliveries stored in the durable inbox and not handled yet, by platform.",
                                  labels=["platform"])
        age = GaugeMetricFamily("devrelbot_inbox_oldest_seconds",
                                "Age of the oldest delivery not handled yet, by platform (0: none waiting).",
                                labels=["platform"])
        started = time.perf_counter()
        try:
            with self.db.reader() as session:
                waiting = backlog(session)
        except Exception as error:  # the database away: /readyz says so; the scrape still answers
            log.warning("inbox metrics skipped: %s", type(error).__name__)
            return
        now = self.clock()
        for platform in sorted({"slack", "telegram"} | set(waiting)):
            count, oldest = waiting.get(platform, (0, None))
            depth.add_metric([platform], count)
            age.add_metric([platform], max(0.0, (now - oldest).total_seconds()) if oldest else 0.0)
        log.debug("inbox metrics read in %.1f ms", (time.perf_counter() - started) * 1000)
        yield depth
        yield age

    def describe(self) -> Iterator[GaugeMetricFamily]:
        return iter(())  # collected at each scrape, not at registration
