"""The one place the service's errors become problem+json answers."""

from __future__ import annotations

from notifications.domain.errors import MessageNotFound, MessagePending, MessagePurged
from shared.http.api import ProblemMap
from shared.http.problems import ProblemError, conflict, not_found


def _not_found(error: MessageNotFound) -> ProblemError:
    return not_found(f"Message {error.message_id}")


def _purged(error: MessagePurged) -> ProblemError:
    return conflict("message-purged", str(error))


def _pending(error: MessagePending) -> ProblemError:
    return conflict("message-pending", str(error))


PROBLEMS: ProblemMap = {
    MessageNotFound: _not_found,
    MessagePurged: _purged,
    MessagePending: _pending,
}
