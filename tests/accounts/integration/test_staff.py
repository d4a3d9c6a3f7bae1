"""Staff accounts, identity corrections after the lock, announcements, the first admin's CLI."""

from __future__ import annotations

import asyncio
import os
import sys
from asyncio.subprocess import PIPE
from datetime import timedelta
from typing import Any

import pytest

from accounts import cli
from accounts.entrypoints.schemas import NewStaff
from accounts.settings import Settings
from shared.events.catalogue import AccountIdentityChanged
from shared.testing.factories import identite_json, random_email
from tests.accounts.integration.conftest import (
    PASSWORD,
    Candidate,
    Service,
    active_candidate,
    fields,
    last_event,
    lock,
    login,
    problem,
    staff_member,
)


def new_gestionnaire(academies: list[str]) -> dict[str, Any]:
    return {
        "email": random_email("gestionnaire"),
        "password": PASSWORD,
        "role": "gestionnaire",
        "display_name": "Claire Durand",
        "academies": academies,
    }


async def test_the_first_administrateur_comes_from_the_cli(
    service: Service, settings: Settings
) -> None:
    email = random_email("admin")
    account_id = await cli.create_admin(
        Settings(database_url=settings.database_url),
        NewStaff(email=email, password=PASSWORD, role="administrateur", display_name="Admin"),
    )
    tokens = await login(service, email)
    me = await service.client.get(
        "/api/v1/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert (await me.json())["role"] == "administrateur"
    assert (await me.json())["account_id"] == account_id


async def test_the_cli_command_creates_the_administrateur_once(settings: Settings) -> None:
    email = random_email("admin")
    environment = {
        **os.environ,
        "ACCOUNTS_DATABASE_URL": settings.database_url,
        "ACCOUNTS_ADMIN_PASSWORD": PASSWORD,
    }
    command = [sys.executable, "-m", "accounts.cli", "create-admin", "--email", email]

    async def run() -> tuple[int, str]:
        process = await asyncio.create_subprocess_exec(
            *command, "--name", "Admin", env=environment, stdout=PIPE, stderr=PIPE
        )
        out, err = await process.communicate()
        return process.returncode or 0, (out + err).decode()

    first, second = await run(), await run()
    assert first[0] == 0, first[1]
    assert "administrateur created" in first[1]
    assert second[0] == 1
    assert "Another account uses this email" in second[1]


def test_the_cli_refuses_a_weak_password(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ACCOUNTS_ADMIN_PASSWORD", "password")
    assert cli.main(["create-admin", "--email", random_email(), "--name", "Admin"]) == 2
    assert "password" in capsys.readouterr().err


async def test_an_administrateur_creates_gestionnaires_with_their_academies(
    service: Service,
) -> None:
    admin = await staff_member(service)
    body = new_gestionnaire(["PARIS", "CRETEIL"])
    response = await service.client.post("/api/v1/admin/staff", json=body, headers=admin.headers)
    created = await response.json()
    assert response.status == 201
    assert created["academies"] == ["CRETEIL", "PARIS"]

    tokens = await login(service, body["email"])
    me = await service.client.get(
        "/api/v1/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert (await me.json())["role"] == "gestionnaire"
    listed = await service.client.get("/api/v1/admin/staff", headers=admin.headers)
    assert body["email"] in {staff["email"] for staff in await listed.json()}


async def test_only_administrateurs_create_staff(service: Service) -> None:
    gestionnaire = await staff_member(service, "gestionnaire", ("PARIS",))
    candidate = await active_candidate(service)
    for member in (gestionnaire, candidate):
        response = await service.client.post(
            "/api/v1/admin/staff", json=new_gestionnaire(["PARIS"]), headers=member.headers
        )
        await problem(response, 403, "forbidden")


async def correct(service: Service, staff: Candidate, candidate: Candidate, **changes: Any) -> Any:
    body = {
        "identite": identite_json(**changes),
        "reason": "Erreur de saisie, pièce d'identité vue",
    }
    return await service.client.put(
        f"/api/v1/admin/accounts/{candidate.account_id}/identite", json=body, headers=staff.headers
    )


async def test_a_gestionnaire_corrects_a_locked_identity_and_it_is_audited(
    service: Service,
) -> None:
    candidate = await active_candidate(service)
    await lock(service, candidate, "PARIS")
    gestionnaire = await staff_member(service, "gestionnaire", ("PARIS",))

    response = await correct(service, gestionnaire, candidate, nom_naissance="Lefebvre")
    assert response.status == 200, await response.text()
    changed = await last_event(service.pool, AccountIdentityChanged)
    assert changed.identite.nom_naissance == "Lefebvre"
    assert changed.changed_by == gestionnaire.account_id
    assert changed.reason == "Erreur de saisie, pièce d'identité vue"

    audit = await service.client.get(
        f"/api/v1/admin/accounts/{candidate.account_id}/identite/audit",
        headers=gestionnaire.headers,
    )
    [entry] = await audit.json()
    assert entry["changed_by"] == str(gestionnaire.account_id)
    assert entry["changed_by_role"] == "gestionnaire"
    assert entry["before"]["nom_naissance"] == "Lefèvre-d'Aubigné"
    assert entry["after"]["nom_naissance"] == "Lefebvre"
    assert entry["changed_at"]


async def test_a_gestionnaire_of_another_academie_cannot_correct(service: Service) -> None:
    candidate = await active_candidate(service)
    await lock(service, candidate, "PARIS")
    outsider = await staff_member(service, "gestionnaire", ("LYON",))
    await problem(await correct(service, outsider, candidate), 403, "forbidden")


async def test_a_correction_needs_a_reason(service: Service) -> None:
    candidate = await active_candidate(service)
    admin = await staff_member(service)
    response = await service.client.put(
        f"/api/v1/admin/accounts/{candidate.account_id}/identite",
        json={"identite": identite_json()},
        headers=admin.headers,
    )
    assert fields(await problem(response, 422)) == {"reason"}


async def test_current_announcements_are_listed_publicly(service: Service) -> None:
    admin = await staff_member(service)
    now = service.clock.now()
    windows = {
        "current": (now - timedelta(hours=1), now + timedelta(hours=1)),
        "past": (now - timedelta(days=2), now - timedelta(days=1)),
        "future": (now + timedelta(days=1), now + timedelta(days=2)),
    }
    for title, (starts_at, ends_at) in windows.items():
        body = {
            "title": title,
            "body": "Maintenance prévue du portail",
            "starts_at": starts_at.isoformat(),
            "ends_at": ends_at.isoformat(),
        }
        response = await service.client.post(
            "/api/v1/admin/announcements", json=body, headers=admin.headers
        )
        assert response.status == 201, await response.text()

    listed = await (await service.client.get("/api/v1/announcements")).json()
    assert [announcement["title"] for announcement in listed] == ["current"]
    service.clock.advance(timedelta(days=1, hours=12))
    listed = await (await service.client.get("/api/v1/announcements")).json()
    assert [announcement["title"] for announcement in listed] == ["future"]


async def test_an_announcement_window_must_end_after_it_starts(service: Service) -> None:
    admin = await staff_member(service)
    now = service.clock.now()
    body = {
        "title": "t",
        "body": "b",
        "starts_at": now.isoformat(),
        "ends_at": (now - timedelta(hours=1)).isoformat(),
    }
    response = await service.client.post(
        "/api/v1/admin/announcements", json=body, headers=admin.headers
    )
    assert fields(await problem(response, 422)) == {"ends_at"}
    candidate = await active_candidate(service)
    body["ends_at"] = (now + timedelta(hours=1)).isoformat()
    response = await service.client.post(
        "/api/v1/admin/announcements", json=body, headers=candidate.headers
    )
    await problem(response, 403)


async def test_an_announcement_window_takes_only_iso_8601_instants(service: Service) -> None:
    admin = await staff_member(service)
    now = service.clock.now()
    for number in (0, "2000000000", 2000000000.5, "2026-05-01T10:00:00"):
        body = {
            "title": "t",
            "body": "b",
            "starts_at": number,
            "ends_at": (now + timedelta(hours=1)).isoformat(),
        }
        response = await service.client.post(
            "/api/v1/admin/announcements", json=body, headers=admin.headers
        )
        assert fields(await problem(response, 422)) == {"starts_at"}, number
    assert await service.pool.fetchval("SELECT count(*) FROM announcements") == 0
