"""Types every service's request models use."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AwareDatetime, BeforeValidator, Field


def _iso_8601_only(value: object) -> object:
    """pydantic would take a number (or a string of digits) as seconds since 1970: an instant
    comes in as an ISO 8601 string with its offset, or not at all."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or value.strip().lstrip("+-").isdigit():
        raise ValueError("an instant is an ISO 8601 date and time with its offset")
    return value


Instant = Annotated[
    AwareDatetime,
    BeforeValidator(_iso_8601_only),
    Field(json_schema_extra={"format": "date-time"}),
]
