"""Creating a candidate account, activating it within 48 hours, and erasing it otherwise."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from accounts.domain.throttle import MAIL_RULE
from accounts.handlers.signup import erase_unactivated
from shared.events.catalogue import (
    AccountActivated,
    AccountErased,
    AccountRegistered,
    AccountRegistrationRepeated,
)
from shared.testing.factories import identite_json, random_email
from shared.testing.helpers import wait_until
from tests.accounts.integration.conftest import (
    PASSWORD,
    Service,
    activate,
    activation_token,
    events,
    fields,
    last_event,
    login,
    new_account,
    problem,
    register,
)

HOURS_48 = timedelta(hours=48)


async def test_a_new_account_starts_pending_and_announces_what_the_activation_email_needs(
    service: Service,
) -> None:
    email = random_email()
    response = await service.client.post("/api/v1/accounts", json=new_account(email))

    assert response.status == 202
    registered = await last_event(service.pool, AccountRegistered, email=email)
    assert registered.identite.nom_naissance == "Lefèvre-d'Aubigné"
    assert registered.activation_expires_at == service.clock.now() + HOURS_48
    assert len(registered.activation_token) >= 22  # ≥ 128 bits, URL-safe
    status = await service.pool.fetchval("SELECT status FROM accounts WHERE email = $1", email)
    assert status == "pending"


async def test_activation_tokens_and_passwords_are_stored_only_hashed(service: Service) -> None:
    email = await register(service)
    token = await activation_token(service, email)
    stored = await service.pool.fetchrow(
        "SELECT a.password_hash, t.digest FROM accounts a JOIN account_tokens t "
        "ON t.account_id = a.id WHERE a.email = $1",
        email,
    )
    assert stored["password_hash"].startswith("$argon2id$")
    assert PASSWORD not in stored["password_hash"]
    assert token.encode() != stored["digest"]


async def test_a_pending_account_cannot_log_in(service: Service) -> None:
    email = await register(service)
    response = await service.client.post(
        "/api/v1/auth/login", json={"email": email, "password": PASSWORD}
    )
    await problem(response, 403, "account-not-activated")


async def test_activation_makes_the_account_usable_and_is_published(service: Service) -> None:
    email = await register(service)
    activated = await activate(service, email)

    event = await last_event(service.pool, AccountActivated, email=email)
    assert str(event.account_id) == activated["account_id"]
    assert (await login(service, email))["token_type"] == "Bearer"


async def test_an_activation_link_works_once(service: Service) -> None:
    email = await register(service)
    token = await activation_token(service, email)
    first = await service.client.post("/api/v1/accounts/activate", json={"token": token})
    second = await service.client.post("/api/v1/accounts/activate", json={"token": token})

    assert first.status == 200
    await problem(second, 400, "invalid-link")


async def test_activation_works_at_47h59(service: Service) -> None:
    email = await register(service)
    service.clock.advance(HOURS_48 - timedelta(minutes=1))
    await activate(service, email)


async def test_activation_fails_at_48h01_with_a_clear_error_and_the_account_is_erased_after(
    service_without_job: Service,
) -> None:
    service = service_without_job
    email = await register(service)
    token = await activation_token(service, email)
    account_id = (await last_event(service.pool, AccountRegistered, email=email)).account_id
    service.clock.advance(HOURS_48 + timedelta(minutes=1))

    response = await service.client.post("/api/v1/accounts/activate", json={"token": token})
    body = await problem(response, 410, "link-expired")
    assert body["detail"] == "This link was valid for 48 hours; it expired"

    async with service.pool.acquire() as conn, conn.transaction():
        assert await erase_unactivated(conn, service.deps) == [account_id]
    assert await service.pool.fetchval("SELECT count(*) FROM accounts") == 0
    assert await service.pool.fetchval("SELECT count(*) FROM account_tokens") == 0
    erased = await events(service.pool, AccountErased)
    assert [event.account_id for event in erased] == [account_id]
    again = await service.client.post("/api/v1/accounts/activate", json={"token": token})
    await problem(again, 400, "invalid-link")


async def test_a_pending_account_is_kept_until_its_48_hours_are_over(
    service_without_job: Service,
) -> None:
    service = service_without_job
    await register(service)
    service.clock.advance(HOURS_48 - timedelta(minutes=1))
    async with service.pool.acquire() as conn, conn.transaction():
        assert await erase_unactivated(conn, service.deps) == []


async def test_an_erased_accounts_email_can_be_registered_again(service: Service) -> None:
    email = await register(service)
    service.clock.advance(HOURS_48 + timedelta(minutes=1))

    async def erased() -> bool:
        return bool(await events(service.pool, AccountErased))

    assert await wait_until(erased)
    await register(service, email)
    assert len(await events(service.pool, AccountRegistered)) == 2
    assert await events(service.pool, AccountRegistrationRepeated) == []
    await activate(service, email)


async def test_an_expired_pending_account_not_yet_erased_gives_way_to_a_new_one(
    service_without_job: Service,
) -> None:
    service = service_without_job
    email = await register(service)
    old = (await last_event(service.pool, AccountRegistered, email=email)).account_id
    service.clock.advance(HOURS_48 + timedelta(minutes=1))

    await register(service, email)
    new = (await last_event(service.pool, AccountRegistered, email=email)).account_id
    assert new != old
    assert await events(service.pool, AccountRegistrationRepeated) == []
    erased = await events(service.pool, AccountErased)
    assert [event.account_id for event in erased] == [old]
    ids = await service.pool.fetch("SELECT id FROM accounts")
    assert [row["id"] for row in ids] == [new]
    await activate(service, email)


async def test_an_expired_pending_account_gets_no_new_link(service_without_job: Service) -> None:
    service = service_without_job
    email = await register(service)
    account_id = (await last_event(service.pool, AccountRegistered, email=email)).account_id
    service.clock.advance(HOURS_48 + timedelta(minutes=1))

    response = await service.client.post("/api/v1/accounts/activation-link", json={"email": email})
    assert response.status == 202
    assert len(await events(service.pool, AccountRegistered)) == 1
    async with service.pool.acquire() as conn, conn.transaction():
        assert await erase_unactivated(conn, service.deps) == [account_id]


async def test_an_activated_account_is_never_erased(service: Service) -> None:
    active = await register(service)
    await activate(service, active)
    await register(service)  # still pending when the clock passes 48 hours
    service.clock.advance(HOURS_48 + timedelta(minutes=1))

    async def erased() -> bool:
        return len(await events(service.pool, AccountErased)) == 1

    assert await wait_until(erased)
    emails = await service.pool.fetch("SELECT email FROM accounts")
    assert [row["email"] for row in emails] == [active]


async def test_a_new_link_voids_the_previous_one(service: Service) -> None:
    email = await register(service)
    old = await activation_token(service, email)
    response = await service.client.post("/api/v1/accounts/activation-link", json={"email": email})
    assert response.status == 202
    new = await activation_token(service, email)

    assert new != old
    await problem(
        await service.client.post("/api/v1/accounts/activate", json={"token": old}),
        400,
        "invalid-link",
    )
    await activate(service, email)


async def test_a_new_link_is_valid_48_hours_from_when_it_was_asked(service: Service) -> None:
    email = await register(service)
    service.clock.advance(timedelta(hours=40))
    await service.client.post("/api/v1/accounts/activation-link", json={"email": email})
    service.clock.advance(timedelta(hours=47))
    await activate(service, email)


async def test_asking_a_link_answers_the_same_for_unknown_and_active_emails(
    service: Service,
) -> None:
    active = await register(service)
    await activate(service, active)
    answers = []
    for email in (random_email(), active):
        response = await service.client.post(
            "/api/v1/accounts/activation-link", json={"email": email}
        )
        answers.append((response.status, await response.json()))
    assert answers[0] == answers[1]
    assert len(await events(service.pool, AccountRegistered)) == 1


async def test_creating_with_a_taken_email_answers_exactly_as_a_new_one(service: Service) -> None:
    email = random_email()
    first = await service.client.post("/api/v1/accounts", json=new_account(email))
    again = await service.client.post("/api/v1/accounts", json=new_account(email.upper()))

    assert (first.status, await first.json()) == (again.status, await again.json())
    repeated = await events(service.pool, AccountRegistrationRepeated)
    assert [event.email for event in repeated] == [email]
    assert await service.pool.fetchval("SELECT count(*) FROM accounts") == 1


async def test_a_taken_email_costs_the_same_hashing_work_as_a_new_one(service: Service) -> None:
    email = random_email()
    hasher = service.deps.hasher
    before = hasher.work_done
    await service.client.post("/api/v1/accounts", json=new_account(email))
    new_cost = hasher.work_done - before
    await service.client.post("/api/v1/accounts", json=new_account(email))
    assert hasher.work_done - before - new_cost == new_cost == 1


async def test_two_concurrent_creations_with_one_email_give_one_account(service: Service) -> None:
    email = random_email()
    responses = await asyncio.gather(
        *(service.client.post("/api/v1/accounts", json=new_account(email)) for _ in range(6))
    )
    assert {response.status for response in responses} == {202}
    assert await service.pool.fetchval("SELECT count(*) FROM accounts") == 1
    assert len(await events(service.pool, AccountRegistered)) == 1
    assert len(await events(service.pool, AccountRegistrationRepeated)) == 5


# --- bad input --------------------------------------------------------------------------------


async def test_every_invalid_field_is_named(service: Service) -> None:
    body = new_account(
        "not-an-email",
        password="short",
        identite=identite_json(
            civilite="X",
            nom_naissance="Dupont3",
            date_naissance="2999-01-01",
            pays_naissance="FR",
            commune_naissance=None,
            nationalite="France",
            adresse={"ligne1": "", "code_postal": "7500", "commune": "Paris", "pays": "FR"},
            telephone="call me",
        ),
    )
    response = await service.client.post("/api/v1/accounts", json=body)
    assert fields(await problem(response, 422, "validation-error")) == {
        "email",
        "password",
        "identite.civilite",
        "identite.nom_naissance",
        "identite.date_naissance",
        "identite.commune_naissance",
        "identite.nationalite",
        "identite.adresse.ligne1",
        "identite.adresse.code_postal",
        "identite.telephone",
    }
    assert await service.pool.fetchval("SELECT count(*) FROM accounts") == 0


async def test_required_fields_and_unknown_fields_are_named(service: Service) -> None:
    ident = identite_json()
    del ident["prenoms"]
    body = {"email": random_email(), "password": PASSWORD, "identite": ident, "role": "admin"}
    response = await service.client.post("/api/v1/accounts", json=body)
    assert fields(await problem(response, 422)) == {"identite.prenoms", "role"}


async def test_wrong_types_are_refused(service: Service) -> None:
    body = new_account(identite=identite_json(date_naissance=["2001-01-01"], prenoms=12))
    response = await service.client.post("/api/v1/accounts", json=body)
    assert fields(await problem(response, 422)) == {
        "identite.date_naissance",
        "identite.prenoms",
    }


async def test_a_born_in_france_departement_stands_for_the_commune(service: Service) -> None:
    body = new_account(identite=identite_json(commune_naissance=None, departement_naissance="2A"))
    response = await service.client.post("/api/v1/accounts", json=body)
    assert response.status == 202


async def test_born_abroad_needs_no_commune_and_a_foreign_postal_code_is_accepted(
    service: Service,
) -> None:
    adresse = {
        "ligne1": "Rua Augusta 10",
        "code_postal": "1100-053",
        "commune": "Lisboa",
        "pays": "PT",
    }
    body = new_account(
        identite=identite_json(pays_naissance="PT", commune_naissance=None, adresse=adresse)
    )
    assert (await service.client.post("/api/v1/accounts", json=body)).status == 202


async def test_malformed_oversized_and_non_json_bodies_are_problems(service: Service) -> None:
    client = service.client
    malformed = await client.post(
        "/api/v1/accounts", data=b'{"email":', headers={"Content-Type": "application/json"}
    )
    await problem(malformed, 400, "malformed-json")
    await problem(await client.post("/api/v1/accounts", data=b"email=a"), 415)
    huge = new_account(password="Aa!" + "x" * 2_000_000)
    await problem(await client.post("/api/v1/accounts", json=huge), 413)
    assert await service.pool.fetchval("SELECT count(*) FROM accounts") == 0


async def test_a_password_of_7_characters_is_refused_and_one_of_8_accepted(
    service: Service,
) -> None:
    refused = await service.client.post("/api/v1/accounts", json=new_account(password="Ab!defg"))
    assert fields(await problem(refused, 422, "validation-error")) == {"password"}
    assert await service.pool.fetchval("SELECT count(*) FROM accounts") == 0
    accepted = await service.client.post("/api/v1/accounts", json=new_account(password="Ab!defgh"))
    assert accepted.status == 202


async def test_a_long_password_is_refused_before_any_hashing(service: Service) -> None:
    before = service.deps.hasher.work_done
    body = new_account(password="Aa!" + "x" * 50_000)
    response = await service.client.post("/api/v1/accounts", json=body)
    assert fields(await problem(response, 422)) == {"password"}
    assert service.deps.hasher.work_done == before


async def test_injection_attempts_are_refused_or_stored_as_plain_text(service: Service) -> None:
    injected = new_account(
        identite=identite_json(
            nom_naissance="Robert'); DROP TABLE accounts;--",
            adresse={
                "ligne1": "1 rue X\r\nBcc: victim@example.org",
                "code_postal": "75002",
                "commune": "Paris",
                "pays": "FR",
            },
        )
    )
    response = await service.client.post("/api/v1/accounts", json=injected)
    assert fields(await problem(response, 422)) == {
        "identite.nom_naissance",
        "identite.adresse.ligne1",
    }
    header_email = new_account("a@example.org\r\nBcc: victim@example.org")
    await problem(await service.client.post("/api/v1/accounts", json=header_email), 422)

    quoted = new_account(
        identite=identite_json(
            adresse={
                "ligne1": "1 rue de l'Église'; DELETE FROM accounts; --",
                "code_postal": "75002",
                "commune": "Paris",
                "pays": "FR",
            }
        )
    )
    assert (await service.client.post("/api/v1/accounts", json=quoted)).status == 202
    stored = await service.pool.fetchval("SELECT identite->'adresse'->>'ligne1' FROM accounts")
    assert stored == "1 rue de l'Église'; DELETE FROM accounts; --"


async def test_names_keep_their_accents_apostrophes_and_hyphens(service: Service) -> None:
    body = new_account(
        identite=identite_json(
            nom_naissance="Lefèvre-d'Aubigné", nom_usage="N’Diaye", prenoms="Zoë Éloïse"
        )
    )
    assert (await service.client.post("/api/v1/accounts", json=body)).status == 202
    registered = (await events(service.pool, AccountRegistered))[-1]
    assert registered.identite.nom_naissance == "Lefèvre-d'Aubigné"
    assert registered.identite.nom_usage == "N’Diaye"
    assert registered.identite.prenoms == "Zoë Éloïse"


async def test_account_exists_emails_to_one_address_are_bounded(service: Service) -> None:
    email = await register(service)
    for _ in range(MAIL_RULE.per_window + 2):
        await register(service, email)

    repeated = await events(service.pool, AccountRegistrationRepeated)
    assert len(repeated) == MAIL_RULE.per_window
