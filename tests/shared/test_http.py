"""The app factory's contract: problem+json for every error, health, metrics, OpenAPI."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from pydantic import BaseModel, ConfigDict, Field

from shared.auth import Principal, RemoteJwks, Role, StaticKeys, TokenVerifier
from shared.http.api import Api
from shared.http.app import create_app
from shared.http.problems import ProblemError
from shared.service import token_verifier
from shared.settings import ServiceSettings
from shared.testing.tokens import TestKeys

Client = TestClient[web.Request, web.Application]


class Address(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code_postal: str = Field(pattern=r"^\d{5}$")


class NewThing(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=20)
    count: int = Field(ge=0)
    address: Address


class Search(BaseModel):
    name: str = ""


class Thing(BaseModel):
    name: str
    count: int


def things_api() -> Api:
    api = Api()

    @api.post("/api/v1/things", body=NewThing, response=Thing, status=201)
    async def create_thing(request: web.Request, body: NewThing) -> Thing:
        return Thing(name=body.name, count=body.count)

    @api.get("/api/v1/boom")
    async def boom(request: web.Request) -> None:
        raise RuntimeError("secret internals: password=hunter2")

    @api.get("/api/v1/mine", response=Thing, roles=(Role.CANDIDAT,))
    async def mine(request: web.Request, principal: Principal) -> Thing:
        return Thing(name=str(principal.account_id), count=0)

    @api.get("/api/v1/things/named/{name}", response=Thing)
    async def named_thing(request: web.Request) -> Thing:
        return Thing(name=request.match_info["name"], count=0)

    @api.get("/api/v1/things/search", query=Search, response=list[Thing])
    async def search_things(request: web.Request, query: Search) -> list[Thing]:
        return []

    @api.get("/api/v1/things/{kind:small|large}/{id:\\d+}", response=Thing, errors=(410,))
    async def one_thing(request: web.Request) -> Thing:
        return Thing(name=request.match_info["kind"], count=int(request.match_info["id"]))

    @api.get("/api/v1/mine/{id:\\d+}", response=Thing, roles=(Role.CANDIDAT,))
    async def one_of_mine(request: web.Request, principal: Principal) -> Thing:
        return Thing(name=str(principal.account_id), count=int(request.match_info["id"]))

    return api


@pytest_asyncio.fixture
async def client(test_keys: TestKeys) -> AsyncIterator[Client]:
    settings = ServiceSettings(max_body_bytes=2048)
    app = create_app(
        settings,
        things_api(),
        title="things",
        contexts=[token_verifier(StaticKeys(test_keys.jwks))],
    )
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


async def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status == status
    assert response.content_type == "application/problem+json"
    body: dict[str, Any] = await response.json()
    assert body["status"] == status
    assert body["type"].startswith("urn:cyclades:problem:")
    return body


async def test_valid_body_is_accepted(client: Client) -> None:
    response = await client.post(
        "/api/v1/things", json={"name": "a", "count": 1, "address": {"code_postal": "75001"}}
    )
    assert response.status == 201
    assert await response.json() == {"name": "a", "count": 1}


async def test_malformed_json_is_a_400_problem(client: Client) -> None:
    response = await client.post(
        "/api/v1/things", data=b'{"name": "a",', headers={"Content-Type": "application/json"}
    )
    body = await problem(response, 400)
    assert body["type"].endswith("malformed-json")


async def test_wrong_content_type_is_a_415_problem(client: Client) -> None:
    response = await client.post("/api/v1/things", data=b"name=a")
    await problem(response, 415)


async def test_oversized_body_is_a_413_problem(client: Client) -> None:
    big = {"name": "a", "count": 1, "address": {"code_postal": "75001"}, "pad": "x" * 5000}
    response = await client.post("/api/v1/things", json=big)
    await problem(response, 413)


async def test_invalid_fields_are_each_named(client: Client) -> None:
    response = await client.post(
        "/api/v1/things",
        json={"name": "", "count": -1, "address": {"code_postal": "7500"}, "extra": 1},
    )
    body = await problem(response, 422)
    fields = {error["field"] for error in body["errors"]}
    assert fields == {"name", "count", "address.code_postal", "extra"}


async def test_unknown_route_and_wrong_method_are_problems(client: Client) -> None:
    await problem(await client.get("/api/v1/nothing"), 404)
    response = await client.delete("/api/v1/things")
    await problem(response, 405)
    assert "POST" in response.headers["Allow"]


async def test_unexpected_error_leaks_nothing(client: Client) -> None:
    response = await client.get("/api/v1/boom")
    body = await problem(response, 500)
    assert "hunter2" not in await response.text()
    assert body["correlation_id"] == response.headers["X-Correlation-ID"]


async def test_correlation_id_is_taken_from_the_request(client: Client) -> None:
    response = await client.get("/health/live", headers={"X-Correlation-ID": "abc-123"})
    assert response.headers["X-Correlation-ID"] == "abc-123"
    response = await client.get("/health/live", headers={"X-Correlation-ID": "bad\tid"})
    assert response.headers["X-Correlation-ID"] != "bad\tid"


async def test_health_metrics_and_openapi(client: Client) -> None:
    assert (await client.get("/health/live")).status == 200
    assert (await client.get("/health/ready")).status == 200
    await client.get("/api/v1/nothing")
    metrics = await (await client.get("/metrics")).text()
    assert "http_requests_total" in metrics
    document = await (await client.get("/openapi.json")).json()
    operation = document["paths"]["/api/v1/things"]["post"]
    assert operation["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/NewThing"
    }
    assert "Address" in document["components"]["schemas"]


async def test_an_id_in_the_bigint_range_reaches_the_handler(client: Client) -> None:
    response = await client.get(f"/api/v1/things/small/{2**63 - 1}")
    assert response.status == 200
    assert await response.json() == {"name": "small", "count": 2**63 - 1}


@pytest.mark.parametrize("id_", [str(2**63), "9" * 19, "1" * 5000, "0" * 30 + "1"])
async def test_an_id_beyond_the_bigint_range_is_not_found(client: Client, id_: str) -> None:
    body = await problem(await client.get(f"/api/v1/things/small/{id_}"), 404)
    assert body["type"].endswith(":not-found")


async def test_an_id_beyond_range_on_a_protected_route_asks_for_a_token_first(
    client: Client,
) -> None:
    await problem(await client.get(f"/api/v1/mine/{2**63}"), 401)


async def test_path_parameters_are_described_with_their_range_or_words(client: Client) -> None:
    document = await (await client.get("/openapi.json")).json()
    operation = document["paths"]["/api/v1/things/{kind}/{id}"]["get"]
    schemas = {parameter["name"]: parameter["schema"] for parameter in operation["parameters"]}
    assert schemas == {
        "kind": {"type": "string", "enum": ["small", "large"]},
        "id": {"type": "integer", "minimum": 0, "maximum": 2**63 - 1},
    }


async def test_every_problem_an_operation_may_answer_is_documented(client: Client) -> None:
    document = await (await client.get("/openapi.json")).json()
    paths = document["paths"]
    statuses = {
        "create_thing": set(paths["/api/v1/things"]["post"]["responses"]),
        "mine": set(paths["/api/v1/mine"]["get"]["responses"]),
        "one_thing": set(paths["/api/v1/things/{kind}/{id}"]["get"]["responses"]),
    }
    assert statuses == {
        "create_thing": {"201", "400", "413", "415", "422", "503", "default"},
        "mine": {"200", "401", "403", "503", "default"},
        "one_thing": {"200", "404", "410", "503", "default"},
    }
    problem_schema = {"$ref": "#/components/schemas/Problem"}
    for response in paths["/api/v1/mine"]["get"]["responses"].values():
        if "content" in response and "application/problem+json" in response["content"]:
            assert response["content"]["application/problem+json"]["schema"] == problem_schema
            assert response["description"]


async def test_a_valid_token_reaches_the_handler(client: Client, test_keys: TestKeys) -> None:
    token = test_keys.token(Role.CANDIDAT)
    response = await client.get("/api/v1/mine", headers={"Authorization": f"Bearer {token}"})
    assert response.status == 200


async def test_a_missing_token_or_wrong_role_is_refused(
    client: Client, test_keys: TestKeys
) -> None:
    await problem(await client.get("/api/v1/mine"), 401)
    token = test_keys.token(Role.GESTIONNAIRE, academies=["A01"])
    response = await client.get("/api/v1/mine", headers={"Authorization": f"Bearer {token}"})
    await problem(response, 403)


async def test_json_nested_too_deeply_is_a_400_problem(client: Client) -> None:
    response = await client.post(
        "/api/v1/things", data=b"[" * 1500, headers={"Content-Type": "application/json"}
    )
    body = await problem(response, 400)
    assert body["type"].endswith("malformed-json")


async def test_a_jwks_endpoint_answering_garbage_means_401_not_500(test_keys: TestKeys) -> None:
    async def garbage(request: web.Request) -> web.Response:
        return web.Response(text='{"keys": "not a list"')

    jwks = web.Application()
    jwks.router.add_get("/jwks", garbage)
    async with TestServer(jwks) as server:
        verifier = TokenVerifier(
            RemoteJwks(str(server.make_url("/jwks"))),
            audience=test_keys.audience,
            issuer=test_keys.issuer,
        )
        with pytest.raises(ProblemError) as refused:
            await verifier.verify(test_keys.token())
    assert refused.value.status == 401


async def test_a_nul_character_is_refused_before_the_handler(client: Client) -> None:
    # PostgreSQL text holds no NUL: asyncpg would fail on it in the handler (a 500).
    body = {"name": "a\u0000b", "count": 1, "address": {"code_postal": "75001"}}
    problem_body = await problem(await client.post("/api/v1/things", json=body), 422)
    assert problem_body["errors"] == [
        {"field": "name", "message": "NUL characters are not allowed", "code": "nul"}
    ]
    nested = {"name": "a", "count": 1, "address": {"code_postal\u0000": "75001"}}
    problem_body = await problem(await client.post("/api/v1/things", json=nested), 422)
    assert problem_body["errors"][0]["field"] == "address.code_postal\u0000"
    response = await client.get("/api/v1/things/search?name=%00x")
    assert (await problem(response, 422))["errors"][0]["field"] == "name"
    assert (await client.get("/api/v1/things/named/ab")).status == 200
    await problem(await client.get("/api/v1/things/named/a%00b"), 404)
