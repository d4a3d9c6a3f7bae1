"""Prometheus metrics of the shared mechanisms (one registry per process)."""

from prometheus_client import Counter, Gauge, Histogram

HTTP_REQUESTS = Counter(
    "http_requests_total", "HTTP requests answered", ["method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "http_request_duration_seconds", "Time to answer an HTTP request", ["method", "route"]
)
OUTBOX_PUBLISHED = Counter("outbox_published_total", "Outbox messages confirmed by the broker")
OUTBOX_FAILURES = Counter(
    "outbox_refused_total", "Outbox messages the broker refused (unroutable or nacked)"
)
EVENTS_HANDLED = Counter(
    "events_handled_total", "Events taken from a queue, by outcome", ["queue", "outcome"]
)
DEPENDENCY_DOWN = Gauge(
    "dependency_down", "1 while this process cannot reach a server it needs", ["dependency"]
)
