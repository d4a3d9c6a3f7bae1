"""What happens for each command and event: one transaction each, events through the outbox."""
