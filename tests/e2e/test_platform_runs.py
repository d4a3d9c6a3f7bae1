"""The runner starts every service; each is ready and describes its API."""

from __future__ import annotations

import aiohttp

from tests.e2e.conftest import Platform


async def test_every_service_is_ready_with_its_openapi(platform: Platform) -> None:
    async with aiohttp.ClientSession() as session:
        for service in platform.services:
            async with session.get(platform.url(service) + "/health/ready") as response:
                assert response.status == 200, service
                assert (await response.json())["status"] == "ready"
            async with session.get(platform.url(service) + "/openapi.json") as response:
                assert (await response.json())["openapi"].startswith("3.")
