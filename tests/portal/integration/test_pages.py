"""Bad input and faults, each through the portal's pages (issue 16): a form without its CSRF
token, a stale session, a service down, HTML and script typed in text fields, Enregistrer
double-clicked."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from yarl import URL

from shared.testing.clock import FakeClock
from tests.accounts.integration.conftest import Service, active_candidate, staff_member
from tests.portal.integration.conftest import Portal, csrf_of, session_of, sign_in

StartPortal = Callable[..., Awaitable[Portal]]


async def test_a_form_posted_without_its_csrf_token_changes_nothing(
    start_portal: StartPortal, service: Service
) -> None:
    portal = await start_portal()
    candidate = await active_candidate(service)
    form = {"email": candidate.email, "password": "x", "suite": "/"}
    for given in ({}, {"csrf": "forged"}):
        response = await portal.post("/connexion", data=form | given, allow_redirects=False)
        assert response.status == 403
        assert "Formulaire expiré" in await response.text()
        assert response.content_type == "text/html"
    # With its token, the same form reaches the accounts service (which says the password is
    # wrong: it was asked).
    response = await portal.post(
        "/connexion", data=form | {"csrf": await csrf_of(portal)}, allow_redirects=False
    )
    assert response.status == 400
    assert "adresse email ou le mot de passe est incorrect" in await response.text()


async def test_the_session_cookie_is_encrypted_httponly_and_samesite(
    start_portal: StartPortal, service: Service
) -> None:
    portal = await start_portal()
    candidate = await active_candidate(service)
    response = await sign_in(portal, candidate)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert candidate.email not in cookie
    assert session_of(portal).refresh_token


async def test_a_stale_session_goes_to_login_then_back_to_the_page(
    start_portal: StartPortal, service: Service, portal_clock: FakeClock
) -> None:
    portal = await start_portal()
    candidate = await active_candidate(service)
    await sign_in(portal, candidate)
    assert (await portal.get("/compte")).status == 200

    # The login ends elsewhere (another tab logged out), and the access token expires.
    refresh = session_of(portal).refresh_token
    ended = await service.client.post("/api/v1/auth/logout", json={"refresh_token": refresh})
    assert ended.status == 204
    portal_clock.advance(timedelta(hours=1))

    response = await portal.get("/compte", allow_redirects=False)
    assert response.status == 303
    location = URL(response.headers["Location"])
    assert (location.path, location.query["suite"]) == ("/connexion", "/compte")
    login_page = await (await portal.get(response.headers["Location"])).text()
    assert "Votre session a expiré" in login_page
    assert 'name="suite" value="/compte"' in login_page
    back = await sign_in(portal, candidate, suite="/compte")
    assert back.headers["Location"] == "/compte"
    assert (await portal.get("/compte")).status == 200


async def test_a_cookie_from_elsewhere_is_no_session(
    start_portal: StartPortal, service: Service
) -> None:
    portal = await start_portal()
    portal.session.cookie_jar.update_cookies({"cyclades_session": "gAAAAA-forged"})
    response = await portal.get("/inscriptions", allow_redirects=False)
    assert response.status == 303
    assert response.headers["Location"].startswith("/connexion?suite=")


async def test_a_service_down_gives_a_french_page_and_the_rest_still_works(
    start_portal: StartPortal, service: Service
) -> None:
    portal = await start_portal()  # registration, documents and uploads are down
    await sign_in(portal, await active_candidate(service))
    for path, what in (("/inscriptions", "inscriptions"), ("/documents", "documents")):
        response = await portal.get(path)
        assert response.status == 503
        assert response.headers["Retry-After"]
        page = await response.text()
        assert "Service momentanément indisponible" in page
        assert f"Le service des {what} ne répond pas" in page
        assert "Traceback" not in page
    assert (await portal.get("/")).status == 200
    assert (await portal.get("/compte")).status == 200


async def test_html_and_script_in_text_fields_are_shown_as_text(
    start_portal: StartPortal, service: Service
) -> None:
    portal = await start_portal()
    admin = await staff_member(service)
    now = service.clock.now()
    announcement = {
        "title": '<script>alert("titre")</script>',
        "body": "<img src=x onerror=alert(1)> Maintenance",
        "starts_at": (now - timedelta(hours=1)).isoformat(),
        "ends_at": (now + timedelta(hours=1)).isoformat(),
    }
    published = await service.client.post(
        "/api/v1/admin/announcements",
        json=announcement,
        headers={**admin.headers, "Idempotency-Key": uuid.uuid4().hex},
    )
    assert published.status == 201, await published.text()
    home = await (await portal.get("/")).text()
    assert "&lt;script&gt;alert(&#34;titre&#34;)&lt;/script&gt;" in home
    assert "&lt;img src=x onerror=alert(1)&gt; Maintenance" in home
    assert "<script>alert" not in home
    assert "<img src=x" not in home

    typed = '"><script>alert(2)</script>'
    form = {"csrf": await csrf_of(portal), "email": "a@example.org", "nom_naissance": typed}
    form |= {"password": "Aa#45678", "password_confirmation": "different"}
    page = await (await portal.post("/compte/creation", data=form)).text()
    assert 'value="&#34;&gt;&lt;script&gt;alert(2)&lt;/script&gt;"' in page
    assert "<script>alert(2)" not in page


async def test_enregistrer_double_clicked_sends_one_idempotency_key(
    start_portal: StartPortal, service: Service
) -> None:
    """Two posts of one rendered form carry one key (the registration service then saves once,
    as the browser journey shows); another rendering of the form, another key."""
    keys: list[str] = []

    async def enregistrer(request: web.Request) -> web.Response:
        keys.append(request.headers["Idempotency-Key"])
        await asyncio.sleep(0.05)
        return web.json_response({"version": 1}, status=201)

    async def mine(request: web.Request) -> web.Response:
        return web.json_response([])

    stand_in = web.Application()
    stand_in.router.add_post(r"/api/v1/candidatures/{id}/enregistrer", enregistrer)
    stand_in.router.add_get("/api/v1/me/candidatures", mine)
    registration = TestClient(TestServer(stand_in))
    await registration.start_server()
    try:
        portal = await start_portal(registration_url=str(registration.make_url("")).rstrip("/"))
        await sign_in(portal, await active_candidate(service))
        cid = str(uuid.uuid4())
        csrf = session_of(portal).csrf
        form = {"csrf": csrf, "nonce": "rendered-once", "version": "0"}
        responses = await asyncio.gather(
            *(
                portal.post(f"/inscription/{cid}/enregistrer", data=form, allow_redirects=False)
                for _ in range(2)
            )
        )
        assert [r.status for r in responses] == [303, 303]
        await portal.post(
            f"/inscription/{cid}/enregistrer",
            data=form | {"nonce": "rendered-again"},
            allow_redirects=False,
        )
    finally:
        await registration.close()
    assert keys[0] == keys[1]
    assert keys[2] != keys[0]


async def test_formulaires_lists_the_documents_services_forms_and_a_404_is_none(
    start_portal: StartPortal, service: Service
) -> None:
    """Against a stand-in of documents' `GET /api/v1/formulaires?examen=` as announced (written
    alongside): each form a download link; none, or the API not there (404), is the guide's
    sentence for the BTS."""
    pdf = b"%PDF-1.7 formulaire"
    listings: dict[str, Any] = {
        "BTS": [],
        "DCG": [
            {
                "id": "a3f1c9e0-0000-4000-8000-000000000001",
                "examen": "DCG",
                "title": "Demande de dispense <b>",
                "size": 48_213,
                "pages": 2,
                "sha256": "0" * 64,
                "added_at": "2026-11-30T09:00:00Z",
            }
        ],
    }
    seen: list[str | None] = []

    async def listing(request: web.Request) -> web.Response:
        seen.append(request.headers.get("Authorization"))
        return web.json_response(listings[request.query["examen"]])

    async def download(request: web.Request) -> web.Response:
        headers = {"Content-Disposition": 'attachment; filename="dispense.pdf"'}
        return web.Response(body=pdf, content_type="application/pdf", headers=headers)

    stand_in = web.Application()
    stand_in.router.add_get("/api/v1/formulaires", listing)
    stand_in.router.add_get("/api/v1/formulaires/{id}", download)
    documents = TestClient(TestServer(stand_in))
    await documents.start_server()
    try:
        portal = await start_portal(documents_url=str(documents.make_url("")).rstrip("/"))
        await sign_in(portal, await active_candidate(service))
        page = await (await portal.get("/formulaires?examen=DCG")).text()
        form_id = listings["DCG"][0]["id"]
        assert f'href="/formulaires/{form_id}"' in page
        assert "Demande de dispense &lt;b&gt;" in page
        assert "47 Ko — 2 pages — ajouté le 30/11/2026" in page
        got = await portal.get(f"/formulaires/{form_id}")
        assert got.status == 200
        assert await got.read() == pdf
        assert got.headers["Content-Disposition"] == 'attachment; filename="dispense.pdf"'
        page = await (await portal.get("/formulaires")).text()
        assert "cette section n'est pas utilisée dans le cadre du BTS" in page
    finally:
        await documents.close()
    assert all(s and s.startswith("Bearer ") for s in seen)

    without_api = TestClient(TestServer(web.Application()))  # every path a 404
    await without_api.start_server()
    try:
        absent = await start_portal(documents_url=str(without_api.make_url("")).rstrip("/"))
        await sign_in(absent, await active_candidate(service))
        response = await absent.get("/formulaires")
        assert response.status == 200
        assert "pas utilisée dans le cadre du BTS" in await response.text()
    finally:
        await without_api.close()
