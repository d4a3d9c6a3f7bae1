"""What the portal's tests and benchmark share: an identity as typed in Créer mon compte, and
a BTS 2027 window of an académie opened around now by an administrateur created for it (the
platforms run on the real clock, and the seed's windows are those of the 2026–2027 session)."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from datetime import UTC, datetime, timedelta

import aiohttp

PASSWORD = "Cyclades#2027ok"
# The identity fields of Créer mon compte, as a candidate types them (the civilité and the date
# of birth are chosen, not typed).
IDENTITE_TYPED = {
    "nom_naissance": "Martin",
    "prenoms": "Camille, Anne",
    "pays_naissance": "FR",
    "commune_naissance": "Besançon",
    "nationalite": "FR",
    "adresse_ligne1": "12 rue de l'Église",
    "code_postal": "25000",
    "commune": "Besançon",
    "pays": "FR",
}


async def create_admin(accounts_database_url: str, amqp_url: str) -> str:
    email = f"admin.{uuid.uuid4().hex[:8]}@example.org"
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *("-m", "accounts.cli", "create-admin", "--email", email, "--name", "Admin portail"),
        env={
            **os.environ,
            "ACCOUNTS_DATABASE_URL": accounts_database_url,
            "ACCOUNTS_AMQP_URL": amqp_url,
            "ACCOUNTS_ADMIN_PASSWORD": PASSWORD,
        },
        stdout=asyncio.subprocess.DEVNULL,
    )
    assert await process.wait() == 0
    return email


async def open_window_now(
    accounts_url: str,
    registration_url: str,
    accounts_database_url: str,
    amqp_url: str,
    academie: str,
    announcement: str | None = None,
) -> None:
    """The window, and the home page's announcement (guide, 1) when one is given."""
    admin = await create_admin(accounts_database_url, amqp_url)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as http:
        credentials = {"email": admin, "password": PASSWORD}
        async with http.post(accounts_url + "/api/v1/auth/login", json=credentials) as response:
            assert response.status == 200, await response.text()
            token = (await response.json())["access_token"]
        now = datetime.now(UTC)
        if announcement:
            message = {
                "title": announcement,
                "body": "Le portail sera indisponible dimanche de 8 h à 10 h.",
                "starts_at": (now - timedelta(minutes=1)).isoformat(),
                "ends_at": (now + timedelta(hours=1)).isoformat(),
            }
            async with http.post(
                accounts_url + "/api/v1/admin/announcements",
                json=message,
                headers={"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex},
            ) as response:
                assert response.status == 201, await response.text()
        window = {
            "examen": "BTS",
            "session": 2027,
            "academie": academie,
            "ouverture": (now - timedelta(hours=1)).isoformat(),
            "fermeture": (now + timedelta(days=2)).isoformat(),
        }
        async with http.post(
            registration_url + "/api/v1/admin/fenetres",
            json=window,
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex},
        ) as response:
            # 409: a window of this académie already covers now (another run's): it will do.
            assert response.status in (201, 409), await response.text()
