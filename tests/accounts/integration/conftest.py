"""The accounts service started against the test's database and bus, with a clock the test
moves, and small helpers that build data no other test shares."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
import pytest
import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestClient

from accounts.app import build_app
from accounts.deps import DEPS, Deps
from accounts.entrypoints.schemas import NewStaff
from accounts.handlers.staff import create_staff
from accounts.settings import Settings
from shared.events import Envelope, EventPayload
from shared.events.catalogue import (
    Academie,
    AccountRegistered,
    CandidatureCreated,
    CandidatureRef,
    Civilite,
    Examen,
    Identite,
    Recapitulatif,
)
from shared.http.keys import BROKER, POOL
from shared.testing.helpers import publish_event, wait_until

Client = TestClient[web.Request, web.Application]
PASSWORD = "Vx9#kTqe"
OTHER_PASSWORD = "Rb4!zWmcQ"


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@dataclass
class Service:
    client: Client
    app: web.Application
    clock: FakeClock

    @property
    def pool(self) -> asyncpg.Pool:
        return self.app[POOL]

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


def random_email(prefix: str = "candidat") -> str:
    return f"{prefix}.{uuid.uuid4().hex[:10]}@example.org"


def identite(**overrides: Any) -> dict[str, Any]:
    adresse = {
        "ligne1": "12 rue de la Paix",
        "code_postal": "75002",
        "commune": "Paris",
        "pays": "FR",
    }
    value: dict[str, Any] = {
        "civilite": "MME",
        "nom_naissance": "Lefèvre-d'Aubigné",
        "prenoms": "Anne, Marie",
        "date_naissance": "2001-04-17",
        "pays_naissance": "FR",
        "commune_naissance": "Besançon",
        "nationalite": "FR",
        "adresse": adresse,
        "telephone": "+33 6 12 34 56 78",
    }
    return {**value, **overrides}


def new_account(email: str | None = None, **overrides: Any) -> dict[str, Any]:
    return {
        "email": email or random_email(),
        "password": PASSWORD,
        "identite": identite(),
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
    created = await create_staff(service.pool, command, service.deps)
    return Candidate(command.email, created.account_id, await login(service, command.email))


def candidature_created(account_id: uuid.UUID, academie: str = "PARIS") -> CandidatureCreated:
    now = datetime.now(UTC)
    ident = Identite.model_validate(identite(date_naissance=date(2001, 4, 17)))
    ref = CandidatureRef(
        candidature_id=uuid.uuid4(),
        account_id=account_id,
        email="candidat@example.org",
        civilite=Civilite.MME,
        nom="Lefèvre-d'Aubigné",
        prenoms="Anne",
        examen=Examen(code="BTS", libelle="Brevet de technicien supérieur"),
        session=2027,
        academie=Academie(code=academie, libelle="Paris", fuseau_horaire="Europe/Paris"),
        specialite_code="MCO",
        specialite_libelle="Management commercial opérationnel",
        numero_candidat="0001",
        numero_inscription="2027-0001",
    )
    recapitulatif = Recapitulatif(
        identite=ident,
        categorie="FORMATION CONTINUE",
        etablissement="INDIVIDUELS 075",
        forme_passage="globale",
        epreuves=[],
    )
    return CandidatureCreated(
        candidature=ref,
        version=1,
        saved_at=now,
        closes_at=now + timedelta(days=30),
        recapitulatif=recapitulatif,
    )


async def publish(service: Service, payload: EventPayload, producer: str = "registration") -> None:
    await publish_event(service.app[BROKER], payload, producer)


async def lock(service: Service, candidate: Candidate, academie: str = "PARIS") -> None:
    """Publish a CandidatureCreated for the candidate and wait for the identity lock."""
    await publish(service, candidature_created(candidate.account_id, academie))

    async def locked() -> bool:
        response = await service.client.get("/api/v1/me", headers=candidate.headers)
        return bool((await response.json())["identity_locked"])

    assert await wait_until(locked)
