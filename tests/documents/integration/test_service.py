"""The service starts (migrations, broker, object store) and says it is ready."""

from __future__ import annotations

from shared.testing.service import ServiceUnderTest, Start


async def test_ready_with_its_bucket(service: ServiceUnderTest) -> None:
    response = await service.client.get("/health/ready")
    body = await response.json()
    assert response.status == 200, body
    assert body["checks"]["storage"] is True


async def test_not_ready_without_its_bucket(start: Start) -> None:
    service = await start()
    response = await service.client.get("/health/ready")
    assert response.status == 503
