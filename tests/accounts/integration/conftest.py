"""The accounts service started against the test's database and bus, with a FakeClock the test
moves (`shared.testing.service.ServiceUnderTest`), and helpers for accounts' own flows; test
data comes from `shared.testing.factories`."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import asyncpg
import pytest
import pytest_asyncio
from aiohttp import web

from accounts.app import build_app
from accounts.deps import DEPS, Deps
from accounts.entrypoints.schemas import NewStaff
from accounts.handlers.staff import create_staff
from accounts.settings import Settings
from shared.events import Envelope, EventPayload
from shared.events.catalogue import Academie, AccountRegistered, CandidatureCreated
from shared.testing.clock import FakeClock
from shared.testing.factories import (
    candidature_created,
    candidature_ref,
    identite_json,
    random_email,
)
from shared.testing.helpers import wait_until
from shared.testing.service import Client, ServiceUnderTest

PASSWORD = "Vx9#kTqe"
OTHER_PASSWORD = "Rb4!zWmcQ"


# The accounts form takes ISO 3166 codes where shared's `identite_json()` writes names.
class Service(ServiceUnderTest):
    """The shared shape, plus what only accounts' tests reach for: the wired `Deps`."""

    @property
    def deps(self) -> Deps:
        return self.app[DEPS]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def settings(service_settings: dict[str, Any]) -> Settings:
    # Cheap hashes keep the suite fast; the benchmark measures the production parameters.
    return Settings(
        **service_settings,
        argon2_memory_kib=1024,
        argon2_time_cost=1,
        erase_interval_s=0.1,
        answer_floor_ms=5,
    )


@pytest_asyncio.fixture(loop_scope="session")
async def service(
    settings: Settings, clock: FakeClock, serve: Callable[[web.Application], Awaitable[Client]]
) -> Service:
    app = build_app(settings, clock=clock)
    client = await serve(app)
    return Service(client, app, clock)


@pytest_asyncio.fixture(loop_scope="session")
async def service_without_job(
    settings: Settings, clock: FakeClock, serve: Callable[[web.Application], Awaitable[Client]]
) -> Service:
    """The service whose erasing job runs once at start-up, then only when the test calls it."""
    app = build_app(settings.model_copy(update={"erase_interval_s": 3600.0}), clock=clock)
    return Service(await serve(app), app, clock)


def new_account(email: str | None = None, **overrides: Any) -> dict[str, Any]:
    return {
        "email": email or random_email(),
        "password": PASSWORD,
        "identite": identite_json(),
        **overrides,
    }


async def problem(response: Any, status: int, slug: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = await response.json(content_type=None)
    assert response.status == status, body
    assert response.content_type == "application/problem+json"
    assert body["status"] == status
    if slug is not None:
        assert body["type"] == f"urn:cyclades:problem:{slug}"
    return body


def fields(body: dict[str, Any]) -> set[str]:
    return {error["field"] for error in body.get("errors", [])}


async def events(pool: asyncpg.Pool, model: type[EventPayload]) -> list[Any]:
    """The payloads of `model` in the outbox, parsed with the catalogue's model."""
    rows = await pool.fetch(
        "SELECT body FROM outbox WHERE event_type = $1 ORDER BY id", model.event_type
    )
    envelopes = [Envelope.model_validate_json(row["body"]) for row in rows]
    return [model.model_validate(envelope.payload) for envelope in envelopes]


async def last_event(pool: asyncpg.Pool, model: type[EventPayload], **match: Any) -> Any:
    found = [
        payload
        for payload in await events(pool, model)
        if all(getattr(payload, name) == value for name, value in match.items())
    ]
    assert found, f"no {model.event_type} with {match}"
    return found[-1]


async def register(service: Service, email: str | None = None, **overrides: Any) -> str:
    email = email or random_email()
    response = await service.client.post("/api/v1/accounts", json=new_account(email, **overrides))
    assert response.status == 202, await response.text()
    return email


async def activation_token(service: Service, email: str) -> str:
    registered = await last_event(service.pool, AccountRegistered, email=email)
    token: str = registered.activation_token
    return token


async def activate(service: Service, email: str) -> dict[str, Any]:
    token = await activation_token(service, email)
    response = await service.client.post("/api/v1/accounts/activate", json={"token": token})
    assert response.status == 200, await response.text()
    body: dict[str, Any] = await response.json()
    return body


async def login(service: Service, email: str, password: str = PASSWORD) -> dict[str, Any]:
    response = await service.client.post(
        "/api/v1/auth/login", json={"email": email, "password": password}
    )
    assert response.status == 200, await response.text()
    body: dict[str, Any] = await response.json()
    return body


@dataclass
class Candidate:
    email: str
    account_id: uuid.UUID
    tokens: dict[str, Any]

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens['access_token']}"}


async def active_candidate(service: Service, **overrides: Any) -> Candidate:
    email = await register(service, **overrides)
    activated = await activate(service, email)
    return Candidate(email, uuid.UUID(activated["account_id"]), await login(service, email))


async def staff_member(
    service: Service, role: str = "administrateur", academies: tuple[str, ...] = ()
) -> Candidate:
    command = NewStaff(
        email=random_email(role),
        password=PASSWORD,
        role=role,
        display_name="Agent Dupont",
        academies=list(academies),
    )
    password_hash = await service.deps.hasher.hash(command.password)
    async with service.pool.acquire() as conn, conn.transaction():
        created = await create_staff(conn, command, service.deps, password_hash)
    return Candidate(command.email, created.account_id, await login(service, command.email))


def candidature_for(account_id: uuid.UUID, academie: str = "PARIS") -> CandidatureCreated:
    """shared's `candidature_created()` for this account, in this académie."""
    where = Academie(code=academie, libelle=academie.title(), fuseau_horaire="Europe/Paris")
    return candidature_created(candidature=candidature_ref(account_id=account_id, academie=where))


async def lock(service: Service, candidate: Candidate, academie: str = "PARIS") -> None:
    """Publish a CandidatureCreated for the candidate and wait for the identity lock."""
    await service.publish(candidature_for(candidate.account_id, academie), "registration")

    async def locked() -> bool:
        response = await service.client.get("/api/v1/me", headers=candidate.headers)
        return bool((await response.json())["identity_locked"])

    assert await wait_until(locked)
