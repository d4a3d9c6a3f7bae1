"""Schemathesis against each service started in-process, anonymously and with an
administrateur's and a gestionnaire's token: no 500, and every answer as the service's
/openapi.json says (status, content type, body schema). Bounded and deterministic (a fixed
seed); `make fuzz` runs far more examples. Select or leave out with `-m fuzz` / `-m "not fuzz"`."""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from shared.testing.tokens import TestKeys
from tests.fuzzing import SERVICES, build, identities, prepare, run_schemathesis

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
) -> None:
    await prepare(service, service_settings)
    client = await serve(build(service, service_settings))
    base_url = str(client.make_url("")).rstrip("/")
    who = await identities(service, client.app, base_url, test_keys)

    failures = []
    for identity, headers in who.items():
        code, output, _ = await run_schemathesis(base_url, headers, EXAMPLES, PHASES)
        if code != 0:
            failures.append(f"==== as {identity}:\n{output}")

    assert not failures, "\n".join(failures)
