"""J'ai fourni toutes mes pièces, the gestionnaire's statuses (the guide's four cases) and the
back office: declared groups, a pièce's history, an audited download."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

from shared.testing.service import ServiceUnderTest
from shared.testing.tokens import TestKeys
from tests.uploads import samples
from tests.uploads.integration.helpers import (
    Dossier,
    administrateur,
    dossier,
    gestionnaire,
)


async def outbox(service: ServiceUnderTest, event_type: str) -> list[dict[str, Any]]:
    rows = await service.pool.fetch(
        "SELECT body FROM outbox WHERE event_type = $1 ORDER BY id", event_type
    )
    return [json.loads(row["body"])["payload"] for row in rows]


async def provided(found: Dossier) -> dict[str, Any]:
    """Every pièce with a file, then the group declared."""
    (groupe,) = (await found.pieces())["groupes"]
    for piece in groupe["pieces"]:
        assert (await found.upload(piece["id"], samples.pdf())).status == 201
    response = await found.declare(groupe["id"])
    assert response.status == 200, await response.text()
    declared: dict[str, Any] = await response.json()
    return declared


async def test_j_ai_fourni_needs_every_piece_and_names_the_missing(
    service: ServiceUnderTest, test_keys: TestKeys
) -> None:
    found = await dossier(service, test_keys)
    (groupe,) = (await found.pieces())["groupes"]
    identite = next(p for p in groupe["pieces"] if p["code"] == "IDENTITE")
    await found.upload(identite["id"], samples.pdf())

    response = await found.declare(groupe["id"])
    assert response.status == 422
    body = await response.json()
    assert body["type"] == "urn:cyclades:problem:pieces-missing"
    assert [e["field"] for e in body["errors"]] == [
        "Justificatif du diplôme possédé : BACCALAURÉAT GÉNÉRAL"
    ]
    assert await outbox(service, "PiecesFournies") == []
    assert all(p["validated_at"] is None for p in (await found.pieces())["groupes"][0]["pieces"])


async def test_j_ai_fourni_stamps_locks_and_announces(
    service: ServiceUnderTest, test_keys: TestKeys
) -> None:
    found = await dossier(service, test_keys)
    view = await provided(found)
    (groupe,) = view["groupes"]
    assert all(p["validated_at"] and p["locked"] for p in groupe["pieces"])
    (event,) = await outbox(service, "PiecesFournies")
    assert event["candidature_id"] == str(found.ref.candidature_id)
    assert sorted(event["piece_ids"]) == sorted(p["id"] for p in groupe["pieces"])

    piece = groupe["pieces"][0]
    locked = await found.upload(piece["id"], samples.pdf())
    assert locked.status == 409
    assert (await locked.json())["type"] == "urn:cyclades:problem:piece-locked"
    file_id = piece["files"][0]["id"]
    deleted = await service.client.delete(
        f"{found.url}/pieces/{piece['id']}/files/{file_id}", headers=found.headers
    )
    assert deleted.status == 409
    again = await found.declare(groupe["id"])  # nothing new: no second event
    assert again.status == 200
    assert len(await outbox(service, "PiecesFournies")) == 1


async def test_j_ai_fourni_with_an_idempotency_key(
    service: ServiceUnderTest, test_keys: TestKeys
) -> None:
    found = await dossier(service, test_keys)
    (groupe,) = (await found.pieces())["groupes"]
    for piece in groupe["pieces"]:
        await found.upload(piece["id"], samples.pdf())
    url = f"{found.url}/groupes/{groupe['id']}/fournies"
    headers = {**found.headers, "Idempotency-Key": "k-1"}
    first = await service.client.post(url, headers=headers)
    second = await service.client.post(url, headers=headers)
    assert (first.status, second.status) == (200, 200)
    assert await first.json() == await second.json()
    assert len(await outbox(service, "PiecesFournies")) == 1
    other = await service.client.post(url, headers=headers, json={"x": 1})
    assert other.status == 422


async def test_the_four_cases_of_statuses(service: ServiceUnderTest, test_keys: TestKeys) -> None:
    found = await dossier(service, test_keys)
    view = await provided(found)
    (groupe,) = view["groupes"]
    piece = groupe["pieces"][0]
    staff = gestionnaire(test_keys, "BES")
    url = f"/api/v1/admin/pieces/{piece['id']}/status"

    # 1) deposited, not checked: no status.
    assert piece["status"] is None
    # 2) Reçue, with a reception date.
    recue = await service.client.post(
        url, json={"status": "recue", "received_at": "2027-01-10T10:00:00+01:00"}, headers=staff
    )
    assert recue.status == 200, await recue.text()
    shown = await found.piece(piece["code"])
    assert (shown["status"], shown["received_at"]) == ("recue", "2027-01-10T09:00:00Z")
    # 3) Non conforme, with a comment: unlocked, a new file, declared again.
    refused = await service.client.post(url, json={"status": "non_conforme"}, headers=staff)
    assert refused.status == 422  # the comment is required
    non_conforme = await service.client.post(
        url, json={"status": "non_conforme", "comment": "Illisible"}, headers=staff
    )
    assert non_conforme.status == 200
    shown = await found.piece(piece["code"])
    assert (shown["status_comment"], shown["locked"], shown["validated_at"]) == (
        "Illisible",
        False,
        None,
    )
    assert (await found.upload(piece["id"], samples.png())).status == 201
    assert (await found.piece(piece["code"]))["status"] is None  # case 1 again
    assert (await found.declare(groupe["id"])).status == 200
    assert len(await outbox(service, "PiecesFournies")) == 2
    # 4) Conforme: nothing to do.
    conforme = await service.client.post(url, json={"status": "conforme"}, headers=staff)
    assert conforme.status == 200
    assert (await found.piece(piece["code"]))["status"] == "conforme"

    events = await outbox(service, "PieceStatusChanged")
    assert [e["status"] for e in events] == ["recue", "non_conforme", "conforme"]
    audited = await service.pool.fetchval(
        "SELECT count(*) FROM audit_log WHERE action = 'piece.status'"
    )
    assert audited == 3

    other = await service.client.post(
        url, json={"status": "recue"}, headers=gestionnaire(test_keys, "LIL")
    )
    assert other.status == 403


async def test_statuses_in_bulk_are_all_or_nothing(
    service: ServiceUnderTest, test_keys: TestKeys
) -> None:
    mine = await dossier(service, test_keys)
    view = await provided(mine)
    ids = [p["id"] for p in view["groupes"][0]["pieces"]]
    staff = gestionnaire(test_keys, "BES")
    url = "/api/v1/admin/pieces/statuses"

    bad = await service.client.post(
        url,
        json={
            "items": [
                {"piece_id": ids[0], "status": "conforme"},
                {"piece_id": str(uuid.uuid4()), "status": "conforme"},
            ]
        },
        headers=staff,
    )
    assert bad.status == 404
    assert (await mine.piece("IDENTITE"))["status"] is None

    done = await service.client.post(
        url, json={"items": [{"piece_id": i, "status": "conforme"} for i in ids]}, headers=staff
    )
    assert done.status == 200, await done.text()
    assert all(i["changed"] for i in (await done.json())["items"])


async def test_the_back_office_lists_declared_groups_a_page_at_a_time(
    service: ServiceUnderTest, test_keys: TestKeys
) -> None:
    dossiers = [await dossier(service, test_keys) for _ in range(3)]
    for found in dossiers:
        await provided(found)
    await dossier(service, test_keys)  # not declared: not listed
    staff = gestionnaire(test_keys, "BES")
    url = "/api/v1/admin/pieces/declarations"

    first = await (await service.client.get(url + "?limit=2", headers=staff)).json()
    assert len(first["items"]) == 2
    assert first["next_cursor"]
    second = await (
        await service.client.get(
            url, params={"limit": "2", "cursor": first["next_cursor"]}, headers=staff
        )
    ).json()
    assert second["next_cursor"] is None
    listed = [i["candidature_id"] for i in first["items"] + second["items"]]
    assert sorted(listed) == sorted(str(d.ref.candidature_id) for d in dossiers)
    assert first["items"][0]["a_controler"] == 2

    altered = await service.client.get(
        url, params={"cursor": first["next_cursor"], "specialite": "X"}, headers=staff
    )
    assert altered.status == 400
    elsewhere = await service.client.get(url, headers=gestionnaire(test_keys, "LIL"))
    assert (await elsewhere.json())["items"] == []
    forbidden = await service.client.get(
        url + "?academie=BES", headers=gestionnaire(test_keys, "LIL")
    )
    assert forbidden.status == 403
    everything = await service.client.get(url + "?status=tous", headers=administrateur(test_keys))
    assert len((await everything.json())["items"]) == 3


async def test_a_gestionnaire_sees_the_history_and_downloads_audited(
    service: ServiceUnderTest, test_keys: TestKeys
) -> None:
    found = await dossier(service, test_keys)
    piece = await found.piece("IDENTITE")
    first = await (await found.upload(piece["id"], samples.pdf(), "recto.pdf")).json()
    data = samples.jpeg()
    service.clock.advance(timedelta(seconds=1))
    await found.upload(piece["id"], data, "Reçu 😀.jpg", replaces=first["id"])
    staff = gestionnaire(test_keys, "BES")

    response = await service.client.get(
        f"/api/v1/admin/candidatures/{found.ref.candidature_id}/pieces", headers=staff
    )
    assert response.status == 200
    (groupe,) = (await response.json())["groupes"]
    files = next(p for p in groupe["pieces"] if p["code"] == "IDENTITE")["files"]
    assert [f["name"] for f in files] == ["recto.pdf", "Reçu 😀.jpg"]
    assert files[0]["replaced_by"] == files[1]["id"]

    download = await service.client.get(f"/api/v1/admin/files/{files[1]['id']}", headers=staff)
    assert download.status == 200
    assert await download.read() == data
    assert download.headers["Content-Type"] == "image/jpeg"
    assert (
        "filename*=UTF-8''Re%C3%A7u%20%F0%9F%98%80.jpg" in download.headers["Content-Disposition"]
    )
    audited = await service.pool.fetch(
        "SELECT * FROM audit_log WHERE action = 'piece.file.download'"
    )
    assert [row["target"] for row in audited] == [f"file:{files[1]['id']}"]

    other = await service.client.get(
        f"/api/v1/admin/files/{files[1]['id']}", headers=gestionnaire(test_keys, "LIL")
    )
    assert other.status == 403
    mine = await service.client.get(f"/api/v1/admin/files/{files[1]['id']}", headers=found.headers)
    assert mine.status == 403
