"""No email for a pièce's status (domain.md §5.4, guide chapter 10: "Je ne reçois pas de mail
automatique"): PieceStatusChanged and PiecesFournies reach the exchange, nothing is sent."""

from __future__ import annotations

from notifications.deps import DEPS
from shared.events.catalogue import PiecesFournies, PieceStatusChanged
from shared.testing.factories import (
    candidature_modified,
    candidature_ref,
    piece_status_changed,
    pieces_fournies,
)
from shared.testing.service import ServiceUnderTest
from shared.testing.smtp import SmtpSink
from tests.notifications.integration.conftest import mail_to


async def test_a_piece_status_change_sends_no_email(
    service: ServiceUnderTest, smtp: SmtpSink
) -> None:
    # In production registration listens to PiecesFournies: a queue of the test's own makes
    # these events routable, as they are there.
    channel = service.broker.channel
    probe = await channel.declare_queue(exclusive=True, auto_delete=True)
    await probe.bind(service.broker.events_exchange, routing_key="uploads.#")
    ref = candidature_ref()
    for status in ("recue", "non_conforme", "conforme"):
        await service.publish(
            piece_status_changed(candidature_id=ref.candidature_id, status=status),
            producer="uploads",
        )
    await service.publish(
        pieces_fournies(candidature_id=ref.candidature_id, account_id=ref.account_id),
        producer="uploads",
    )
    # A positive signal after them: the modification's email, the only one for this address.
    await service.publish(candidature_modified(candidature=ref), producer="registration")

    [message] = await mail_to(smtp, ref.email)
    assert message["Subject"].startswith("Modification d'inscription")
    assert len(smtp.to(ref.email)) == 1
    composers = service.app[DEPS].mailbook.composers()
    assert PieceStatusChanged not in composers
    assert PiecesFournies not in composers
