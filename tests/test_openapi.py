"""Each service's /openapi.json is a valid OpenAPI 3.1 document describing all its routes."""

from __future__ import annotations

import importlib

import pytest
from openapi_spec_validator import validate

from shared.http.api import Api, openapi_document

SERVICES = ["accounts", "registration", "notifications"]


@pytest.mark.parametrize("service", SERVICES)
def test_the_openapi_document_is_valid(service: str) -> None:
    api: Api = importlib.import_module(f"{service}.entrypoints.http").api
    document = openapi_document(api, service, "1")

    validate(document)
    operations = sum(len(methods) for methods in document["paths"].values())
    assert operations == len(api.endpoints)
