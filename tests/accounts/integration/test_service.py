"""The operational side: readiness with the consumer, the OpenAPI document, the JWKS."""

from __future__ import annotations

from accounts.domain.identite import FIRST_NAMES_PATTERN, NAME_PATTERN
from accounts.domain.passwords import RULE_PATTERN
from tests.accounts.integration.conftest import Service, problem, staff_member


async def test_the_service_is_ready_with_its_database_broker_and_consumer(service: Service) -> None:
    response = await service.client.get("/health/ready")
    body = await response.json()
    assert response.status == 200, body
    assert any(name.startswith("consumer:") for name in body["checks"])


async def test_the_openapi_document_lists_the_routes(service: Service) -> None:
    document = await (await service.client.get("/openapi.json")).json()
    assert "/api/v1/accounts" in document["paths"]
    assert "/api/v1/admin/accounts/{account_id}/identite" in document["paths"]
    assert "/api/v1/.well-known/jwks.json" in document["paths"]


async def test_the_openapi_document_states_the_password_name_and_phone_rules(
    service: Service,
) -> None:
    document = await (await service.client.get("/openapi.json")).json()
    schemas = document["components"]["schemas"]
    for model, field in (("NewAccount", "password"), ("NewStaff", "password")):
        password = schemas[model]["properties"][field]
        assert (password["minLength"], password["maxLength"]) == (8, 20)
        assert password["pattern"] == RULE_PATTERN
        assert "special character" in password["description"]
    assert schemas["PasswordChange"]["properties"]["new_password"]["minLength"] == 8
    assert schemas["PasswordReset"]["properties"]["new_password"]["maxLength"] == 20
    identite = schemas["IdentiteInput"]["properties"]
    assert identite["nom_naissance"]["pattern"] == NAME_PATTERN
    assert identite["prenoms"]["pattern"] == FIRST_NAMES_PATTERN
    [nom_usage, _] = identite["nom_usage"]["anyOf"]
    assert nom_usage["pattern"] == identite["nom_naissance"]["pattern"]
    [telephone, _] = identite["telephone"]["anyOf"]
    assert telephone["pattern"] == r"^\+?\d[\d .-]{4,18}\d$"


async def test_the_jwks_holds_only_public_ed25519_keys(service: Service) -> None:
    document = await (await service.client.get("/api/v1/.well-known/jwks.json")).json()
    [key] = document["keys"]
    assert (key["kty"], key["crv"], key["alg"]) == ("OKP", "Ed25519", "EdDSA")
    assert "d" not in key


async def test_a_malformed_account_id_is_a_404(service: Service) -> None:
    admin = await staff_member(service)
    response = await service.client.get(
        "/api/v1/admin/accounts/not-a-uuid/identite/audit", headers=admin.headers
    )
    await problem(response, 404, "not-found")
