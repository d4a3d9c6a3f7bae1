"""What the uploads integration tests share: a candidature whose pièces were computed, the
candidate's and a gestionnaire's headers, an upload."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import aiohttp
import asyncpg

from shared.auth import Role
from shared.events.catalogue import CandidatureCreated, CandidatureRef
from shared.testing import factories
from shared.testing.helpers import wait_until
from shared.testing.service import ServiceUnderTest
from shared.testing.tokens import TestKeys


def candidat(keys: TestKeys, account_id: uuid.UUID) -> dict[str, str]:
    return {"Authorization": f"Bearer {keys.token(Role.CANDIDAT, account_id=account_id)}"}


def gestionnaire(keys: TestKeys, *academies: str) -> dict[str, str]:
    token = keys.token(Role.GESTIONNAIRE, academies=academies or ("BES",))
    return {"Authorization": f"Bearer {token}"}


def administrateur(keys: TestKeys) -> dict[str, str]:
    return {"Authorization": f"Bearer {keys.token(Role.ADMINISTRATEUR)}"}


async def pieces_of(pool: asyncpg.Pool, candidature_id: uuid.UUID) -> list[asyncpg.Record]:
    return list(
        await pool.fetch(
            "SELECT * FROM pieces WHERE candidature_id = $1 ORDER BY code, ref", candidature_id
        )
    )


async def computed(
    service: ServiceUnderTest, candidature_id: uuid.UUID, count: int = 1
) -> list[asyncpg.Record]:
    async def enough() -> bool:
        return len(await pieces_of(service.pool, candidature_id)) >= count

    assert await wait_until(enough)
    return await pieces_of(service.pool, candidature_id)


B = "----uploads-test-boundary"


def multipart(data: bytes, filename: str, content_type: str) -> bytes:
    """A form as a browser sends it (WHATWG): the file name in UTF-8, with `"`, CR, LF (and
    here NUL) percent-encoded."""
    escaped = "".join(
        {'"': "%22", "\r": "%0D", "\n": "%0A", "\x00": "%00"}.get(c, c) for c in filename
    )
    head = (
        f"--{B}\r\n"
        f'Content-Disposition: form-data; name="file"; filename="{escaped}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n"
    )
    return head.encode() + data + f"\r\n--{B}--\r\n".encode()


@dataclass
class Dossier:
    """A candidature the service knows, with its pièces, and its owner's headers."""

    service: ServiceUnderTest
    ref: CandidatureRef
    headers: dict[str, str]

    @property
    def url(self) -> str:
        return f"/api/v1/me/candidatures/{self.ref.candidature_id}"

    async def pieces(self) -> dict[str, Any]:
        response = await self.service.client.get(self.url + "/pieces", headers=self.headers)
        assert response.status == 200, await response.text()
        found: dict[str, Any] = await response.json()
        return found

    async def piece(self, code: str) -> dict[str, Any]:
        view = await self.pieces()
        return next(p for g in view["groupes"] for p in g["pieces"] if p["code"] == code)

    async def upload(
        self,
        piece_id: str,
        data: bytes,
        filename: str = "piece.pdf",
        content_type: str = "application/pdf",
        *,
        replaces: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> aiohttp.ClientResponse:
        body = multipart(data, filename, content_type)
        url = f"{self.url}/pieces/{piece_id}/files"
        sent = {**(headers or self.headers), "Content-Type": f"multipart/form-data; boundary={B}"}
        if replaces is None:
            return await self.service.client.post(url, data=body, headers=sent)
        return await self.service.client.put(f"{url}/{replaces}", data=body, headers=sent)

    async def declare(self, groupe_id: str) -> aiohttp.ClientResponse:
        return await self.service.client.post(
            f"{self.url}/groupes/{groupe_id}/fournies", headers=self.headers
        )


async def dossier(
    service: ServiceUnderTest, keys: TestKeys, created: CandidatureCreated | None = None
) -> Dossier:
    """A candidature created (identity document and diplôme by default: two pièces)."""
    created = created or factories.candidature_created(
        recapitulatif=factories.recapitulatif(diplome_possede="BACCALAURÉAT GÉNÉRAL")
    )
    await service.publish(created)
    await computed(service, created.candidature.candidature_id)
    return Dossier(service, created.candidature, candidat(keys, created.candidature.account_id))


async def objects(service: ServiceUnderTest) -> list[str]:
    from shared.storage import STORE

    store = service.app[STORE]
    return [o.object_name for o in store.client.list_objects(store.bucket, recursive=True)]
