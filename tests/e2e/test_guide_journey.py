"""The guide's whole journey across the five services, as real processes, through HTTP, the
SMTP server and S3 only: account → activation → M'inscrire → the tabs → Enregistrer (Version
01) → its confirmation PDF → the pièces with their date limite in local time → uploads → J'ai
fourni → the gestionnaire's Reçue then Non conforme with a comment → a new file, declared again
→ Conforme → Modifier (Version 02, its PDF and email) → Se désinscrire (its email); and a
gestionnaire's écarter on another candidature. Exactly the emails the guide promises, each
once: none for the pièce statuses."""

from __future__ import annotations

import asyncio
import io
import uuid
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest_asyncio
from pypdf import PdfWriter

from tests.e2e.conftest import Platform
from tests.e2e.test_candidature_journey import (
    ACADEMIE,
    WAIT,
    activated_candidate,
    email_to,
    open_draft,
    open_window_now,
    pdf_text,
    put_tabs,
    text_of,
)
from tests.e2e.test_journeys import PASSWORD, bearer, create_admin, login

PROMISED = ("Activer mon compte", "Inscription enregistrée", "Modification d'inscription",
            "Désinscription")  # fmt: skip


@pytest_asyncio.fixture(loop_scope="session")
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        yield session


def a_pdf(pages: int = 1) -> bytes:
    writer, out = PdfWriter(), io.BytesIO()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    writer.write(out)
    return out.getvalue()


async def until(check: Any) -> Any:
    """`await check()` until it answers something (not None)."""
    async with asyncio.timeout(WAIT):
        while (found := await check()) is None:
            await asyncio.sleep(0.2)
    return found


async def gestionnaire(platform: Platform, http: aiohttp.ClientSession) -> str:
    admin_email = f"admin.{uuid.uuid4().hex[:8]}@example.org"
    await create_admin(platform, admin_email)
    admin = await login(http, platform, admin_email, PASSWORD)
    email = f"gest.{uuid.uuid4().hex[:8]}@example.org"
    staff = {"email": email, "password": PASSWORD, "role": "gestionnaire",
             "display_name": "Service des examens", "academies": [ACADEMIE]}  # fmt: skip
    async with http.post(
        platform.url("accounts") + "/api/v1/admin/staff", json=staff, headers=bearer(admin)
    ) as created:
        assert created.status == 201, await created.text()
    return await login(http, platform, email, PASSWORD)


class Candidate:
    def __init__(self, platform: Platform, http: aiohttp.ClientSession, token: str) -> None:
        self.platform, self.http, self.token = platform, http, token

    async def save(self, candidature: str, version: int) -> dict[str, Any]:
        headers = {**bearer(self.token), "Idempotency-Key": uuid.uuid4().hex}
        if version > 1:
            headers["If-Match"] = f'"{version - 1}"'
        url = f"{self.platform.url('registration')}/api/v1/candidatures/{candidature}/enregistrer"
        async with self.http.post(url, headers=headers) as response:
            assert response.status == 201, await response.text()
            saved: dict[str, Any] = await response.json()
        assert saved["version"] == version
        return saved

    async def confirmation(self, candidature: str, version: int) -> str:
        """The text of the confirmation of `version`, once documents stored it."""
        documents = self.platform.url("documents")
        listing = f"{documents}/api/v1/me/candidatures/{candidature}/documents"

        async def listed() -> str | None:
            async with self.http.get(listing, headers=bearer(self.token)) as response:
                found = await response.json() if response.status == 200 else []
            return next((str(d["id"]) for d in found if d["version"] == version), None)

        document = await until(listed)
        async with self.http.get(
            f"{documents}/api/v1/me/documents/{document}", headers=bearer(self.token)
        ) as response:
            assert response.status == 200
            return await pdf_text(await response.read())

    def pieces_url(self, candidature: str) -> str:
        return f"{self.platform.url('uploads')}/api/v1/me/candidatures/{candidature}"

    async def pieces(self, candidature: str) -> dict[str, Any]:
        async def listed() -> dict[str, Any] | None:
            async with self.http.get(
                self.pieces_url(candidature) + "/pieces", headers=bearer(self.token)
            ) as response:
                found: dict[str, Any] = await response.json()
            return found if response.status == 200 and found["groupes"] else None

        found: dict[str, Any] = await until(listed)
        return found

    async def upload(self, candidature: str, piece: str, content: bytes) -> None:
        form = aiohttp.FormData()
        form.add_field("file", content, filename="scan.pdf", content_type="application/pdf")
        async with self.http.post(
            f"{self.pieces_url(candidature)}/pieces/{piece}/files",
            data=form,
            headers=bearer(self.token),
        ) as response:
            assert response.status == 201, await response.text()

    async def declare(self, candidature: str, groupe: str) -> None:
        async with self.http.post(
            f"{self.pieces_url(candidature)}/groupes/{groupe}/fournies",
            headers={**bearer(self.token), "Idempotency-Key": uuid.uuid4().hex},
        ) as response:
            assert response.status == 200, await response.text()


async def set_status(
    platform: Platform, http: aiohttp.ClientSession, token: str, piece: str, **status: str
) -> None:
    async with http.post(
        f"{platform.url('uploads')}/api/v1/admin/pieces/{piece}/status",
        json=status,
        headers=bearer(token),
    ) as response:
        assert response.status == 200, await response.text()


async def test_the_guides_journey_with_pieces_and_exactly_the_promised_emails(
    platform: Platform,
    http: aiohttp.ClientSession,
) -> None:
    await open_window_now(platform, http)
    staff = await gestionnaire(platform, http)
    email = f"lea.{uuid.uuid4().hex[:8]}@example.org"
    candidate = Candidate(platform, http, await activated_candidate(platform, http, email))

    candidature = await open_draft(platform, http, candidate.token)
    await put_tabs(platform, http, candidate.token, candidature)
    saved = await candidate.save(candidature, 1)
    first = await candidate.confirmation(candidature, 1)
    assert saved["numero_candidat"] in first
    assert saved["numero_inscription"] in first
    await email_to(platform, email, "Inscription enregistrée")

    # Mes justificatifs: the pièces, grouped by date limite, in Paris time and UTC.
    mes_pieces = await candidate.pieces(candidature)
    groupe = mes_pieces["groupes"][0]
    assert groupe["fuseau_horaire"] == "Europe/Paris"
    assert groupe["date_limite_locale"][-6:] in ("+01:00", "+02:00")
    pieces = [p for g in mes_pieces["groupes"] for p in g["pieces"] if p["active"]]
    assert pieces, "a candidature always asks for at least the identity document"
    for piece in pieces:
        await candidate.upload(candidature, piece["id"], a_pdf())
    for each in mes_pieces["groupes"]:
        await candidate.declare(candidature, each["id"])

    # The gestionnaire sees the group declared, receives the pièces, finds one non conforme.
    async def declared() -> dict[str, Any] | None:
        async with http.get(
            platform.url("uploads") + "/api/v1/admin/pieces/declarations",
            params={"academie": ACADEMIE, "limit": "500"},
            headers=bearer(staff),
        ) as response:
            assert response.status == 200, await response.text()
            items = (await response.json())["items"]
        return next((i for i in items if i["candidature_id"] == candidature), None)

    await until(declared)
    for piece in pieces:
        await set_status(platform, http, staff, piece["id"], status="recue")
    refused = pieces[0]["id"]
    comment = "Document illisible : merci de déposer un scan net."
    await set_status(platform, http, staff, refused, status="non_conforme", comment=comment)

    seen = {
        p["id"]: p for g in (await candidate.pieces(candidature))["groupes"] for p in g["pieces"]
    }
    assert seen[refused]["status"] == "non_conforme"
    assert seen[refused]["status_comment"] == comment
    await candidate.upload(candidature, refused, a_pdf(pages=2))
    for each in mes_pieces["groupes"]:
        await candidate.declare(candidature, each["id"])
    for piece in pieces:
        await set_status(platform, http, staff, piece["id"], status="conforme")

    # Modifier: Version 02, its confirmation and its email.
    async with http.put(
        platform.url("registration") + f"/api/v1/candidatures/{candidature}/onglets/epreuves",
        json={"options": {"E2": "Anglais"}, "facultatives": ["EF3"]},
        headers=bearer(candidate.token),
    ) as response:
        assert response.status == 200, await response.text()
    await candidate.save(candidature, 2)
    assert saved["numero_inscription"] in await candidate.confirmation(candidature, 2)
    modified = text_of(await email_to(platform, email, "Modification d'inscription"))
    assert "Version : 02" in modified

    async with http.post(
        platform.url("registration") + f"/api/v1/candidatures/{candidature}/desinscrire",
        json={"confirmation": True},
        headers={**bearer(candidate.token), "Idempotency-Key": uuid.uuid4().hex},
    ) as response:
        assert response.status == 200, await response.text()
    await email_to(platform, email, "Désinscription")

    # A gestionnaire's écarter, on another candidate's saved candidature.
    other_email = f"noe.{uuid.uuid4().hex[:8]}@example.org"
    other = Candidate(platform, http, await activated_candidate(platform, http, other_email))
    other_candidature = await open_draft(platform, http, other.token)
    await put_tabs(platform, http, other.token, other_candidature)
    await other.save(other_candidature, 1)
    async with http.post(
        platform.url("registration") + f"/api/v1/admin/candidatures/{other_candidature}/ecarter",
        json={"reason": "Condition de formation non remplie"},
        headers={**bearer(staff), "Idempotency-Key": uuid.uuid4().hex},
    ) as response:
        assert response.status == 201, await response.text()

    # Every promised email has arrived (each awaited above); none other was sent meanwhile:
    # notifications' queue is not even bound to the pièce events.
    subjects = [str(message["Subject"]) for message in platform.smtp.to(email)]
    for promised in PROMISED:
        assert sum(promised in subject for subject in subjects) == 1, (promised, subjects)
    assert len(subjects) == len(PROMISED), subjects
