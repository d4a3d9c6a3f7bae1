"""The identity projection follows the accounts service's events, each applied once."""

from __future__ import annotations

import asyncio
import json
import shutil
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from registration.app import MIGRATIONS
from registration.handlers import identites as handlers
from registration.settings import Settings
from shared.auth import Role
from shared.bus.broker import Broker
from shared.db import migrate_service
from shared.erasure import is_erased
from shared.events import Envelope, EventPayload
from shared.events.catalogue import (
    AccountActivated,
    AccountEmailChanged,
    AccountErased,
    AccountIdentityChanged,
    AccountRegistered,
)
from shared.metrics import EVENTS_HANDLED
from shared.testing.factories import identite
from shared.testing.helpers import publish_envelope, wait_until
from shared.testing.plugin import BusNames
from shared.testing.tokens import TestKeys
from tests.registration.conftest import Client, Start

T0 = datetime(2026, 9, 1, 8, tzinfo=UTC)


def envelope(payload: EventPayload, occurred_at: datetime) -> Envelope:
    return Envelope.wrap(payload, producer="accounts").model_copy(
        update={"occurred_at": occurred_at}
    )


class Projection:
    def __init__(self, settings: Settings, client: Client, test_keys: TestKeys) -> None:
        self.settings = settings
        self.client = client
        self.test_keys = test_keys

    async def handled(self) -> int:
        conn = await asyncpg.connect(self.settings.database_url)
        try:
            count: int = await conn.fetchval("SELECT count(*) FROM inbox")
            return count
        finally:
            await conn.close()

    async def wait_handled(self, count: int) -> None:
        async def enough() -> bool:
            return await self.handled() >= count

        assert await wait_until(enough)

    async def identite(self, account_id: uuid.UUID) -> tuple[int, Any]:
        token = self.test_keys.token(Role.CANDIDAT, account_id=account_id)
        response = await self.client.get(
            "/api/v1/identite", headers={"Authorization": f"Bearer {token}"}
        )
        return response.status, await response.json()


def duplicates(settings: Settings) -> float:
    seen: float = EVENTS_HANDLED.labels(settings.queue("identites"), "duplicate")._value.get()
    return seen


async def test_the_projection_follows_the_account_events_once_each(
    start: Start, settings: Settings, broker: Broker, bus_names: BusNames, test_keys: TestKeys
) -> None:
    projection = Projection(settings, (await start(seeded=False)).client, test_keys)
    account = uuid.uuid4()
    events = [
        envelope(
            AccountRegistered(
                account_id=account,
                email="camille@example.org",
                identite=identite(),
                activation_token="t",
                activation_expires_at=T0 + timedelta(hours=48),
            ),
            T0,
        ),
        envelope(
            AccountActivated(account_id=account, email="camille@example.org", activated_at=T0),
            T0 + timedelta(minutes=5),
        ),
        envelope(
            AccountIdentityChanged(
                account_id=account,
                identite=identite(nom_naissance="DURAND"),
                changed_by=uuid.uuid4(),
            ),
            T0 + timedelta(minutes=10),
        ),
        envelope(
            AccountEmailChanged(
                account_id=account, old_email="camille@example.org", new_email="c@example.org"
            ),
            T0 + timedelta(minutes=15),
        ),
    ]
    duplicates_before = duplicates(settings)

    for event in events:
        await publish_envelope(broker, event)
    await projection.wait_handled(len(events))
    for event in events:
        await publish_envelope(broker, event)
    assert await wait_until(lambda: _true(duplicates(settings) >= duplicates_before + len(events)))

    status, body = await projection.identite(account)
    assert status == 200
    assert body["email"] == "c@example.org"
    assert body["activated"] is True
    assert body["identite"]["nom_naissance"] == "DURAND"
    assert await projection.handled() == len(events)


async def _true(value: bool) -> bool:
    return value


async def test_an_older_identity_arriving_late_does_not_win(
    start: Start, settings: Settings, broker: Broker, bus_names: BusNames, test_keys: TestKeys
) -> None:
    projection = Projection(settings, (await start(seeded=False)).client, test_keys)
    account = uuid.uuid4()
    newer = AccountIdentityChanged(
        account_id=account, identite=identite(nom_naissance="DURAND"), changed_by=uuid.uuid4()
    )
    older = AccountIdentityChanged(
        account_id=account, identite=identite(nom_naissance="MARTIN"), changed_by=uuid.uuid4()
    )

    await publish_envelope(broker, envelope(newer, T0 + timedelta(hours=1)))
    await publish_envelope(broker, envelope(older, T0))
    await projection.wait_handled(2)

    _, body = await projection.identite(account)
    assert body["identite"]["nom_naissance"] == "DURAND"


async def test_an_erased_account_leaves_nothing_and_stays_erased(
    start: Start, settings: Settings, broker: Broker, bus_names: BusNames, test_keys: TestKeys
) -> None:
    projection = Projection(settings, (await start(seeded=False)).client, test_keys)
    account = uuid.uuid4()
    registered = AccountRegistered(
        account_id=account,
        email="late@example.org",
        identite=identite(),
        activation_token="t",
        activation_expires_at=T0 + timedelta(hours=48),
    )

    await publish_envelope(broker, envelope(registered, T0))
    await projection.wait_handled(1)
    await publish_envelope(broker, envelope(AccountErased(account_id=account, reason="x"), T0))
    await publish_envelope(broker, envelope(registered, T0 + timedelta(seconds=1)))
    await projection.wait_handled(3)

    status, _ = await projection.identite(account)
    assert status == 404


async def _connect(settings: Settings) -> asyncpg.Connection:
    conn = await asyncpg.connect(settings.database_url)
    await conn.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
    return conn


async def _handle_in_transaction(
    conn: asyncpg.Connection, handle: Callable[[asyncpg.Connection], Awaitable[None]]
) -> asyncpg.transaction.Transaction:
    transaction = conn.transaction()
    await transaction.start()
    await handle(conn)
    return transaction


@pytest.mark.parametrize("erase_first", [True, False], ids=["erase-first", "register-first"])
async def test_an_erasure_and_a_registration_handled_together_leave_the_account_erased(
    start: Start, settings: Settings, test_keys: TestKeys, erase_first: bool
) -> None:
    """Two consumer workers, one event each: the second handler waits for the first one's
    commit instead of reading a tombstone (or a row) that is not committed yet."""
    projection = Projection(settings, (await start(seeded=False)).client, test_keys)
    account = uuid.uuid4()
    registered = AccountRegistered(
        account_id=account,
        email="race@example.org",
        identite=identite(),
        activation_token="t",
        activation_expires_at=T0 + timedelta(hours=48),
    )
    erased = AccountErased(account_id=account, reason="x")

    async def register(conn: asyncpg.Connection) -> None:
        await handlers.on_registered(conn, envelope(registered, T0), registered)

    async def erase(conn: asyncpg.Connection) -> None:
        await handlers.on_erased(conn, envelope(erased, T0 + timedelta(seconds=1)), erased)

    first, second = (erase, register) if erase_first else (register, erase)
    conn1, conn2 = await _connect(settings), await _connect(settings)
    try:
        transaction1 = await _handle_in_transaction(conn1, first)

        async def other_worker() -> None:
            transaction2 = await _handle_in_transaction(conn2, second)
            await transaction2.commit()

        task = asyncio.create_task(other_worker())
        await asyncio.wait({task}, timeout=0.5)
        await transaction1.commit()
        await task
    finally:
        await conn1.close()
        await conn2.close()

    status, _ = await projection.identite(account)
    assert status == 404


async def test_tombstones_kept_by_registration_move_to_the_shared_table(
    settings: Settings, tmp_path: Path
) -> None:
    """A database migrated before 004 keeps its erased accounts erased."""
    for script in sorted(MIGRATIONS.glob("00[123]_*.sql")):
        shutil.copy(script, tmp_path / script.name)
    account = uuid.uuid4()
    conn = await asyncpg.connect(settings.database_url)
    try:
        await migrate_service(conn, settings.service_name, tmp_path)
        await conn.execute(
            "INSERT INTO identites_effacees (account_id, erased_at) VALUES ($1, $2)", account, T0
        )

        await migrate_service(conn, settings.service_name, MIGRATIONS)

        assert await is_erased(conn, account)
        assert await conn.fetchval("SELECT to_regclass('identites_effacees')") is None
    finally:
        await conn.close()
