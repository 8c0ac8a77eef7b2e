"""Prometheus metrics of the API: operations by name and outcome, their latency, HTTP codes.

Operation names come from clients, so only well-formed names are used as label values, and
at most `MAX_NAMES` of them; the rest are counted as `other`.

Examples
--------
>>> m = Metrics()
>>> m.record_operation("EnterprisePage", "ok", 0.004)
>>> m.record_operation("bad name!", "error", 0.001)
>>> b"graphsvc_graphql_operations_total" in m.render()
True
>>> sorted(m.known_names)
['EnterprisePage', 'other']
"""

from __future__ import annotations

import re
import threading
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, exposition, generate_latest

__all__ = ["CONTENT_TYPE", "MAX_NAMES", "Metrics"]

CONTENT_TYPE = exposition.CONTENT_TYPE_LATEST
MAX_NAMES = 200
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """One app's metrics, in a registry of its own (no process-global state)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.operations = Counter(
            "graphsvc_graphql_operations",
            "GraphQL operations by operation name and outcome (ok, error, timeout).",
            ["operation", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "graphsvc_graphql_operation_seconds",
            "Time to parse, validate and execute a GraphQL operation, by operation name.",
            ["operation"],
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self.responses = Counter(
            "graphsvc_http_responses",
            "HTTP responses of the GraphQL endpoint by status code.",
            ["code"],
            registry=self.registry,
        )
        self.known_names: set[str] = set()
        self._lock = threading.Lock()
        self._children: dict[tuple[str, str], tuple[Any, Any]] = {}
        self._codes: dict[int, Any] = {}

    def _label(self, name: str) -> str:
        if name in self.known_names:
            return name
        with self._lock:
            if not _NAME.match(name) or len(self.known_names) >= MAX_NAMES:
                name = "other"
            self.known_names.add(name)
        return name

    def record_operation(self, name: str, status: str, seconds: float) -> None:
        """Count one operation and observe its duration."""
        label = self._label(name)
        children = self._children.get((label, status))
        if children is None:
            children = (self.operations.labels(label, status), self.latency.labels(label))
            self._children[(label, status)] = children
        children[0].inc()
        children[1].observe(seconds)

    def record_response(self, code: int) -> None:
        """Count one HTTP response of the GraphQL endpoint."""
        child = self._codes.get(code)
        if child is None:
            child = self._codes[code] = self.responses.labels(str(code))
        child.inc()

    def render(self) -> bytes:
        """The metrics in Prometheus' text format."""
        return generate_latest(self.registry)
