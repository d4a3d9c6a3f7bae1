"""A toy service wired like the real ones: migrations, relay, consumer, health, dead letters."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import asyncpg
from aiohttp import web
from pydantic import BaseModel
from pydantic_settings import SettingsConfigDict

from shared.auth import Role
from shared.bus.admin import dead_letter_api
from shared.bus.consumer import Subscription
from shared.bus.outbox import Outbox
from shared.db import PURGE_BATCH
from shared.events import Envelope
from shared.http import idempotency
from shared.http.api import Api
from shared.http.app import create_app
from shared.http.keys import POOL, SETTINGS
from shared.service import broker, consumers, database, outbox_relay, token_verifier
from shared.settings import ServiceSettings
from shared.testing.helpers import wait_until
from shared.testing.tokens import TestKeys
from tests.shared.bus.conftest import Pinged

MIGRATIONS = Path(__file__).parent / "toy_migrations"


class ToySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="TOY_", extra="ignore", frozen=True)
    service_name: str = "toy"


class NewTicket(BaseModel):
    label: str


class Ticket(BaseModel):
    number: int
    label: str


class Failing:
    fixed = False


async def on_pinged(conn: asyncpg.Connection, envelope: Envelope, payload: Pinged) -> None:
    if not Failing.fixed:
        raise RuntimeError("not yet")
    await conn.execute("INSERT INTO pings (n) VALUES ($1)", payload.n)


def toy_api() -> Api:
    api = Api()

    @api.post("/api/v1/pings/{n:\\d+}", status=202)
    async def ping(request: web.Request) -> None:
        outbox = Outbox("toy", request.app[SETTINGS].events_exchange)
        async with request.app[POOL].acquire() as conn, conn.transaction():
            await outbox.add(conn, Pinged(n=int(request.match_info["n"])))

    @api.post(
        "/api/v1/tickets",
        body=NewTicket,
        response=Ticket,
        status=201,
        transactional=True,
        idempotent=True,
    )
    async def create_ticket(request: web.Request, conn: Any, body: NewTicket) -> Ticket:
        number = await conn.fetchval(
            "INSERT INTO tickets (label) VALUES ($1) RETURNING n", body.label
        )
        return Ticket(number=number, label=body.label)

    @api.post(
        "/api/v1/groups/{group}/tickets",
        body=NewTicket,
        response=Ticket,
        status=201,
        transactional=True,
        idempotent=True,
    )
    async def create_group_ticket(request: web.Request, conn: Any, body: NewTicket) -> Ticket:
        label = f"{request.match_info['group']}:{body.label}"
        number = await conn.fetchval("INSERT INTO tickets (label) VALUES ($1) RETURNING n", label)
        return Ticket(number=number, label=label)

    api.endpoints.extend(dead_letter_api().endpoints)
    return api


def build_app(settings: ToySettings) -> web.Application:
    return create_app(
        settings,
        toy_api(),
        title="toy",
        contexts=[
            database(MIGRATIONS),
            broker,
            token_verifier(),
            outbox_relay,
            consumers(lambda app: [Subscription(settings.queue("pings"), {Pinged: on_pinged})]),
        ],
    )


async def test_a_wired_service_is_ready_and_replays_its_dead_letters(
    serve: Any, service_settings: dict[str, Any], test_keys: TestKeys
) -> None:
    Failing.fixed = False
    client = await serve(build_app(ToySettings(**service_settings)))
    admin = {"Authorization": f"Bearer {test_keys.token(Role.ADMINISTRATEUR)}"}

    ready = await (await client.get("/health/ready")).json()
    assert ready["status"] == "ready"
    assert set(ready["checks"]) >= {
        "database",
        "broker",
        "outbox_relay",
        "consumer:" + (service_settings["queue_prefix"] + ".pings"),
    }

    assert (await client.post("/api/v1/pings/5")).status == 202

    async def dead_letters() -> list[dict[str, Any]]:
        response = await client.get("/api/v1/admin/dead-letters", headers=admin)
        letters: list[dict[str, Any]] = await response.json()
        return letters

    assert await wait_until(lambda: _non_empty(dead_letters()))
    [letter] = await dead_letters()
    assert "not yet" in letter["reason"]

    Failing.fixed = True
    replay = await client.post(f"/api/v1/admin/dead-letters/{letter['id']}/replay", headers=admin)
    assert replay.status == 202
    pool = client.app[POOL]
    assert await wait_until(lambda: _has_ping(pool))
    again = await client.post(f"/api/v1/admin/dead-letters/{letter['id']}/replay", headers=admin)
    assert again.status == 404


async def test_dead_letters_are_for_administrateurs_only(
    serve: Any, service_settings: dict[str, Any], test_keys: TestKeys
) -> None:
    client = await serve(build_app(ToySettings(**service_settings)))
    token = test_keys.token(Role.GESTIONNAIRE, academies=["A01"])
    response = await client.get(
        "/api/v1/admin/dead-letters", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status == 403


async def _non_empty(letters: Any) -> bool:
    return bool(await letters)


async def _has_ping(pool: asyncpg.Pool) -> bool:
    return bool(await pool.fetchval("SELECT count(*) FROM pings WHERE n = 5"))


async def test_the_request_correlation_id_follows_into_its_events(
    serve: Any, service_settings: dict[str, Any]
) -> None:
    client = await serve(build_app(ToySettings(**service_settings)))

    response = await client.post("/api/v1/pings/1", headers={"X-Correlation-ID": "req-42"})

    assert response.status == 202
    row = await client.app[POOL].fetchrow("SELECT correlation_id, body FROM outbox")
    assert row["correlation_id"] == "req-42"
    assert Envelope.model_validate_json(row["body"]).correlation_id == "req-42"


async def test_an_idempotency_key_gives_one_effect_and_the_same_answer(
    serve: Any, service_settings: dict[str, Any]
) -> None:
    client = await serve(build_app(ToySettings(**service_settings)))
    key = {"Idempotency-Key": "8f1c0d7e-ticket"}

    first, second = await asyncio.gather(
        client.post("/api/v1/tickets", json={"label": "a"}, headers=key),
        client.post("/api/v1/tickets", json={"label": "a"}, headers=key),
    )
    third = await client.post("/api/v1/tickets", json={"label": "a"}, headers=key)

    assert {first.status, second.status, third.status} == {201}
    assert await first.json() == await second.json() == await third.json()
    assert third.headers["Idempotent-Replayed"] == "true"
    assert await client.app[POOL].fetchval("SELECT count(*) FROM tickets") == 1

    reused = await client.post("/api/v1/tickets", json={"label": "b"}, headers=key)
    assert reused.status == 422
    without_key = await client.post("/api/v1/tickets", json={"label": "a"})
    assert without_key.status == 201
    assert await client.app[POOL].fetchval("SELECT count(*) FROM tickets") == 2


async def test_a_failed_request_leaves_its_idempotency_key_free(
    serve: Any, service_settings: dict[str, Any]
) -> None:
    client = await serve(build_app(ToySettings(**service_settings)))
    key = {"Idempotency-Key": "retry-me"}

    failed = await client.post("/api/v1/tickets", json={"label": 7}, headers=key)
    assert failed.status == 422
    done = await client.post("/api/v1/tickets", json={"label": "ok"}, headers=key)
    assert done.status == 201


async def test_one_idempotency_key_on_two_resources_acts_on_each(
    serve: Any, service_settings: dict[str, Any]
) -> None:
    client = await serve(build_app(ToySettings(**service_settings)))
    key = {"Idempotency-Key": "same-key"}

    first = await client.post("/api/v1/groups/a/tickets", json={"label": "x"}, headers=key)
    second = await client.post("/api/v1/groups/b/tickets", json={"label": "x"}, headers=key)

    assert (first.status, second.status) == (201, 201)
    labels = await client.app[POOL].fetch("SELECT label FROM tickets ORDER BY n")
    assert [row["label"] for row in labels] == ["a:x", "b:x"]


async def test_old_idempotency_keys_are_purged_in_batches(
    serve: Any, service_settings: dict[str, Any]
) -> None:
    client = await serve(build_app(ToySettings(**service_settings)))
    pool = client.app[POOL]
    await pool.execute(
        """INSERT INTO idempotency_keys (scope, key, request_hash, created_at)
           SELECT 'old', g::text, '\\x00', now() - interval '2 days'
           FROM generate_series(1, $1) AS g""",
        PURGE_BATCH + 10,
    )
    await pool.execute(
        "INSERT INTO idempotency_keys (scope, key, request_hash) VALUES ('new', 'k', '\\x00')"
    )

    async with pool.acquire() as conn:
        await idempotency.purge(conn, hours=24)

    assert await pool.fetchval("SELECT array_agg(scope) FROM idempotency_keys") == ["new"]
