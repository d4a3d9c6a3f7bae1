"""Modifier mon compte: identity until the first candidature, email, password, reset."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from accounts.domain.throttle import EMAIL_RULE, MAIL_RULE
from accounts.settings import Settings
from shared.events import Envelope
from shared.events.catalogue import (
    AccountEmailChanged,
    AccountEmailChangeRequested,
    AccountIdentityChanged,
    PasswordResetRequested,
)
from shared.metrics import EVENTS_HANDLED
from shared.testing.factories import identite_json, random_email
from shared.testing.helpers import publish_envelope, wait_until
from tests.accounts.integration.conftest import (
    OTHER_PASSWORD,
    PASSWORD,
    Candidate,
    Service,
    active_candidate,
    candidature_for,
    events,
    fields,
    last_event,
    lock,
    login,
    problem,
)


async def put_identite(service: Service, candidate: Candidate, body: dict[str, Any]) -> Any:
    return await service.client.put("/api/v1/me/identite", json=body, headers=candidate.headers)


async def test_the_identity_can_be_read_and_changed_before_any_candidature(
    service: Service,
) -> None:
    candidate = await active_candidate(service)
    response = await put_identite(service, candidate, identite_json(nom_usage="Martin"))

    me = await response.json()
    assert response.status == 200
    assert me["identite"]["nom_usage"] == "Martin"
    changed = await last_event(service.pool, AccountIdentityChanged)
    assert changed.account_id == candidate.account_id
    assert changed.changed_by == candidate.account_id
    assert changed.identite.nom_usage == "Martin"


async def test_an_invalid_identity_change_names_its_fields_and_changes_nothing(
    service: Service,
) -> None:
    candidate = await active_candidate(service)
    response = await put_identite(service, candidate, identite_json(nom_naissance="", extra=1))
    assert fields(await problem(response, 422)) == {"nom_naissance", "extra"}
    assert await events(service.pool, AccountIdentityChanged) == []


async def test_after_a_candidature_the_identity_is_locked_but_email_and_password_change(
    service: Service,
) -> None:
    candidate = await active_candidate(service)
    await lock(service, candidate)

    refused = await put_identite(service, candidate, identite_json(nom_usage="Martin"))
    body = await problem(refused, 409, "identity-locked")
    assert "gestionnaire" in body["detail"]
    assert await events(service.pool, AccountIdentityChanged) == []
    await change_password(service, candidate, PASSWORD, OTHER_PASSWORD, expect=204)
    email_change = await request_email_change(service, candidate, random_email(), OTHER_PASSWORD)
    assert email_change.status == 202


async def change_password(
    service: Service, candidate: Candidate, current: str, new: str, expect: int
) -> Any:
    response = await service.client.post(
        "/api/v1/me/password",
        json={"current_password": current, "new_password": new},
        headers=candidate.headers,
    )
    assert response.status == expect, await response.text()
    return response


async def request_email_change(
    service: Service, candidate: Candidate, new_email: str, password: str = PASSWORD
) -> Any:
    return await service.client.post(
        "/api/v1/me/email",
        json={"new_email": new_email, "password": password},
        headers=candidate.headers,
    )


async def test_a_new_email_replaces_the_old_only_once_confirmed(service: Service) -> None:
    candidate = await active_candidate(service)
    new_email = random_email()
    assert (await request_email_change(service, candidate, new_email)).status == 202
    requested = await last_event(service.pool, AccountEmailChangeRequested)
    assert (requested.current_email, requested.new_email) == (candidate.email, new_email)
    await login(service, candidate.email)  # still the old one

    response = await service.client.post(
        "/api/v1/accounts/email/confirm", json={"token": requested.confirmation_token}
    )
    assert response.status == 200
    changed = await last_event(service.pool, AccountEmailChanged)
    assert (changed.old_email, changed.new_email) == (candidate.email, new_email)
    await login(service, new_email)
    old = await service.client.post(
        "/api/v1/auth/login", json={"email": candidate.email, "password": PASSWORD}
    )
    await problem(old, 401)


async def test_an_email_change_needs_the_password(service: Service) -> None:
    candidate = await active_candidate(service)
    response = await request_email_change(service, candidate, random_email(), "Wrong#Pass1")
    assert fields(await problem(response, 422, "wrong-password")) == {"password"}
    assert await events(service.pool, AccountEmailChangeRequested) == []


async def test_confirming_an_email_taken_meanwhile_is_a_conflict(service: Service) -> None:
    candidate = await active_candidate(service)
    other = await active_candidate(service)
    await request_email_change(service, candidate, other.email.upper())
    requested = await last_event(service.pool, AccountEmailChangeRequested)
    response = await service.client.post(
        "/api/v1/accounts/email/confirm", json={"token": requested.confirmation_token}
    )
    await problem(response, 409, "email-taken")


async def test_guessing_the_current_password_is_throttled_like_a_login(
    service: Service,
) -> None:
    candidate = await active_candidate(service)
    for _ in range(EMAIL_RULE.free_failures):
        await change_password(service, candidate, "Wrong#Pass1", OTHER_PASSWORD, expect=422)

    await change_password(service, candidate, PASSWORD, OTHER_PASSWORD, expect=429)
    refused = await request_email_change(service, candidate, random_email())
    await problem(refused, 429, "too-many-attempts")

    service.clock.advance(EMAIL_RULE.max_delay)
    await change_password(service, candidate, PASSWORD, OTHER_PASSWORD, expect=204)


async def test_a_password_change_needs_the_current_one_and_ends_the_other_sessions(
    service: Service,
) -> None:
    candidate = await active_candidate(service)
    other_session = await login(service, candidate.email)
    wrong = await change_password(service, candidate, "Wrong#Pass1", OTHER_PASSWORD, expect=422)
    assert fields(await wrong.json()) == {"current_password"}

    await change_password(service, candidate, PASSWORD, OTHER_PASSWORD, expect=204)
    ended = {"refresh_token": other_session["refresh_token"]}
    await problem(await service.client.post("/api/v1/auth/refresh", json=ended), 401)
    kept = {"refresh_token": candidate.tokens["refresh_token"]}
    assert (await service.client.post("/api/v1/auth/refresh", json=kept)).status == 200
    await login(service, candidate.email, OTHER_PASSWORD)


async def test_a_new_password_must_follow_the_rule(service: Service) -> None:
    candidate = await active_candidate(service)
    for weak in ("Password1!", "P@ssw0rd!", "alllowercase!", "NoSpecial12", "A!a" + "b" * 30):
        response = await change_password(service, candidate, PASSWORD, weak, expect=422)
        assert fields(await response.json()) == {"new_password"}, weak


async def test_a_reset_request_answers_the_same_for_any_email(service: Service) -> None:
    candidate = await active_candidate(service)
    answers = []
    for email in (candidate.email, random_email()):
        response = await service.client.post("/api/v1/auth/password-reset", json={"email": email})
        answers.append((response.status, await response.json()))
    assert answers[0] == answers[1]
    assert answers[0][0] == 202
    requested = await events(service.pool, PasswordResetRequested)
    assert [event.email for event in requested] == [candidate.email]


async def test_reset_emails_to_one_address_are_bounded_and_the_answer_never_changes(
    service: Service,
) -> None:
    candidate = await active_candidate(service)

    async def ask() -> tuple[int, object]:
        response = await service.client.post(
            "/api/v1/auth/password-reset", json={"email": candidate.email}
        )
        return response.status, await response.json()

    answers = [await ask() for _ in range(MAIL_RULE.per_window + 2)]
    assert len(set(map(repr, answers))) == 1
    assert len(await events(service.pool, PasswordResetRequested)) == MAIL_RULE.per_window

    service.clock.advance(MAIL_RULE.window)
    await ask()
    assert len(await events(service.pool, PasswordResetRequested)) == MAIL_RULE.per_window + 1


async def reset_token(service: Service, candidate: Candidate) -> str:
    await service.client.post("/api/v1/auth/password-reset", json={"email": candidate.email})
    token: str = (await last_event(service.pool, PasswordResetRequested)).reset_token
    return token


async def test_a_reset_sets_the_password_once_and_ends_every_session(service: Service) -> None:
    candidate = await active_candidate(service)
    token = await reset_token(service, candidate)
    body = {"token": token, "new_password": OTHER_PASSWORD}
    response = await service.client.post("/api/v1/auth/password-reset/confirm", json=body)
    assert response.status == 204

    session = {"refresh_token": candidate.tokens["refresh_token"]}
    await problem(await service.client.post("/api/v1/auth/refresh", json=session), 401)
    await login(service, candidate.email, OTHER_PASSWORD)
    again = await service.client.post("/api/v1/auth/password-reset/confirm", json=body)
    await problem(again, 400, "invalid-link")


async def test_a_reset_link_lasts_one_hour(service: Service) -> None:
    candidate = await active_candidate(service)
    token = await reset_token(service, candidate)
    service.clock.advance(timedelta(hours=1, seconds=1))
    body = {"token": token, "new_password": OTHER_PASSWORD}
    response = await service.client.post("/api/v1/auth/password-reset/confirm", json=body)
    await problem(response, 410, "link-expired")


async def test_a_dead_reset_token_costs_no_hashing(service: Service) -> None:
    candidate = await active_candidate(service)
    expired = await reset_token(service, candidate)
    service.clock.advance(timedelta(hours=1, seconds=1))
    hasher = service.deps.hasher
    before = hasher.work_done
    for token, status, slug in (
        (uuid.uuid4().hex * 2, 400, "invalid-link"),
        (expired, 410, "link-expired"),
    ):
        body = {"token": token, "new_password": OTHER_PASSWORD}
        response = await service.client.post("/api/v1/auth/password-reset/confirm", json=body)
        await problem(response, status, slug)
    assert hasher.work_done == before


async def test_a_reset_lifts_the_login_throttle(service: Service) -> None:
    candidate = await active_candidate(service)
    for _ in range(8):
        await service.client.post(
            "/api/v1/auth/login", json={"email": candidate.email, "password": "Wrong#Pass1"}
        )
    token = await reset_token(service, candidate)
    body = {"token": token, "new_password": OTHER_PASSWORD}
    await service.client.post("/api/v1/auth/password-reset/confirm", json=body)
    await login(service, candidate.email, OTHER_PASSWORD)


async def confirm_email(service: Service, token: str) -> Any:
    return await service.client.post("/api/v1/accounts/email/confirm", json={"token": token})


async def test_a_reset_voids_a_pending_email_change(service: Service) -> None:
    candidate = await active_candidate(service)
    await request_email_change(service, candidate, random_email("attacker"))
    requested = await last_event(service.pool, AccountEmailChangeRequested)
    body = {"token": await reset_token(service, candidate), "new_password": OTHER_PASSWORD}
    response = await service.client.post("/api/v1/auth/password-reset/confirm", json=body)
    assert response.status == 204

    await problem(await confirm_email(service, requested.confirmation_token), 400, "invalid-link")
    await login(service, candidate.email, OTHER_PASSWORD)


async def test_a_password_change_voids_a_pending_email_change(service: Service) -> None:
    candidate = await active_candidate(service)
    await request_email_change(service, candidate, random_email("attacker"))
    requested = await last_event(service.pool, AccountEmailChangeRequested)
    await change_password(service, candidate, PASSWORD, OTHER_PASSWORD, expect=204)

    await problem(await confirm_email(service, requested.confirmation_token), 400, "invalid-link")
    await login(service, candidate.email, OTHER_PASSWORD)


async def test_an_email_change_voids_the_reset_links_sent_to_the_old_address(
    service: Service,
) -> None:
    candidate = await active_candidate(service)
    token = await reset_token(service, candidate)
    await request_email_change(service, candidate, random_email())
    requested = await last_event(service.pool, AccountEmailChangeRequested)
    assert (await confirm_email(service, requested.confirmation_token)).status == 200

    body = {"token": token, "new_password": OTHER_PASSWORD}
    response = await service.client.post("/api/v1/auth/password-reset/confirm", json=body)
    await problem(response, 400, "invalid-link")


async def test_a_candidature_of_an_unknown_account_is_consumed_without_harm(
    service: Service,
) -> None:
    candidate = await active_candidate(service)
    await service.publish(candidature_for(uuid.uuid4()), "registration")
    await lock(service, candidate)

    async def both_handled() -> bool:
        return bool(await service.pool.fetchval("SELECT count(*) FROM inbox") == 2)

    assert await wait_until(both_handled)
    assert await service.pool.fetchval("SELECT count(*) FROM dead_letters") == 0


async def test_a_candidature_created_delivered_twice_locks_the_identity_once(
    service: Service, settings: Settings
) -> None:
    candidate = await active_candidate(service)
    created = candidature_for(candidate.account_id)
    envelope = Envelope.wrap(created, producer="registration")
    queue = settings.queue("identity-lock")

    def duplicates() -> float:
        value: float = EVENTS_HANDLED.labels(queue, "duplicate")._value.get()
        return value

    before = duplicates()
    await publish_envelope(service.broker, envelope)
    await publish_envelope(service.broker, envelope)

    async def duplicate_absorbed() -> bool:
        return duplicates() > before

    assert await wait_until(duplicate_absorbed)
    handled = await service.pool.fetch(
        "SELECT handler FROM inbox WHERE event_id = $1", envelope.event_id
    )
    assert len(handled) == 1
    row = await service.pool.fetchrow(
        "SELECT identity_locked_at, candidature_academies FROM accounts WHERE id = $1",
        candidate.account_id,
    )
    assert row["identity_locked_at"] == created.saved_at
    assert row["candidature_academies"] == ["PARIS"]
    me = await service.client.get("/api/v1/me", headers=candidate.headers)
    assert (await me.json())["identity_locked"] is True
