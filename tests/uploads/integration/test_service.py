"""The service starts, migrates, and reports its dependencies, clamd included."""

from __future__ import annotations

from shared.testing.service import ServiceUnderTest, Start


async def test_the_service_is_ready_with_its_scanner(service: ServiceUnderTest) -> None:
    response = await service.client.get("/health/ready")
    body = await response.json()
    assert response.status == 200, body
    assert body["checks"]["clamd"] is True
    assert body["checks"]["storage"] is True


async def test_readiness_fails_without_clamd(start: Start, bucket: str) -> None:
    service = await start(clamd_address="/nonexistent/clamd.sock")
    response = await service.client.get("/health/ready")
    assert response.status == 503
    assert (await response.json())["checks"]["clamd"] is False
