"""One email per cause, permanent refusals kept for an administrateur, and what they see."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import NoReturn

import asyncpg
import pytest

from notifications.adapters.messages_sql import purge_bodies
from notifications.deps import DEPS
from notifications.handlers.events import Received, record_emails
from notifications.settings import Settings
from shared.auth import Role
from shared.events import Envelope
from shared.metrics import EVENTS_HANDLED
from shared.testing.factories import (
    account_email_change_requested,
    account_erased,
    account_registered,
    account_registration_repeated,
    candidature_created,
    candidature_ref,
    identite,
    random_email,
)
from shared.testing.helpers import publish_envelope, wait_until
from shared.testing.service import ServiceUnderTest, Start
from shared.testing.smtp import SmtpSink
from shared.testing.tokens import TestKeys
from tests.notifications.integration.conftest import (
    admin_headers,
    mail_to,
    recorded_as_sent,
)


def duplicates_seen(settings: Settings) -> float:
    value: float = EVENTS_HANDLED.labels(settings.queue("emails"), "duplicate")._value.get()
    return value


async def nothing_pending(pool: asyncpg.Pool) -> bool:
    return not await pool.fetchval(
        "SELECT count(*) FROM outgoing_messages WHERE status = 'pending'"
    )


async def test_an_event_delivered_twice_sends_one_email(
    service: ServiceUnderTest, smtp: SmtpSink, settings: Settings
) -> None:
    email = random_email()
    envelope = Envelope.wrap(account_registration_repeated(email=email), producer="accounts")
    before = duplicates_seen(settings)

    await publish_envelope(service.broker, envelope)
    await publish_envelope(service.broker, envelope)

    async def duplicate_absorbed() -> bool:
        return duplicates_seen(settings) > before

    assert await wait_until(duplicate_absorbed)
    await mail_to(smtp, email)
    assert await wait_until(lambda: nothing_pending(service.pool))
    assert len(smtp.to(email)) == 1
    assert await service.pool.fetchval("SELECT count(*) FROM outgoing_messages") == 1


async def _failed(service: ServiceUnderTest, email: str) -> bool:
    status = await service.pool.fetchval(
        "SELECT status FROM outgoing_messages WHERE recipient = $1", email
    )
    return bool(status == "failed")


async def test_a_permanent_refusal_fails_the_message_and_an_administrateur_resends_it(
    service: ServiceUnderTest, smtp: SmtpSink, test_keys: TestKeys
) -> None:
    email = random_email()
    smtp.refused.add(email)
    envelope = await service.publish(account_registration_repeated(email=email))
    assert await wait_until(lambda: _failed(service, email))
    headers = admin_headers(test_keys)

    found = await service.client.get("/api/v1/admin/messages", params={"recipient": email.upper()})
    assert found.status == 401
    found = await service.client.get(
        "/api/v1/admin/messages", params={"recipient": email.upper()}, headers=headers
    )
    [message] = await found.json()
    assert (message["status"], message["attempts"]) == ("failed", 1)
    assert message["last_error"].startswith("550")
    assert message["event_id"] == str(envelope.event_id)

    smtp.refused.clear()
    resent = await service.client.post(
        f"/api/v1/admin/messages/{message['id']}/resend", headers=headers
    )
    assert resent.status == 202
    assert (await resent.json())["status"] == "pending"
    [delivered] = await mail_to(smtp, email)
    assert await recorded_as_sent(service.pool, email)

    detail = await service.client.get(f"/api/v1/admin/messages/{message['id']}", headers=headers)
    body = await detail.json()
    assert body["message"]["status"] == "sent"
    assert body["message"]["attempts"] == 2
    assert [entry["outcome"] for entry in body["log"]] == ["refused", "resend", "delivered"]
    assert body["log"][0]["smtp_code"] == 550
    assert delivered["Subject"] == "[CYCLADES] Un compte existe déjà pour cette adresse"


async def test_the_delivery_log_is_searched_by_event(
    service: ServiceUnderTest, smtp: SmtpSink, test_keys: TestKeys
) -> None:
    email = random_email()
    envelope = await service.publish(account_registration_repeated(email=email))
    query = {"event_id": str(envelope.event_id), "status": "sent"}

    async def found_sent() -> bool:
        found = await service.client.get(
            "/api/v1/admin/messages", params=query, headers=admin_headers(test_keys)
        )
        return [message["recipient"] for message in await found.json()] == [email]

    assert await wait_until(found_sent)


async def test_admin_endpoints_are_for_administrateurs_only(
    service: ServiceUnderTest, test_keys: TestKeys
) -> None:
    for role in (Role.CANDIDAT, Role.GESTIONNAIRE):
        headers = admin_headers(test_keys, role)
        listing = await service.client.get("/api/v1/admin/messages", headers=headers)
        resend = await service.client.post("/api/v1/admin/messages/1/resend", headers=headers)
        assert (listing.status, resend.status) == (403, 403)


async def test_resending_a_message_that_waits_is_a_conflict_and_an_unknown_one_not_found(
    service: ServiceUnderTest, smtp: SmtpSink, test_keys: TestKeys
) -> None:
    smtp.stop()
    email = random_email()
    await service.publish(account_registration_repeated(email=email))

    async def recorded() -> bool:
        return bool(await service.pool.fetchval("SELECT count(*) FROM outgoing_messages"))

    assert await wait_until(recorded)
    message = await service.pool.fetchval("SELECT id FROM outgoing_messages")
    headers = admin_headers(test_keys)

    waiting = await service.client.post(f"/api/v1/admin/messages/{message}/resend", headers=headers)
    unknown = await service.client.post("/api/v1/admin/messages/999999/resend", headers=headers)

    assert waiting.status == 409
    assert unknown.status == 404


async def test_a_name_with_a_line_break_never_reaches_a_header(
    service: ServiceUnderTest, smtp: SmtpSink
) -> None:
    email = random_email()
    await service.publish(
        account_registered(
            email=email, identite=identite(nom_naissance="Martin\r\nBcc: victim@example.org")
        )
    )

    [message] = await mail_to(smtp, email)

    assert str(message["To"]) == email
    assert message["Bcc"] is None
    assert [rcpts for rcpts, _ in smtp.received] == [[email]]


async def test_two_replicas_share_the_work_and_send_each_email_once(
    start: Start, smtp: SmtpSink
) -> None:
    replicas = [await start() for _ in range(2)]
    addresses = [random_email() for _ in range(60)]

    for address in addresses:
        await replicas[0].publish(account_registration_repeated(email=address))

    await smtp.wait_for(len(addresses), timeout=30)
    assert await wait_until(lambda: nothing_pending(replicas[0].pool))
    assert sorted(r for rcpts, _ in smtp.received for r in rcpts) == sorted(addresses)


async def test_an_erased_account_leaves_no_email_behind(
    service: ServiceUnderTest, smtp: SmtpSink
) -> None:
    account_id, other = uuid.uuid4(), random_email()
    for email, account in [(random_email(), account_id), (other, uuid.uuid4())]:
        await service.publish(account_registration_repeated(account_id=account, email=email))
    await smtp.wait_for(2)

    await service.publish(account_erased(account_id=account_id, reason="non activé"))

    async def only_the_other_left() -> bool:
        rows = await service.pool.fetch("SELECT recipient FROM outgoing_messages")
        return [row["recipient"] for row in rows] == [other]

    assert await wait_until(only_the_other_left)


async def test_readiness_covers_the_sender_and_the_api_is_documented(
    service: ServiceUnderTest,
) -> None:
    ready = await service.client.get("/health/ready")
    document = await service.client.get("/openapi.json")

    assert ready.status == 200
    assert (await ready.json())["checks"]["email_sender"] is True
    paths = (await document.json())["paths"]
    assert {"/api/v1/admin/messages", "/api/v1/admin/messages/{id}/resend"} <= set(paths)


async def test_bodies_of_sent_emails_are_cleared_after_the_retention_and_cannot_be_resent(
    service: ServiceUnderTest, smtp: SmtpSink, test_keys: TestKeys
) -> None:
    email = random_email()
    await service.publish(account_registration_repeated(email=email))
    assert await recorded_as_sent(service.pool, email)
    pool = service.pool
    await pool.execute(
        "UPDATE outgoing_messages SET sent_at = now() - interval '31 days' WHERE recipient = $1",
        email,
    )

    async with pool.acquire() as conn:
        await purge_bodies(conn, retention_days=30)

    row = await pool.fetchrow(
        "SELECT id, body_text, body_html, subject FROM outgoing_messages WHERE recipient = $1",
        email,
    )
    assert (row["body_text"], row["body_html"]) == ("", "")
    assert row["subject"] == "[CYCLADES] Un compte existe déjà pour cette adresse"
    resend = await service.client.post(
        f"/api/v1/admin/messages/{row['id']}/resend", headers=admin_headers(test_keys)
    )
    assert resend.status == 409
    assert (await resend.json())["type"].endswith("message-purged")


async def handled(service: ServiceUnderTest, envelope: Envelope) -> bool:
    async def in_inbox() -> bool:
        return bool(
            await service.pool.fetchval(
                "SELECT EXISTS (SELECT FROM inbox WHERE event_id = $1)", envelope.event_id
            )
        )

    return await wait_until(in_inbox)


async def test_an_event_arriving_after_the_erasure_of_its_account_stores_and_sends_nothing(
    service: ServiceUnderTest, smtp: SmtpSink
) -> None:
    account_id, address, marker = uuid.uuid4(), random_email(), random_email()
    erased = await service.publish(account_erased(account_id=account_id))
    assert await handled(service, erased)

    late = await service.publish(
        account_registered(account_id=account_id, email=address), producer="accounts"
    )
    assert await handled(service, late)
    await service.publish(account_registration_repeated(email=marker))
    await mail_to(smtp, marker)

    assert smtp.to(address) == []
    assert not await service.pool.fetchval(
        "SELECT count(*) FROM outgoing_messages WHERE account_id = $1 OR recipient = $2",
        account_id,
        address,
    )


@pytest.fixture
def ascii_only() -> Iterator[SmtpSink]:
    sink = SmtpSink(smtputf8=False)
    sink.start()
    yield sink
    sink.stop()


async def test_an_address_the_server_cannot_take_fails_and_the_others_go(
    start: Start, ascii_only: SmtpSink
) -> None:
    """A non-ASCII domain needs SMTPUTF8, which this server does not offer: aiosmtplib raises
    SMTPNotSupported before any command. The message fails at once (it used to be retried
    forever as a lost connection); the next one goes on the same connection."""
    service = await start(smtp_port=ascii_only.port)
    unicode, other = f"jose.{uuid.uuid4().hex[:8]}@exämple.org", random_email()
    for address in (unicode, other):
        await service.publish(account_registration_repeated(email=address))

    async def failed() -> bool:
        status = await service.pool.fetchval(
            "SELECT status FROM outgoing_messages WHERE recipient = $1", unicode
        )
        return bool(status == "failed")

    assert await wait_until(failed)
    assert await recorded_as_sent(service.pool, other)
    row = await service.pool.fetchrow(
        "SELECT attempts, last_error FROM outgoing_messages WHERE recipient = $1", unicode
    )
    assert row["attempts"] == 1
    assert "SMTPUTF8" in row["last_error"]
    assert ascii_only.recipients == [other]


async def test_a_dead_lettered_event_replayed_by_an_administrateur_sends_its_email(
    service: ServiceUnderTest,
    smtp: SmtpSink,
    test_keys: TestKeys,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A replay is written to the outbox: the service must run a relay to publish it."""
    email = random_email()

    def broken(*args: object) -> NoReturn:
        raise RuntimeError("rendering is broken")

    monkeypatch.setattr(service.app[DEPS].renderer, "render", broken)
    await service.publish(account_registration_repeated(email=email))

    async def dead_letter() -> int | None:
        found: int | None = await service.pool.fetchval(
            "SELECT id FROM dead_letters WHERE replayed_at IS NULL"
        )
        return found

    async def dead_lettered() -> bool:
        return await dead_letter() is not None

    assert await wait_until(dead_lettered)
    dead_letter_id = await dead_letter()
    monkeypatch.undo()

    replay = await service.client.post(
        f"/api/v1/admin/dead-letters/{dead_letter_id}/replay", headers=admin_headers(test_keys)
    )

    assert replay.status == 202, await replay.text()
    await mail_to(smtp, email)
    assert smtp.to(email)
    assert await recorded_as_sent(service.pool, email)


async def test_an_event_recorded_twice_past_the_inbox_stores_its_emails_once(
    service: ServiceUnderTest,
) -> None:
    """The inbox drops a redelivery before the handler runs; this goes around it, so only
    `UNIQUE (event_id, template, recipient)` and its ON CONFLICT stand in the way."""
    payload = account_email_change_requested()
    event = Received(Envelope.wrap(payload, producer="accounts"), payload)
    recorded = []

    for _ in range(2):
        async with service.pool.acquire() as conn, conn.transaction():
            recorded.append(await record_emails(conn, event, service.app[DEPS]))

    assert recorded == [2, 0]
    rows = await service.pool.fetch(
        "SELECT template FROM outgoing_messages WHERE event_id = $1 ORDER BY template",
        event.envelope.event_id,
    )
    assert [row["template"] for row in rows] == [
        "changement_adresse_demande",
        "confirmation_nouvelle_adresse",
    ]


async def test_a_candidature_created_delivered_twice_sends_one_email(
    service: ServiceUnderTest, smtp: SmtpSink, settings: Settings
) -> None:
    ref = candidature_ref(email=random_email())
    envelope = Envelope.wrap(candidature_created(candidature=ref), producer="registration")
    before = duplicates_seen(settings)

    await publish_envelope(service.broker, envelope)
    await publish_envelope(service.broker, envelope)

    async def duplicate_absorbed() -> bool:
        return duplicates_seen(settings) > before

    assert await wait_until(duplicate_absorbed)
    await mail_to(smtp, ref.email)
    assert await wait_until(lambda: nothing_pending(service.pool))
    assert len(smtp.to(ref.email)) == 1
    assert await service.pool.fetchval("SELECT count(*) FROM outgoing_messages") == 1
