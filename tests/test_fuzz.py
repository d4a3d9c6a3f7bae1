"""Schemathesis against each service started in-process (documents and uploads with a bucket
of their own, uploads with a clamd), anonymously and with an administrateur's, a gestionnaire's
and a candidat's token, multipart uploads included: no 500, and every answer as the service's
/openapi.json says (status, content type, body schema). Bounded and deterministic (a fixed
seed); `make fuzz` runs far more examples. Select or leave out with `-m fuzz` / `-m "not fuzz"`."""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from shared.testing.infrastructure import S3Endpoint
from shared.testing.tokens import TestKeys
from tests.fuzzing import SERVICES, build, dependencies, identities, prepare, run_schemathesis

pytestmark = pytest.mark.fuzz

# Per operation, phase and identity: the whole test stays within about a minute on two cores.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))
PHASES = "examples,coverage,fuzzing"
Client = TestClient[web.Request, web.Application]


@pytest.mark.parametrize("service", SERVICES)
async def test_the_service_answers_as_documented(
    service: str,
    service_settings: dict[str, Any],
    serve: Callable[[web.Application], Awaitable[Client]],
    test_keys: TestKeys,
    s3_server: S3Endpoint,
) -> None:
    with dependencies(service, s3_server) as needed:
        settings = service_settings | needed
        await prepare(service, settings)
        client = await serve(build(service, settings))
        await fuzz(service, client, test_keys)


async def fuzz(service: str, client: Client, test_keys: TestKeys) -> None:
    base_url = str(client.make_url("")).rstrip("/")
    who = await identities(service, client.app, base_url, test_keys)

    failures = []
    for identity, headers in who.items():
        code, output, _ = await run_schemathesis(base_url, headers, EXAMPLES, PHASES)
        if code != 0:
            failures.append(f"==== as {identity}:\n{output}")

    assert not failures, "\n".join(failures)
