"""An instant comes in as ISO 8601 with its offset, never as a count of seconds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import BaseModel, ValidationError

from shared.types import Instant


class Window(BaseModel):
    opens_at: Instant


@pytest.mark.parametrize(
    "value", [0, 2000000000, "2000000000", " -42 ", 1.5, "2026-01-01T00:00:00", "2026-01-01"]
)
def test_numbers_and_naive_or_partial_instants_are_refused(value: object) -> None:
    with pytest.raises(ValidationError):
        Window.model_validate({"opens_at": value})


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-01-01T00:00:00+01:00", datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=1)))),
        ("2026-01-01T00:00:00Z", datetime(2026, 1, 1, tzinfo=UTC)),
    ],
)
def test_iso_8601_instants_with_their_offset_are_accepted(value: str, expected: datetime) -> None:
    assert Window.model_validate({"opens_at": value}).opens_at == expected


def test_an_aware_datetime_object_passes_as_it_is() -> None:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    assert Window(opens_at=at).opens_at is at


def test_the_schema_says_date_time() -> None:
    schema = Window.model_json_schema()["properties"]["opens_at"]
    assert schema["type"] == "string"
    assert schema["format"] == "date-time"
