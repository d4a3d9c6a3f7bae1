"""Each service's /openapi.json is a valid OpenAPI 3.1 document describing all its routes."""

from __future__ import annotations

import importlib

import pytest
from aiohttp import web
from openapi_spec_validator import validate
from pydantic import BaseModel

from shared.http.api import Api, openapi_document

SERVICES = ["accounts", "registration", "notifications", "documents", "uploads"]


@pytest.mark.parametrize("service", SERVICES)
def test_the_openapi_document_is_valid(service: str) -> None:
    api: Api = importlib.import_module(f"{service}.entrypoints.http").api
    document = openapi_document(api, service, "1")

    validate(document)
    operations = sum(len(methods) for methods in document["paths"].values())
    assert operations == len(api.endpoints)


class Note(BaseModel):
    text: str


class Page(BaseModel):
    limit: int = 10


def every_option_api() -> Api:
    api = Api()

    @api.post(
        "/api/v1/notes/{id:\\d+}/imports",
        body=Note,
        query=Page,
        media_types=("text/csv", "multipart/form-data"),
        roles=(),
        transactional=True,
        idempotent=True,
        errors=(409, 412, 429),
        status=201,
    )
    async def import_notes(request: web.Request) -> None:
        return None

    return api


def test_every_endpoint_option_gives_a_valid_document() -> None:
    document = openapi_document(every_option_api(), "notes", "1")

    validate(document)
    operation = document["paths"]["/api/v1/notes/{id}/imports"]["post"]
    assert operation["requestBody"]["content"] == {
        "application/json": {"schema": {"$ref": "#/components/schemas/Note"}},
        "text/csv": {"schema": {"type": "string", "contentMediaType": "text/csv"}},
        "multipart/form-data": {"schema": {"type": "object"}},
    }
    statuses = ["201", "400", "401", "404", "409", "412", "413", "415", "422", "429", "503"]
    assert list(operation["responses"]) == [*statuses, "default"]
    assert "403" not in operation["responses"]  # any signed-in role: never forbidden


# Statuses the services' own handlers answer, which the Api cannot derive from the options.
HANDLER_ERRORS = [
    ("accounts", "/api/v1/auth/login", "post", {"401", "403", "429"}),
    ("accounts", "/api/v1/accounts/activate", "post", {"400", "410"}),
    ("accounts", "/api/v1/accounts/email/confirm", "post", {"400", "409", "410"}),
    ("accounts", "/api/v1/me/identite", "put", {"404", "409"}),
    ("accounts", "/api/v1/admin/staff", "post", {"409"}),
    ("registration", "/api/v1/admin/fenetres", "post", {"409"}),
    ("registration", "/api/v1/admin/fenetres/{id}", "put", {"404", "409"}),
    ("registration", "/api/v1/identite", "get", {"404"}),
    ("notifications", "/api/v1/admin/messages/{id}/resend", "post", {"404", "409"}),
]


@pytest.mark.parametrize(("service", "path", "method", "statuses"), HANDLER_ERRORS)
def test_the_errors_a_handler_answers_are_documented(
    service: str, path: str, method: str, statuses: set[str]
) -> None:
    api: Api = importlib.import_module(f"{service}.entrypoints.http").api
    responses = openapi_document(api, service, "1")["paths"][path][method]["responses"]

    assert statuses <= set(responses)
