"""A candidature across the services, with the real clock: accounts (account, activation, login,
the identity lock), registration (the window, the tabs, enregistrer, modifier, désinscription)
and notifications (the three emails), through HTTP, the bus and the SMTP server only.

Every wait is for a positive signal (an answer, an email, a flag), with generous timeouts."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import aiohttp
import pytest_asyncio

from shared.testing.factories import identite_json
from tests.e2e.conftest import Platform
from tests.e2e.test_journeys import PASSWORD, bearer, create_admin, link_token, login

ACADEMIE = "001"
INFORMATIONS = {
    "categorie": "FC",
    "etablissement": f"INDIV-{ACADEMIE}",
    "handicap": False,
    "amenagement": False,
    "consentement_presse": True,
    "consentement_organismes_prives": False,
    "consentement_collectivites": True,
}
TABS: dict[str, dict[str, Any]] = {
    "identification": {},
    "informations-candidature": INFORMATIONS,
    "qualification": {"specialite": "BANQUE", "forme": "globale"},
    "acquis": {"acquis": []},
    "diplome": {"diplome": "BAC-GEN"},
    "epreuves": {"options": {"E2": "Anglais", "EF1": "Allemand"}, "facultatives": ["EF1", "EF3"]},
}
WAIT = 60.0  # seconds, for anything that crosses the bus


@pytest_asyncio.fixture(loop_scope="session")
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        yield session


async def email_to(platform: Platform, address: str, subject: str) -> EmailMessage:
    async with asyncio.timeout(WAIT):
        while True:
            for message in platform.smtp.to(address):
                if subject in str(message["Subject"]):
                    return message
            await asyncio.sleep(0.1)


def text_of(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    content: str = body.get_content()
    return content


async def open_window_now(platform: Platform, http: aiohttp.ClientSession) -> None:
    """The e2e platform runs on the real clock: an administrateur opens a window around now."""
    admin_email = f"admin.{uuid.uuid4().hex[:8]}@example.org"
    await create_admin(platform, admin_email)
    admin = await login(http, platform, admin_email, PASSWORD)
    now = datetime.now(UTC)
    window = {
        "examen": "BTS",
        "session": 2027,
        "academie": ACADEMIE,
        "ouverture": (now - timedelta(hours=1)).isoformat(),
        "fermeture": (now + timedelta(days=2)).isoformat(),
    }
    async with http.post(
        platform.url("registration") + "/api/v1/admin/fenetres",
        json=window,
        headers={**bearer(admin), "Idempotency-Key": uuid.uuid4().hex},
    ) as response:
        # 409: a window of the seed already covers now (the seed's dates may move): use it.
        assert response.status in (201, 409), await response.text()
    async with http.get(
        platform.url("registration") + "/api/v1/ouvertures",
        params={"domaine": "BTS", "session": "2027", "academie": ACADEMIE},
    ) as listing:
        assert listing.status == 200
        assert any(o["ouvert"] for o in await listing.json()), "no window open now"


async def activated_candidate(platform: Platform, http: aiohttp.ClientSession, email: str) -> str:
    accounts = platform.url("accounts")
    async with http.post(
        accounts + "/api/v1/accounts",
        json={"email": email, "password": PASSWORD, "identite": identite_json()},
    ) as created:
        assert created.status == 202, await created.text()
    activation = await email_to(platform, email, "Activer mon compte")
    async with http.post(
        accounts + "/api/v1/accounts/activate", json={"token": link_token(activation)}
    ) as activated:
        assert activated.status == 200, await activated.text()
    return await login(http, platform, email, PASSWORD)


async def open_draft(platform: Platform, http: aiohttp.ClientSession, token: str) -> str:
    """M'inscrire, once registration has learnt the identity and the activation (the bus)."""
    draft = {"examen": "BTS", "session": 2027, "academie": ACADEMIE}
    async with asyncio.timeout(WAIT):
        while True:
            async with http.post(
                platform.url("registration") + "/api/v1/candidatures",
                json=draft,
                headers={**bearer(token), "Idempotency-Key": uuid.uuid4().hex},
            ) as response:
                body = await response.json()
                if response.status == 201:
                    return str(body["id"])
                # Not yet projected: the identity, then the activation, come through the bus.
                assert response.status in (403, 409), body
                assert body["type"].rsplit("/", 1)[-1] in (
                    "identity-missing",
                    "account-not-activated",
                ), body
            await asyncio.sleep(0.2)


async def put_tabs(
    platform: Platform, http: aiohttp.ClientSession, token: str, candidature: str
) -> None:
    base = platform.url("registration") + f"/api/v1/candidatures/{candidature}/onglets/"
    for onglet, data in TABS.items():
        async with http.put(base + onglet, json=data, headers=bearer(token)) as response:
            assert response.status == 200, (onglet, await response.text())


async def confirmation_pdf(
    platform: Platform, http: aiohttp.ClientSession, token: str, candidature: str
) -> bytes:
    """The confirmation d'inscription, once documents has rendered and stored it."""
    listing = platform.url("documents") + f"/api/v1/me/candidatures/{candidature}/documents"
    async with asyncio.timeout(WAIT):
        while True:
            async with http.get(listing, headers=bearer(token)) as response:
                found = await response.json() if response.status == 200 else []
            if found:
                break
            await asyncio.sleep(0.2)
    download = platform.url("documents") + f"/api/v1/me/documents/{found[0]['id']}"
    async with http.get(download, headers=bearer(token)) as response:
        assert response.status == 200, await response.text()
        assert response.content_type == "application/pdf"
        return await response.read()


async def pdf_text(pdf: bytes) -> str:
    process = await asyncio.create_subprocess_exec(
        "pdftotext", "-", "-", stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE
    )
    text, _ = await process.communicate(pdf)
    return text.decode()


async def identity_locked(platform: Platform, http: aiohttp.ClientSession, token: str) -> None:
    async with asyncio.timeout(WAIT):
        while True:
            async with http.get(
                platform.url("accounts") + "/api/v1/me", headers=bearer(token)
            ) as response:
                assert response.status == 200, await response.text()
                if (await response.json())["identity_locked"]:
                    return
            await asyncio.sleep(0.2)


async def test_a_candidate_registers_for_bts_banque_modifies_and_withdraws(
    platform: Platform, http: aiohttp.ClientSession
) -> None:
    registration = platform.url("registration")
    await open_window_now(platform, http)
    email = f"camille.{uuid.uuid4().hex[:8]}@example.org"
    token = await activated_candidate(platform, http, email)

    candidature = await open_draft(platform, http, token)
    await put_tabs(platform, http, token, candidature)
    async with http.get(
        registration + f"/api/v1/candidatures/{candidature}", headers=bearer(token)
    ) as response:
        assert response.status == 200
        assert (await response.json())["enregistrable"] is True

    save = registration + f"/api/v1/candidatures/{candidature}/enregistrer"
    async with http.post(
        save, headers={**bearer(token), "Idempotency-Key": uuid.uuid4().hex}
    ) as response:
        assert response.status == 201, await response.text()
        saved = await response.json()
    assert saved["version"] == 1
    numero_candidat, numero_inscription = saved["numero_candidat"], saved["numero_inscription"]
    assert numero_inscription.startswith(f"BTS27-{ACADEMIE}-")

    created = text_of(await email_to(platform, email, "Inscription enregistrée"))
    assert numero_candidat in created
    assert numero_inscription in created
    assert "Version : 01" in created
    assert "Votre service gestionnaire" in created
    assert saved["service_gestionnaire"]["email"] in created

    # documents consumed it too: the confirmation of Version 01, stored in the bucket.
    confirmation = await pdf_text(await confirmation_pdf(platform, http, token, candidature))
    assert numero_candidat in confirmation
    assert numero_inscription in confirmation

    # accounts consumed CandidatureCreated: the identity is the gestionnaire's to correct now.
    await identity_locked(platform, http, token)
    async with http.put(
        platform.url("accounts") + "/api/v1/me/identite",
        json=identite_json(nom_naissance="Autrenom"),
        headers=bearer(token),
    ) as refused:
        assert refused.status == 409, await refused.text()
        assert (await refused.json())["type"].endswith("identity-locked")

    # Modifier: another facultative, then Version 02.
    epreuves = {"options": {"E2": "Anglais"}, "facultatives": ["EF3"]}
    async with http.put(
        registration + f"/api/v1/candidatures/{candidature}/onglets/epreuves",
        json=epreuves,
        headers=bearer(token),
    ) as response:
        assert response.status == 200, await response.text()
    async with http.post(
        save,
        headers={**bearer(token), "Idempotency-Key": uuid.uuid4().hex, "If-Match": '"1"'},
    ) as response:
        assert response.status == 201, await response.text()
        assert (await response.json())["version"] == 2
    modified = text_of(await email_to(platform, email, "Modification d'inscription"))
    assert numero_inscription in modified
    assert "Version : 02" in modified

    async with http.post(
        registration + f"/api/v1/candidatures/{candidature}/desinscrire",
        json={"confirmation": True},
        headers={**bearer(token), "Idempotency-Key": uuid.uuid4().hex},
    ) as response:
        assert response.status == 200, await response.text()
        assert (await response.json())["statut"] == "desinscrite"
    withdrawn = text_of(await email_to(platform, email, "Désinscription"))
    assert numero_inscription in withdrawn
    assert "Nous vous confirmons votre désinscription" in withdrawn

    async with http.get(registration + "/api/v1/me/candidatures", headers=bearer(token)) as mine:
        assert mine.status == 200
        assert await mine.json() == []
