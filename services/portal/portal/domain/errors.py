"""The portal's exceptions: plain Python; `entrypoints/pages.py` turns each into a French page."""

from __future__ import annotations

from typing import Any


class PortalError(Exception):
    """Base of the portal's errors."""


class BackendDown(PortalError):
    """A service did not answer (refused, timed out, or answered 5xx): a 503 page."""

    def __init__(self, service: str) -> None:
        super().__init__(f"{service} is unavailable")
        self.service = service


class NotSignedIn(PortalError):
    """No session, or one the accounts service no longer honours: back to the login page."""


class CsrfRefused(PortalError):
    """A form posted without the session's CSRF token: a 403 page."""


class ApiProblem(PortalError):
    """A service answered a problem+json (4xx): the page shows it in French."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(f"{status} {body.get('type', '')}")
        self.status = status
        self.body = body

    @property
    def slug(self) -> str:
        return str(self.body.get("type", "")).rsplit(":", 1)[-1].rsplit("/", 1)[-1]

    @property
    def field_errors(self) -> list[dict[str, str]]:
        errors = self.body.get("errors") or []
        return [e for e in errors if isinstance(e, dict)]
