"""Every creating POST honours Idempotency-Key: a retry answers the same and causes nothing;
the same key with another body is refused."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from shared.events.catalogue import AccountRegistered, AccountRegistrationRepeated
from shared.testing.factories import random_email
from tests.accounts.integration.conftest import (
    Service,
    events,
    new_account,
    problem,
    staff_member,
)


async def test_an_account_creation_retried_with_its_key_creates_one_account(
    service: Service,
) -> None:
    body, key = new_account(), {"Idempotency-Key": "signup-1"}
    first = await service.client.post("/api/v1/accounts", json=body, headers=key)
    again = await service.client.post("/api/v1/accounts", json=body, headers=key)

    assert (first.status, await first.json()) == (again.status, await again.json())
    assert again.headers["Idempotent-Replayed"] == "true"
    assert await service.pool.fetchval("SELECT count(*) FROM accounts") == 1
    assert len(await events(service.pool, AccountRegistered)) == 1
    assert await events(service.pool, AccountRegistrationRepeated) == []

    other = await service.client.post("/api/v1/accounts", json=new_account(), headers=key)
    await problem(other, 422, "idempotency-key-reused")
    assert await service.pool.fetchval("SELECT count(*) FROM accounts") == 1


def announcement(service: Service, title: str) -> dict[str, Any]:
    now = service.clock.now()
    return {
        "title": title,
        "body": "Maintenance prévue du portail",
        "starts_at": now.isoformat(),
        "ends_at": (now + timedelta(hours=1)).isoformat(),
    }


async def test_an_announcement_retried_with_its_key_is_published_once(service: Service) -> None:
    admin = await staff_member(service)
    headers = {**admin.headers, "Idempotency-Key": "announce-1"}
    body = announcement(service, "Maintenance")
    first = await service.client.post("/api/v1/admin/announcements", json=body, headers=headers)
    again = await service.client.post("/api/v1/admin/announcements", json=body, headers=headers)

    assert first.status == again.status == 201
    assert await first.json() == await again.json()
    assert await service.pool.fetchval("SELECT count(*) FROM announcements") == 1
    other = announcement(service, "Autre")
    refused = await service.client.post("/api/v1/admin/announcements", json=other, headers=headers)
    await problem(refused, 422, "idempotency-key-reused")


async def test_a_staff_creation_retried_with_its_key_creates_one_account(service: Service) -> None:
    admin = await staff_member(service)
    headers = {**admin.headers, "Idempotency-Key": "staff-1"}
    body = {
        "email": random_email("gestionnaire"),
        "password": "Vx9#kTqe",
        "role": "gestionnaire",
        "display_name": "Claire Durand",
        "academies": ["PARIS"],
    }
    first = await service.client.post("/api/v1/admin/staff", json=body, headers=headers)
    again = await service.client.post("/api/v1/admin/staff", json=body, headers=headers)

    assert first.status == again.status == 201
    assert await first.json() == await again.json()
    count = "SELECT count(*) FROM accounts WHERE email = $1"
    assert await service.pool.fetchval(count, body["email"]) == 1
