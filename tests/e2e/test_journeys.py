"""A candidate and a gestionnaire, end to end: real processes, real bus, real SMTP server."""

from __future__ import annotations

import asyncio
import os
import re
import sys
import uuid
from collections.abc import AsyncIterator
from email.message import EmailMessage
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from shared.testing.factories import identite_json
from tests.e2e.conftest import Platform

PASSWORD = "Vx9#kTqe"


@pytest_asyncio.fixture(loop_scope="session")
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        yield session


async def email_to(platform: Platform, address: str, subject: str) -> EmailMessage:
    for _ in range(300):
        for message in platform.smtp.to(address):
            if subject in str(message["Subject"]):
                return message
        await asyncio.sleep(0.1)
    raise AssertionError(f"no email {subject!r} to {address}")


def link_token(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    match = re.search(r"token=([A-Za-z0-9_\-]+)", body.get_content())
    assert match, "no link with a token in the email"
    return match.group(1)


async def login(http: aiohttp.ClientSession, platform: Platform, email: str, password: str) -> str:
    async with http.post(
        platform.url("accounts") + "/api/v1/auth/login",
        json={"email": email, "password": password},
    ) as response:
        assert response.status == 200, await response.text()
        token: str = (await response.json())["access_token"]
        return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_a_candidate_registers_activates_logs_in_and_is_known_to_registration(
    platform: Platform, http: aiohttp.ClientSession
) -> None:
    email = f"anne.{uuid.uuid4().hex[:8]}@example.org"
    accounts = platform.url("accounts")

    async with http.post(
        accounts + "/api/v1/accounts",
        json={"email": email, "password": PASSWORD, "identite": identite_json()},
    ) as created:
        assert created.status == 202, await created.text()
        first_answer = await created.json()

    activation = await email_to(platform, email, "Activer mon compte")
    async with http.post(
        accounts + "/api/v1/accounts/activate", json={"token": link_token(activation)}
    ) as activated:
        assert activated.status == 200, await activated.text()
    token = await login(http, platform, email, PASSWORD)

    identity = await _identity_in_registration(http, platform, token)
    assert identity["identite"]["nom_naissance"] == "Lefèvre-d'Aubigné"

    async with http.post(
        accounts + "/api/v1/accounts",
        json={"email": email, "password": PASSWORD, "identite": identite_json()},
    ) as repeated:
        assert repeated.status == 202
        assert await repeated.json() == first_answer
    assert len(platform.smtp.to(email)) >= 1
    await email_to(platform, email, "existe")


async def _identity_in_registration(
    http: aiohttp.ClientSession, platform: Platform, token: str
) -> dict[str, Any]:
    for _ in range(200):
        async with http.get(
            platform.url("registration") + "/api/v1/identite", headers=bearer(token)
        ) as response:
            if response.status == 200:
                found: dict[str, Any] = await response.json()
                return found
            assert response.status == 404, await response.text()
        await asyncio.sleep(0.1)
    raise AssertionError("registration never learnt the candidate's identity")


async def create_admin(platform: Platform, email: str) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "accounts.cli",
        "create-admin",
        "--email",
        email,
        "--name",
        "Admin E2E",
        env={
            **os.environ,
            "ACCOUNTS_DATABASE_URL": platform.database("accounts"),
            "ACCOUNTS_AMQP_URL": platform.amqp_url,
            "ACCOUNTS_ADMIN_PASSWORD": PASSWORD,
        },
    )
    assert await process.wait() == 0


@pytest.mark.parametrize(("own", "other"), [("001", "002")])
async def test_a_gestionnaire_manages_the_windows_of_their_academie_only(
    platform: Platform, http: aiohttp.ClientSession, own: str, other: str
) -> None:
    admin_email = f"admin.{uuid.uuid4().hex[:8]}@example.org"
    await create_admin(platform, admin_email)
    admin = await login(http, platform, admin_email, PASSWORD)
    gestionnaire_email = f"gest.{uuid.uuid4().hex[:8]}@example.org"
    async with http.post(
        platform.url("accounts") + "/api/v1/admin/staff",
        json={
            "email": gestionnaire_email,
            "password": PASSWORD,
            "role": "gestionnaire",
            "display_name": "Gestionnaire E2E",
            "academies": [own],
        },
        headers=bearer(admin),
    ) as created:
        assert created.status == 201, await created.text()
    gestionnaire = await login(http, platform, gestionnaire_email, PASSWORD)

    windows = platform.url("registration") + "/api/v1/admin/fenetres"
    period = {"ouverture": "2031-10-06T14:00:00+02:00", "fermeture": "2031-11-17T17:00:00+01:00"}
    refused = {"examen": "BTS", "session": 2027, "academie": other, **period}
    async with http.post(windows, json=refused, headers=bearer(gestionnaire)) as response:
        assert response.status == 403, await response.text()
        assert response.content_type == "application/problem+json"

    async with http.get(
        platform.url("registration") + "/api/v1/ouvertures",
        params={"domaine": "BTS", "session": "2027", "academie": own},
    ) as listing:
        assert listing.status == 200
        assert len(await listing.json()) >= 1  # the seed référentiel is loaded
