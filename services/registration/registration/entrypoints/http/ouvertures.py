""" "Ouverture des services": the public listing of Grand Public windows."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from datetime import datetime

import asyncpg
from aiohttp import web

from registration.adapters import fenetres_sql
from registration.deps import DEPS
from registration.domain.fenetres import Periode, is_open, require_aware
from registration.entrypoints.http._cached_json import adapter, json_response
from registration.entrypoints.http._common import OUVERTURES, public
from registration.entrypoints.schemas import Ouverture, OuvertureFilter
from shared.http.api import Api

api = Api()

# Where a row's serialised `ouvert` value goes (its value is spliced in at each request).
OUVERT = b'"ouvert":false'


class Listing:
    """The windows one query lists, serialised once: each row's JSON around its `ouvert`, and
    the instants at which some window opens or closes. Between two consecutive such instants
    every window is open or closed alike, so the body is assembled once per such interval
    (`Ouverture.of` and pydantic run only when the cache is filled)."""

    def __init__(self, rows: Sequence[asyncpg.Record]) -> None:
        self._periodes: list[Periode] = []
        self._parts: list[tuple[bytes, bytes]] = []
        for row in rows:
            periode = Periode(row["ouverture"], row["fermeture"])
            closed = Ouverture.of(row, periode.fermeture)  # closed at its closing instant
            assert not closed.ouvert
            before, found, after = adapter(Ouverture).dump_json(closed).partition(OUVERT)
            if not found or OUVERT in after:
                raise ValueError(f"window {row['id']}: no single {OUVERT!r} in its JSON")
            self._periodes.append(periode)
            self._parts.append((before + b'"ouvert":', after))
        instants = {p.ouverture for p in self._periodes} | {p.fermeture for p in self._periodes}
        self._instants = sorted(instants)
        # Per interval between instants (its index in `_instants`), the body once built.
        self._bodies: dict[int, bytes] = {}

    def body(self, now: datetime) -> bytes:
        """The JSON list with each window's `ouvert` at `now` (`ouverture <= now <
        fermeture`, as `domain.fenetres.is_open` says)."""
        require_aware(now)
        interval = bisect_right(self._instants, now)
        body = self._bodies.get(interval)
        if body is None:
            rows = [
                before + (b"true" if is_open(periode, now) else b"false") + after
                for periode, (before, after) in zip(self._periodes, self._parts, strict=True)
            ]
            body = self._bodies[interval] = b"[" + b",".join(rows) + b"]"
        return body


async def listing(
    conn: asyncpg.Connection, examen: str | None, annee: int | None, academie: str | None
) -> Listing:
    """The listing of `fenetres_sql.list_ouvertures`, prepared on a cache miss."""
    return Listing(await fenetres_sql.list_ouvertures(conn, examen, annee, academie))


@api.get("/api/v1/ouvertures", query=OuvertureFilter, response=list[Ouverture], tags=OUVERTURES)
async def ouvertures(request: web.Request, query: OuvertureFilter) -> web.Response:
    """The Grand Public windows; an empty list means no service for that choice. Whether a
    window is open is computed at each request, at the clock's now, from the cached instants."""
    found: Listing = await public(request, listing, query.domaine, query.session, query.academie)
    return json_response(found.body(request.app[DEPS].clock.now()))
