from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from shared.events import Envelope, UnknownEventType, payload_model
from shared.events.catalogue import AccountErased


def test_routing_key_names_producer_type_and_version() -> None:
    envelope = Envelope.wrap(AccountErased(account_id="0" * 32, reason="x"), producer="accounts")
    assert envelope.routing_key == "accounts.AccountErased.v1"


def test_occurred_at_is_kept_in_utc() -> None:
    paris_summer = timezone(timedelta(hours=2))
    envelope = Envelope(
        type="AccountErased",
        version=1,
        producer="accounts",
        occurred_at=datetime(2027, 6, 1, 12, tzinfo=paris_summer),
        payload={},
    )
    assert envelope.occurred_at.utcoffset() == timedelta(0)
    assert envelope.occurred_at.hour == 10


def test_a_naive_occurred_at_is_refused() -> None:
    with pytest.raises(ValidationError):
        Envelope(type="X", version=1, producer="p", occurred_at=datetime(2027, 1, 1), payload={})


def test_readers_ignore_fields_they_do_not_know() -> None:
    envelope = Envelope(
        type="AccountErased",
        version=1,
        producer="accounts",
        payload={"account_id": "0" * 32, "reason": "x", "added_later": True},
    )
    assert isinstance(envelope.parsed(), AccountErased)


def test_an_unknown_event_type_is_an_error() -> None:
    with pytest.raises(UnknownEventType):
        payload_model("NothingHappened", 1)
