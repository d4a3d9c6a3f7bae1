"""The event bus: outbox (producing), relay (publishing), consumers with an inbox (consuming)."""
