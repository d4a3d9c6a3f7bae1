"""One envelope for every event; payload models registered by type and version."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator


class EventPayload(BaseModel):
    """Base of the payload models: frozen, and tolerant of fields a newer producer added."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    event_type: ClassVar[str]
    event_version: ClassVar[int]


P = TypeVar("P", bound=type[EventPayload])

_registry: dict[tuple[str, int], type[EventPayload]] = {}


class UnknownEventType(LookupError):
    pass


def event(name: str, version: int = 1) -> Any:
    """Register a payload model as the payload of event `name` at `version`."""

    def register(cls: P) -> P:
        key = (name, version)
        if key in _registry and _registry[key] is not cls:
            raise ValueError(f"event {name} v{version} is registered twice")
        cls.event_type = name
        cls.event_version = version
        _registry[key] = cls
        return cls

    return register


def payload_model(event_type: str, version: int) -> type[EventPayload]:
    try:
        return _registry[(event_type, version)]
    except KeyError:
        raise UnknownEventType(f"{event_type} v{version}") from None


def routing_key(producer: str, event_type: str, version: int) -> str:
    return f"{producer}.{event_type}.v{version}"


class Envelope(BaseModel):
    """What travels on the bus. `payload` stays a dict here; `parsed()` gives the model."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    event_id: uuid.UUID = Field(default_factory=uuid.uuid4)
    type: str = Field(min_length=1, max_length=100)
    version: int = Field(ge=1)
    occurred_at: AwareDatetime = Field(default_factory=lambda: datetime.now(UTC))
    producer: str = Field(min_length=1, max_length=50)
    correlation_id: str | None = Field(default=None, max_length=100)
    payload: dict[str, Any]

    @field_validator("occurred_at")
    @classmethod
    def _in_utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC)

    @classmethod
    def wrap(
        cls, payload: EventPayload, *, producer: str, correlation_id: str | None = None
    ) -> Envelope:
        return cls(
            type=payload.event_type,
            version=payload.event_version,
            producer=producer,
            correlation_id=correlation_id,
            payload=payload.model_dump(mode="json"),
        )

    @property
    def routing_key(self) -> str:
        return routing_key(self.producer, self.type, self.version)

    def parsed(self) -> EventPayload:
        return payload_model(self.type, self.version).model_validate(self.payload)
