"""Which address the per-client login throttle counts."""

from __future__ import annotations

from typing import cast
from unittest.mock import MagicMock

from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from accounts.deps import DEPS, Deps
from accounts.entrypoints.http import client_address


def request(trust: bool, forwarded: str) -> web.Request:
    app = web.Application()
    app[DEPS] = cast(Deps, MagicMock(trust_forwarded_for=trust))
    return make_mocked_request("POST", "/", headers={"X-Forwarded-For": forwarded}, app=app)


def test_behind_the_gateway_the_entry_it_wrote_counts_not_the_clients() -> None:
    assert client_address(request(True, "6.6.6.6, 203.0.113.7")) == "203.0.113.7"
    assert client_address(request(True, "203.0.113.7")) == "203.0.113.7"


def test_without_a_gateway_the_header_is_ignored() -> None:
    assert client_address(request(False, "6.6.6.6")) != "6.6.6.6"
