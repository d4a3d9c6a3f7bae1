"""RFC 9457 problem details: every error a service answers is one of these."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web
from pydantic import BaseModel, ValidationError

PROBLEM_CONTENT_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:cyclades:problem:"


class FieldError(BaseModel):
    field: str
    message: str
    code: str


class Problem(BaseModel):
    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[FieldError] | None = None
    correlation_id: str | None = None


class ProblemError(Exception):
    """Raise anywhere under a request to answer with a problem+json."""

    def __init__(
        self,
        status: int,
        slug: str,
        title: str,
        detail: str | None = None,
        errors: list[FieldError] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail or title)
        self.status = status
        self.slug = slug
        self.title = title
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}

    def problem(self, instance: str | None, correlation_id: str | None) -> Problem:
        return Problem(
            type=TYPE_PREFIX + self.slug,
            title=self.title,
            status=self.status,
            detail=self.detail,
            instance=instance,
            errors=self.errors,
            correlation_id=correlation_id,
        )


def _field_path(location: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in location) or "body"


def validation_problem(exc: ValidationError, where: str = "body") -> ProblemError:
    errors = [
        FieldError(
            field=_field_path(tuple(error["loc"])),
            message=error["msg"],
            code=error["type"],
        )
        for error in exc.errors(include_url=False, include_input=False)
    ]
    return ProblemError(
        422,
        "validation-error",
        "The request is not valid",
        f"{len(errors)} {where} field(s) are not valid",
        errors=errors,
    )


def not_found(what: str) -> ProblemError:
    return ProblemError(404, "not-found", "Not found", f"{what} does not exist")


def conflict(slug: str, detail: str) -> ProblemError:
    return ProblemError(409, slug, "Conflict", detail)


def problem_response(problem: Problem, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(
        status=problem.status,
        text=json.dumps(problem.model_dump(exclude_none=True), ensure_ascii=False),
        content_type=PROBLEM_CONTENT_TYPE,
        headers=headers,
    )


HTTP_SLUGS: dict[int, tuple[str, str]] = {
    400: ("bad-request", "Bad request"),
    401: ("unauthorized", "Authentication required"),
    403: ("forbidden", "Forbidden"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    413: ("body-too-large", "Request body too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
}


def from_http_exception(exc: web.HTTPException) -> ProblemError:
    slug, title = HTTP_SLUGS.get(exc.status, ("http-error", exc.reason))
    headers = {"Allow": exc.headers["Allow"]} if "Allow" in exc.headers else None
    detail: Any = exc.text if exc.text and not exc.text.startswith(str(exc.status)) else None
    return ProblemError(exc.status, slug, title, detail, headers=headers)
