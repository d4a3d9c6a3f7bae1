"""What every page shares: the session cookie, the CSRF check, the French error pages, the
signed-in candidate's tokens (refreshed as needed) and the template context."""

from __future__ import annotations

import hmac
import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

import aiohttp_jinja2
from aiohttp import web
from aiohttp.typedefs import Handler
from aiohttp.web_request import FileField
from multidict import MultiDict, MultiDictProxy

from portal.adapters.backends import CLIENT_ADDRESS, Backend, Backends
from portal.deps import BACKENDS, DEPS
from portal.domain.errors import ApiProblem, BackendDown, CsrfRefused, NotSignedIn
from portal.domain.messages import problem_message
from portal.domain.session import COOKIE_NAME, Session

log = logging.getLogger(__name__)

SESSION = web.RequestKey("portal_session", Session)
SESSION_READ = web.RequestKey("portal_session_read", Session)


@dataclass(frozen=True)
class Posted:
    """A form as posted (every value of a repeated field kept: the facultatives' boxes)."""

    data: MultiDictProxy[str | bytes | bytearray | FileField]


FORM = web.RequestKey("portal_form", Posted)
SERVICE_NAMES = {
    "accounts": "comptes candidats",
    "registration": "inscriptions",
    "documents": "documents",
    "uploads": "pièces justificatives",
}
# Browsers keep cookies up to 4096 bytes; what Précédent kept gives way first.
MAX_COOKIE_BYTES = 3900
PASSED_HEADERS = ("Content-Type", "Content-Disposition", "Content-Length", "ETag")
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def backends(request: web.Request) -> Backends:
    return request.app[BACKENDS]


def session(request: web.Request) -> Session:
    return request[SESSION]


def set_session(request: web.Request, value: Session) -> None:
    request[SESSION] = value


def flash(request: web.Request, message: str) -> None:
    set_session(request, replace(session(request), flash=message))


def form(request: web.Request) -> Mapping[str, Any]:
    posted = request.get(FORM)
    return posted.data if posted else MultiDictProxy(MultiDict())


def form_all(request: web.Request, name: str) -> list[str]:
    posted = request.get(FORM)
    return [v for v in posted.data.getall(name, []) if isinstance(v, str)] if posted else []


def render(
    request: web.Request, template: str, context: dict[str, Any], status: int = 200
) -> web.Response:
    page = {**page_context(request), **context}
    return aiohttp_jinja2.render_template(template, request, page, status=status)


def refused(request: web.Request, title: str, exc: ApiProblem, status: int = 409) -> web.Response:
    """A service said no to what the candidate asked: its reason, in French."""
    context = {"title": title, "message": problem_message(exc.slug)}
    return render(request, "error.html", context, status=status)


def redirect(location: str) -> web.HTTPSeeOther:
    return web.HTTPSeeOther(location)


def login_url(next_path: str) -> str:
    return "/connexion?" + urlencode({"suite": next_path})


def safe_next(value: str | None) -> str:
    """Only a path of this site: never another origin (`//evil`, `https://…`)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


async def access_token(request: web.Request) -> str:
    """The signed-in candidate's access token, refreshed first when it is about to expire."""
    current = session(request)
    if not current.signed_in:
        raise NotSignedIn()
    now = request.app[DEPS].clock.now().timestamp()
    if current.needs_refresh(now) or current.access_token is None:
        try:
            pair = await backends(request).accounts.call(
                "POST", "/api/v1/auth/refresh", json={"refresh_token": current.refresh_token}
            )
        except ApiProblem as exc:
            raise NotSignedIn() from exc
        current = current.with_tokens(pair, now)
        set_session(request, current)
    assert current.access_token is not None
    return current.access_token


async def relay_download(request: web.Request, backend: Backend, path: str) -> web.StreamResponse:
    """A file streamed from a service to the browser, never held whole in memory."""
    token = await access_token(request)
    async with backend.open("GET", path, token=token) as upstream:
        response = web.StreamResponse(
            headers={k: upstream.headers[k] for k in PASSED_HEADERS if k in upstream.headers}
        )
        response.headers["Cache-Control"] = "private, no-store"
        await response.prepare(request)
        async for chunk in upstream.content.iter_chunked(64 * 1024):
            await response.write(chunk)
        await response.write_eof()
        return response


# --- middlewares ------------------------------------------------------------------------------

# Scripts and styles come from the portal only (no inline script anywhere), pages are never
# framed, forms post only here: what an injected string could still do is little.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


@web.middleware
async def security_headers_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    response = await handler(request)
    if not response.prepared:
        response.headers.update(SECURITY_HEADERS)
        if not request.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
    return response


def client_address(request: web.Request, trust_forwarded_for: bool) -> str | None:
    """Behind the gateway, the last X-Forwarded-For entry is the one it added (the browser's
    address); otherwise the peer is the browser."""
    forwarded = request.headers.get("X-Forwarded-For", "")
    if trust_forwarded_for and forwarded.strip():
        return forwarded.rsplit(",", 1)[-1].strip() or request.remote
    return request.remote


@web.middleware
async def session_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    deps = request.app[DEPS]
    CLIENT_ADDRESS.set(client_address(request, deps.settings.trust_forwarded_for))
    found = deps.sessions.decode(request.cookies.get(COOKIE_NAME))
    request[SESSION_READ] = found or Session()
    request[SESSION] = request[SESSION_READ]
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        _store_session(request, exc, found)
        raise
    _store_session(request, response, found)
    return response


def _store_session(
    request: web.Request, response: web.StreamResponse, found: Session | None
) -> None:
    if request.path.startswith(("/static/", "/health/", "/metrics")) or response.prepared:
        return
    current = request[SESSION]
    if found is not None and current == found:
        return
    settings = request.app[DEPS].settings
    value = request.app[DEPS].sessions.encode(current)
    if len(value) > MAX_COOKIE_BYTES and current.saisie is not None:
        value = request.app[DEPS].sessions.encode(replace(current, saisie=None))
    response.set_cookie(
        COOKIE_NAME,
        value,
        max_age=settings.session_max_age_s,
        path="/",
        httponly=True,
        secure=settings.cookie_secure,
        samesite="Lax",
    )


@web.middleware
async def csrf_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every form carries the session's token; a request without it changes nothing."""
    if request.method in UNSAFE:
        data = await request.post()
        given = data.get("csrf")
        expected = request[SESSION_READ].csrf
        if not isinstance(given, str) or not hmac.compare_digest(given, expected):
            raise CsrfRefused()
        request[FORM] = Posted(data)
    return await handler(request)


@web.middleware
async def error_pages_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except NotSignedIn:
        return _back_to_login(request)
    except BackendDown as exc:
        log.warning("backend unavailable", extra={"service": exc.service})
        return _error_page(request, 503, "Service momentanément indisponible", _down(exc))
    except CsrfRefused:
        return _error_page(request, 403, "Formulaire expiré", FORM_EXPIRED)
    except ApiProblem as exc:
        status = exc.status if exc.status in (403, 404, 409, 410) else 400
        return _error_page(request, status, "Demande impossible", problem_message(exc.slug))
    except web.HTTPNotFound:
        return _error_page(request, 404, "Page introuvable", problem_message("not-found"))
    except web.HTTPMethodNotAllowed:
        return _error_page(request, 405, "Action impossible", "Cette action n'existe pas ici.")
    except web.HTTPRequestEntityTooLarge:
        return _error_page(request, 413, "Fichier trop volumineux", TOO_LARGE)
    except web.HTTPException:
        raise
    except Exception:
        log.exception("page failed")
        return _error_page(request, 500, "Erreur inattendue", UNEXPECTED)


FORM_EXPIRED = (
    "Ce formulaire a expiré ou ne vient pas de ce site : rien n'a été enregistré. "
    "Revenez à la page précédente, rechargez-la, puis recommencez."
)
TOO_LARGE = "Le fichier envoyé dépasse la taille autorisée : rien n'a été enregistré."
UNEXPECTED = "Une erreur inattendue s'est produite. Réessayez dans quelques instants."


def _down(exc: BackendDown) -> str:
    what = SERVICE_NAMES.get(exc.service, exc.service)
    return (
        f"Le service des {what} ne répond pas pour le moment. Rien n'a été perdu : "
        "réessayez dans quelques minutes. Les autres rubriques du portail restent accessibles."
    )


def _back_to_login(request: web.Request) -> web.StreamResponse:
    """A stale session: sign in again, then come back to the page the candidate was on."""
    set_session(request, request[SESSION].signed_out())
    flash(request, "Votre session a expiré : connectez-vous à nouveau.")
    target = request.path_qs if request.method == "GET" else request.path
    response = web.Response(status=303, headers={"Location": login_url(target)})
    _store_session(request, response, None)
    return response


def _error_page(request: web.Request, status: int, title: str, message: str) -> web.Response:
    response = render(request, "error.html", {"title": title, "message": message}, status)
    if status == 503:
        response.headers["Retry-After"] = "30"
    return response


# --- template context -------------------------------------------------------------------------


def page_context(request: web.Request) -> dict[str, Any]:
    """What every template is given; also on error pages rendered outside the session's
    middleware (aiohttp_jinja2's context processors run inside it only)."""
    current = request.get(SESSION) or Session()
    shown = current.flash
    if shown:
        request[SESSION] = replace(current, flash=None)
    return {
        "session": current,
        "csrf": current.csrf,
        "flash": shown,
        "gestionnaire": current.gestionnaire if current.signed_in else None,
        "path": request.path,
    }
