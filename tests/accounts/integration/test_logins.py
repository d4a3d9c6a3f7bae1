"""Logging in, tokens, refresh rotation, logout, throttling, and no account enumeration."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import argon2
import jwt

from accounts.domain.throttle import CLIENT_RULE, EMAIL_RULE, client_key, email_key
from accounts.handlers.logins import count_attempt
from shared.auth import RemoteJwks, Role, TokenVerifier
from shared.testing.factories import random_email
from tests.accounts.integration.conftest import (
    PASSWORD,
    Service,
    active_candidate,
    login,
    problem,
    register,
)


async def post_login(service: Service, email: str, password: str) -> Any:
    return await service.client.post(
        "/api/v1/auth/login", json={"email": email, "password": password}
    )


async def test_the_access_token_verifies_with_the_published_jwks(service: Service) -> None:
    candidate = await active_candidate(service)
    verifier = TokenVerifier(
        RemoteJwks(str(service.client.make_url("/api/v1/.well-known/jwks.json"))),
        audience="cyclades",
        issuer="cyclades-accounts",
    )
    principal = await verifier.verify(candidate.tokens["access_token"])

    assert principal.account_id == candidate.account_id
    assert principal.role is Role.CANDIDAT
    claims = jwt.decode(candidate.tokens["access_token"], options={"verify_signature": False})
    assert {"sub", "role", "academies", "aud", "iss", "exp", "iat", "jti"} <= claims.keys()
    assert jwt.get_unverified_header(candidate.tokens["access_token"])["alg"] == "EdDSA"


async def test_a_wrong_password_and_an_unknown_email_get_the_same_answer_and_work(
    service: Service,
) -> None:
    candidate = await active_candidate(service)
    pending = await register(service)
    hasher = service.deps.hasher
    answers = []
    for email in (candidate.email, random_email(), pending):
        before = hasher.work_done
        response = await post_login(service, email, "Wrong#Pass1")
        body = await response.json()
        body.pop("correlation_id")
        answers.append((response.status, body, hasher.work_done - before))

    assert answers[0] == answers[1] == answers[2]
    assert answers[0][0] == 401
    assert answers[0][2] == 1  # one Argon2 verification, even for the unknown email


async def test_the_me_endpoint_needs_a_valid_token(service: Service) -> None:
    candidate = await active_candidate(service)
    response = await service.client.get("/api/v1/me", headers=candidate.headers)
    assert (await response.json())["email"] == candidate.email
    await problem(await service.client.get("/api/v1/me"), 401)
    forged = {"Authorization": "Bearer " + candidate.tokens["access_token"][:-4] + "AAAA"}
    await problem(await service.client.get("/api/v1/me", headers=forged), 401)


async def test_refresh_rotates_the_refresh_token(service: Service) -> None:
    candidate = await active_candidate(service)
    old = candidate.tokens["refresh_token"]
    response = await service.client.post("/api/v1/auth/refresh", json={"refresh_token": old})
    rotated = await response.json()

    assert response.status == 200
    assert rotated["refresh_token"] != old
    assert rotated["access_token"] != candidate.tokens["access_token"]
    headers = {"Authorization": f"Bearer {rotated['access_token']}"}
    assert (await service.client.get("/api/v1/me", headers=headers)).status == 200


async def test_a_reused_refresh_token_revokes_its_session(service: Service) -> None:
    candidate = await active_candidate(service)
    old = candidate.tokens["refresh_token"]
    rotated = await (
        await service.client.post("/api/v1/auth/refresh", json={"refresh_token": old})
    ).json()

    service.clock.advance(service.deps.lifetimes.refresh_reuse_grace)
    reuse = await service.client.post("/api/v1/auth/refresh", json={"refresh_token": old})
    await problem(reuse, 401, "invalid-refresh-token")
    after = await service.client.post(
        "/api/v1/auth/refresh", json={"refresh_token": rotated["refresh_token"]}
    )
    await problem(after, 401, "invalid-refresh-token")


async def test_logout_revokes_the_session(service: Service) -> None:
    candidate = await active_candidate(service)
    token = {"refresh_token": candidate.tokens["refresh_token"]}
    assert (await service.client.post("/api/v1/auth/logout", json=token)).status == 204
    await problem(await service.client.post("/api/v1/auth/refresh", json=token), 401)


async def test_a_session_ends_after_its_lifetime(service: Service) -> None:
    candidate = await active_candidate(service)
    service.clock.advance(service.deps.lifetimes.login + timedelta(seconds=1))
    token = {"refresh_token": candidate.tokens["refresh_token"]}
    await problem(await service.client.post("/api/v1/auth/refresh", json=token), 401)


async def test_repeated_failures_are_throttled_for_known_and_unknown_emails_alike(
    service: Service,
) -> None:
    candidate = await active_candidate(service)
    answers = []
    for email in (candidate.email, random_email()):
        for _ in range(5):
            await post_login(service, email, "Wrong#Pass1")
        response = await post_login(service, email, "Wrong#Pass1")
        body = await problem(response, 429, "too-many-attempts")
        answers.append((response.headers["Retry-After"], body["detail"]))
    assert answers[0] == answers[1]


async def test_the_owner_is_never_locked_out_for_good(service: Service) -> None:
    candidate = await active_candidate(service)
    for _ in range(12):
        service.clock.advance(timedelta(seconds=1))
        await post_login(service, candidate.email, "Wrong#Pass1")
    await problem(await post_login(service, candidate.email, PASSWORD), 429)

    service.clock.advance(timedelta(minutes=16))
    assert (await post_login(service, candidate.email, PASSWORD)).status == 200


async def test_parallel_guesses_cannot_all_slip_past_the_throttle(service: Service) -> None:
    candidate = await active_candidate(service)
    responses = await asyncio.gather(
        *(post_login(service, candidate.email, "Wrong#Pass1") for _ in range(12))
    )
    statuses = sorted(response.status for response in responses)
    assert set(statuses) <= {401, 429}
    assert statuses.count(401) <= EMAIL_RULE.free_failures
    # The owner is not locked out by the counting in advance once the wait is over.
    service.clock.advance(EMAIL_RULE.max_delay)
    await login(service, candidate.email)


async def test_right_and_wrong_logins_racing_on_one_email_all_get_an_answer(
    service: Service,
) -> None:
    candidate = await active_candidate(service)
    passwords = [PASSWORD, "Wrong#Pass1"] * 6
    responses = await asyncio.gather(
        *(post_login(service, candidate.email, password) for password in passwords)
    )
    assert {response.status for response in responses} <= {200, 401, 429}


async def test_a_client_failing_on_many_emails_is_throttled(service: Service) -> None:
    for _ in range(20):
        await post_login(service, random_email(), "Wrong#Pass1")
    response = await post_login(service, random_email(), "Wrong#Pass1")
    await problem(response, 429, "too-many-attempts")


async def test_many_candidates_logging_in_at_once_from_one_address_are_not_throttled(
    service: Service,
) -> None:
    """A lycée's network or the gateway: more attempts in flight from one address than the
    client rule allows failures. Attempts in flight on other emails (counted here as a login
    does before checking the hash) must not refuse a right password."""
    candidate = await active_candidate(service)
    now = service.clock.now()
    async with service.pool.acquire() as conn:
        for _ in range(CLIENT_RULE.free_failures + 5):
            await count_attempt(
                conn, [email_key(random_email())], now, also_check=[client_key("127.0.0.1")]
            )

    assert (await post_login(service, candidate.email, PASSWORD)).status == 200


async def test_a_success_forgets_the_failures_of_the_email(service: Service) -> None:
    candidate = await active_candidate(service)
    for _ in range(4):
        await post_login(service, candidate.email, "Wrong#Pass1")
    await login(service, candidate.email)
    for _ in range(4):
        await post_login(service, candidate.email, "Wrong#Pass1")
    assert (await post_login(service, candidate.email, PASSWORD)).status == 200


async def test_an_unknown_refresh_token_is_refused(service: Service) -> None:
    token = {"refresh_token": uuid.uuid4().hex + uuid.uuid4().hex}
    await problem(await service.client.post("/api/v1/auth/refresh", json=token), 401)


async def test_a_hash_with_older_parameters_is_upgraded_at_login(service: Service) -> None:
    candidate = await active_candidate(service)
    weak = argon2.PasswordHasher(time_cost=1, memory_cost=256, parallelism=1).hash(PASSWORD)
    await service.pool.execute(
        "UPDATE accounts SET password_hash = $2 WHERE id = $1", candidate.account_id, weak
    )
    await login(service, candidate.email)
    stored = await service.pool.fetchval(
        "SELECT password_hash FROM accounts WHERE id = $1", candidate.account_id
    )
    assert stored != weak
    assert not service.deps.hasher.needs_rehash(stored)
    await login(service, candidate.email)


async def test_two_refreshes_racing_with_one_token_cannot_both_win(service: Service) -> None:
    candidate = await active_candidate(service)
    token = {"refresh_token": candidate.tokens["refresh_token"]}
    responses = await asyncio.gather(
        *(service.client.post("/api/v1/auth/refresh", json=token) for _ in range(2))
    )
    assert sorted(response.status for response in responses) == [200, 401]
    # The loser is refused, but the session lives on with the winner's token.
    (winner,) = [response for response in responses if response.status == 200]
    await problem(next(r for r in responses if r.status == 401), 401, "invalid-refresh-token")
    kept = {"refresh_token": (await winner.json())["refresh_token"]}
    assert (await service.client.post("/api/v1/auth/refresh", json=kept)).status == 200


async def test_a_just_rotated_token_is_refused_without_ending_the_session(
    service: Service,
) -> None:
    candidate = await active_candidate(service)
    old = {"refresh_token": candidate.tokens["refresh_token"]}
    first = await (await service.client.post("/api/v1/auth/refresh", json=old)).json()
    grace = service.deps.lifetimes.refresh_reuse_grace

    service.clock.advance(grace - timedelta(seconds=1))
    again = await service.client.post("/api/v1/auth/refresh", json=old)
    await problem(again, 401, "invalid-refresh-token")
    kept = {"refresh_token": first["refresh_token"]}
    second = await (await service.client.post("/api/v1/auth/refresh", json=kept)).json()

    # Past the grace period, the reuse of the token rotated last ends the session.
    service.clock.advance(grace)
    reuse = await service.client.post("/api/v1/auth/refresh", json=kept)
    await problem(reuse, 401, "invalid-refresh-token")
    latest = {"refresh_token": second["refresh_token"]}
    await problem(await service.client.post("/api/v1/auth/refresh", json=latest), 401)
