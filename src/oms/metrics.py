"""Prometheus metrics of one OMS process, on a registry of its own.

A registry per process object (not the global default) so that tests can run several gateways in
one interpreter, and so `/metrics` shows exactly this process.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

# Delivery latency buckets: sub-millisecond (local fan-out) to the 1 s repair tick and beyond.
LATENCY_BUCKETS = (
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
)


class Metrics:
    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        registry = self.registry
        self.connections = Gauge(
            "oms_connections", "Sockets connected to this node.", registry=registry
        )
        self.published = Counter(
            "oms_events_published", "Events this process published to the bus.", registry=registry
        )
        self.dispatched = Counter(
            "oms_events_dispatched",
            "Events this node handled, by where it learnt of them.",
            ["source"],
            registry=registry,
        )
        self.delivered = Counter(
            "oms_events_delivered", "Event frames written live to sockets.", registry=registry
        )
        self.replayed = Counter(
            "oms_events_replayed",
            "Event frames written to sockets replaying what they missed.",
            registry=registry,
        )
        self.auth_failures = Counter(
            "oms_auth_failures",
            "Connections refused at connect, by code.",
            ["code"],
            registry=registry,
        )
        self.join_denials = Counter(
            "oms_join_denials", "Refused join requests, by code.", ["code"], registry=registry
        )
        self.delivery_latency = Histogram(
            "oms_delivery_latency_seconds",
            "From the event's timestamp (its transaction) to the last live write on this node.",
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        # Email and Web Push (DESIGN §10): sent | failed | skipped, and retried for each retry.
        self.deliveries = Counter(
            "oms_deliveries",
            "Deliveries by email or Web Push settled (or retried) by this process's worker.",
            ["channel", "status"],
            registry=registry,
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)
