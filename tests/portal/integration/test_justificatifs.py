"""Mes justificatifs through the portal, in front of the real uploads service (its database,
the tests' S3 server and clamd) and the real accounts service whose tokens it honours: the
guide's chapter 10, and each refusal said in French next to its field."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import aiohttp

from shared.testing import factories
from shared.testing.service import ServiceUnderTest
from shared.testing.tokens import TestKeys
from tests.accounts.integration.conftest import Service, active_candidate
from tests.portal.integration.conftest import Portal, session_of, sign_in, url_of
from tests.uploads import samples
from tests.uploads.integration.helpers import computed, gestionnaire

StartPortal = Callable[..., Awaitable[Portal]]
DIPLOME = "Justificatif du diplôme possédé : BACCALAURÉAT GÉNÉRAL"
NONCE = re.compile(r'name="nonce" value="([^"]+)"')


@dataclass
class Dossier:
    portal: Portal
    uploads: ServiceUnderTest
    cid: uuid.UUID

    @property
    def page(self) -> str:
        return f"/justificatifs/{self.cid}"

    async def view(self) -> dict[str, Any]:
        """What the uploads service holds (read as the gestionnaire would, unrestricted)."""
        rows = await self.uploads.pool.fetch(
            "SELECT id, libelle FROM pieces WHERE candidature_id = $1 ORDER BY libelle", self.cid
        )
        return {row["libelle"]: str(row["id"]) for row in rows}

    async def text(self) -> str:
        response = await self.portal.get(self.page)
        assert response.status == 200, await response.text()
        return await response.text()

    async def post_file(
        self, action: str, data: bytes, name: str = "piece.pdf", media_type: str = "application/pdf"
    ) -> aiohttp.ClientResponse:
        form = aiohttp.FormData({"csrf": session_of(self.portal).csrf})
        form.add_field("fichier", data, filename=name, content_type=media_type)
        return await self.portal.post(self.page + action, data=form, allow_redirects=False)

    async def ajouter(self, piece_id: str, data: bytes, **file: str) -> aiohttp.ClientResponse:
        return await self.post_file(f"/pieces/{piece_id}/fichiers", data, **file)

    async def fournies(self, groupe_id: str, nonce: str) -> aiohttp.ClientResponse:
        form = {"csrf": session_of(self.portal).csrf, "nonce": nonce}
        path = f"{self.page}/groupes/{groupe_id}/fournies"
        return await self.portal.post(path, data=form, allow_redirects=False)


async def open_dossier(
    start_portal: StartPortal, service: Service, uploads: ServiceUnderTest
) -> Dossier:
    """A candidate signed in on the portal, whose candidature (identity and diplôme: two
    pièces) the uploads service has computed."""
    portal = await start_portal(uploads_url=url_of(uploads))
    candidate = await active_candidate(service)
    created = factories.candidature_created(
        candidature=factories.candidature_ref(account_id=candidate.account_id),
        recapitulatif=factories.recapitulatif(diplome_possede="BACCALAURÉAT GÉNÉRAL"),
    )
    await uploads.publish(created, "registration")
    await computed(uploads, created.candidature.candidature_id, 2)
    await sign_in(portal, candidate)
    return Dossier(portal, uploads, created.candidature.candidature_id)


async def groupe_id(dossier: Dossier) -> str:
    row = await dossier.uploads.pool.fetchrow(
        "SELECT DISTINCT groupe_id FROM pieces WHERE candidature_id = $1", dossier.cid
    )
    assert row is not None
    return str(row["groupe_id"])


def nonce_of(page: str) -> str:
    found = NONCE.search(page)
    assert found, "no J'ai fourni form"
    return found.group(1)


async def test_the_page_shows_the_groups_deadline_formats_and_size(
    start_portal: StartPortal, service: Service, uploads: ServiceUnderTest
) -> None:
    dossier = await open_dossier(start_portal, service, uploads)
    page = await dossier.text()
    assert "Date limite de retour" in page
    assert "(heure de Paris)" in page
    assert "Taille maximale : 10,0 Mo. Formats acceptés : PDF, JPEG, PNG." in page
    assert "Justificatif du diplôme possédé : BACCALAURÉAT GÉNÉRAL" in page
    assert 'accept=".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"' in page
    assert page.count("Statut : à déposer") == 2
    assert 'id="fournies-' in page


async def test_deposit_replace_delete_then_j_ai_fourni_validates_and_locks(
    start_portal: StartPortal, service: Service, uploads: ServiceUnderTest
) -> None:
    dossier = await open_dossier(start_portal, service, uploads)
    pieces = await dossier.view()
    gid = await groupe_id(dossier)

    # J'ai fourni with a pièce missing: refused, the missing one named beside the button.
    first = next(iter(pieces.values()))
    assert (await dossier.ajouter(first, samples.pdf(), name="identite.pdf")).status == 303
    refused = await dossier.fournies(gid, nonce_of(await dossier.text()))
    assert refused.status == 422
    text = await refused.text()
    assert f'id="fournies-{gid}-erreur"' in text
    assert "Il manque : " in text
    assert "BACCALAUR" in text

    for _libelle, piece_id in pieces.items():
        if piece_id != first:
            response = await dossier.ajouter(piece_id, samples.pdf(2), name="diplome.pdf")
            assert response.status == 303, await response.text()
    page = await dossier.text()
    assert "identite.pdf" in page
    assert "diplome.pdf" in page
    assert page.count("déposé le ") == 2
    assert page.count("pas encore contrôlée") == 2

    # The file as deposited comes back; Remplacer then Supprimer and Ajouter again.
    file_ids = re.findall(rf"/pieces/{first}/fichiers/([0-9a-f-]{{36}})\"", page)
    download = await dossier.portal.get(f"{dossier.page}/pieces/{first}/fichiers/{file_ids[0]}")
    assert download.status == 200
    assert (await download.read()).startswith(b"%PDF")
    replaced = await dossier.post_file(
        f"/pieces/{first}/fichiers/{file_ids[0]}/remplacer", samples.png(), "carte.png", "image/png"
    )
    assert replaced.status == 303, await replaced.text()
    page = await dossier.text()
    assert "carte.png" in page
    assert "identite.pdf" not in page
    (new_id,) = re.findall(rf"/pieces/{first}/fichiers/([0-9a-f-]{{36}})\"", page)
    form = {"csrf": session_of(dossier.portal).csrf}
    deleted = await dossier.portal.post(
        f"{dossier.page}/pieces/{first}/fichiers/{new_id}/supprimer",
        data=form,
        allow_redirects=False,
    )
    assert deleted.status == 303
    assert "carte.png" not in await dossier.text()
    assert (await dossier.ajouter(first, samples.jpeg(), name="cni.jpg")).status == 303

    # J'ai fourni: each pièce gets its validation date, and no button changes it any more.
    done = await dossier.fournies(gid, nonce_of(await dossier.text()))
    assert done.status == 303
    page = await dossier.text()
    assert page.count("Date de validation : ") == 2
    assert "Pièces fournies le " in page
    assert "Ajouter un fichier" not in page
    assert "Supprimer" not in page
    assert f'id="fournies-{gid}"' not in page
    # A form left open in another tab: refused by the service, said in French.
    late = await dossier.ajouter(first, samples.pdf())
    assert late.status == 409
    assert "ne peut plus être modifiée" in await late.text()


async def test_refused_files_are_said_next_to_their_field_and_nothing_is_kept(
    start_portal: StartPortal, service: Service, uploads: ServiceUnderTest
) -> None:
    dossier = await open_dossier(start_portal, service, uploads)
    piece_id = next(iter((await dossier.view()).values()))
    cases = (
        (samples.windows_executable(), "setup.pdf", 422, "n&#39;est pas accepté"),
        (samples.EICAR, "eicar.pdf", 422, "Un virus a été détecté"),
        (b"", "", 400, "Choisissez un fichier"),
    )
    for data, name, status, message in cases:
        response = await dossier.ajouter(piece_id, data, name=name)
        assert response.status == status, (name, await response.text())
        text = await response.text()
        assert f'id="fichier-{piece_id}-erreur"' in text
        assert 'aria-invalid="true"' in text
        assert message in text
    files = await uploads.pool.fetchval("SELECT count(*) FROM piece_files")
    assert files == 0


async def test_a_file_over_the_pieces_size_is_refused_with_its_limit_said(
    start_portal: StartPortal,
    service: Service,
    uploads: ServiceUnderTest,
    test_keys: TestKeys,
) -> None:
    """A gestionnaire asks for one more pièce of at most 2 Ko: the form says so, a larger
    file gets the French message beside its field."""
    dossier = await open_dossier(start_portal, service, uploads)
    asked = await uploads.client.post(
        f"/api/v1/admin/candidatures/{dossier.cid}/pieces",
        json={"libelle": "Attestation d'employeur", "max_bytes": 2048},
        headers={**gestionnaire(test_keys, "BES"), "Idempotency-Key": uuid.uuid4().hex},
    )
    assert asked.status == 201, await asked.text()
    piece_id = (await asked.json())["id"]
    page = await dossier.text()
    assert "Pièces demandées par le gestionnaire" in page
    assert "Taille maximale : 2 Ko." in page
    response = await dossier.ajouter(piece_id, samples.pdf(padding=4096))
    assert response.status == 413
    assert "dépasse la taille maximale autorisée" in await response.text()


async def test_j_ai_fourni_double_clicked_declares_once(
    start_portal: StartPortal, service: Service, uploads: ServiceUnderTest
) -> None:
    dossier = await open_dossier(start_portal, service, uploads)
    for piece_id in (await dossier.view()).values():
        assert (await dossier.ajouter(piece_id, samples.pdf())).status == 303
    gid = await groupe_id(dossier)
    nonce = nonce_of(await dossier.text())
    answers = await asyncio.gather(*(dossier.fournies(gid, nonce) for _ in range(2)))
    assert [a.status for a in answers] == [303, 303]
    rows = await uploads.pool.fetch(
        "SELECT body FROM outbox WHERE event_type = 'PiecesFournies' ORDER BY id"
    )
    assert [json.loads(r["body"])["payload"]["groupe_id"] for r in rows] == [gid]


async def test_the_gestionnaire_s_statuses_show_and_non_conforme_opens_the_piece_again(
    start_portal: StartPortal, service: Service, uploads: ServiceUnderTest, test_keys: TestKeys
) -> None:
    dossier = await open_dossier(start_portal, service, uploads)
    pieces = await dossier.view()
    for piece_id in pieces.values():
        assert (await dossier.ajouter(piece_id, samples.pdf())).status == 303
    assert (await dossier.fournies(await groupe_id(dossier), "n1")).status == 303
    staff = gestionnaire(test_keys, "BES")
    diplome = pieces[DIPLOME]
    identite = next(p for libelle, p in pieces.items() if libelle != DIPLOME)
    for piece_id, change in (
        (identite, {"status": "recue", "received_at": "2027-01-10T10:00:00+01:00"}),
        (diplome, {"status": "non_conforme", "comment": "Diplôme illisible <b>"}),
    ):
        answer = await uploads.client.post(
            f"/api/v1/admin/pieces/{piece_id}/status", json=change, headers=staff
        )
        assert answer.status == 200, await answer.text()
    page = await dossier.text()
    assert "<strong>Reçue</strong> le 10/01/2027" in page
    assert "<strong>Non Conforme</strong>" in page
    assert "Commentaire du gestionnaire : Diplôme illisible &lt;b&gt;" in page
    # Non conforme: the pièce can be deposited again, then declared again.
    assert f'id="fichier-{diplome}"' in page
    assert f'id="fichier-{identite}"' not in page
    assert 'id="fournies-' in page


async def test_after_the_date_limite_the_page_says_so_and_a_late_upload_is_refused(
    start_portal: StartPortal, service: Service, uploads: ServiceUnderTest
) -> None:
    dossier = await open_dossier(start_portal, service, uploads)
    piece_id = next(iter((await dossier.view()).values()))
    uploads.clock.advance(timedelta(days=400))
    page = await dossier.text()
    assert "la période de dépôt est terminée" in page
    assert "Ajouter un fichier" not in page
    response = await dossier.ajouter(piece_id, samples.pdf())
    assert response.status == 409
    assert "date limite de dépôt de ce regroupement est dépassée" in await response.text()
