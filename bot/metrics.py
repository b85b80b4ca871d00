"""The bot's Prometheus metrics, in a registry of their own (built by a function, not at import time)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

from handlers.core import Incoming
from handlers.router import Outcome

# Commands are mostly one transaction; charts and imports take longer, so the buckets reach 30 s.
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


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

    def command_handled(self, incoming: Incoming, outcome: Outcome, seconds: float) -> None:
        """The router's ``on_command`` observer: the one place commands are counted, whatever the door."""
        door = incoming.chat.platform
        self.commands.labels(door=door, outcome=outcome).inc()
        self.latency.labels(door=door).observe(seconds)

    def exposition(self) -> bytes:
        """The metrics in the Prometheus text format."""
        return generate_latest(self.registry)
