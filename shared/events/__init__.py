"""The event envelope, the registry of payload models, and the catalogue every service shares."""

from shared.events.envelope import (
    Envelope,
    EventPayload,
    UnknownEventType,
    event,
    payload_model,
    routing_key,
)

__all__ = ["Envelope", "EventPayload", "UnknownEventType", "event", "payload_model", "routing_key"]
