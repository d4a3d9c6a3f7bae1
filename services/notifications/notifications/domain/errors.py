"""What can go wrong in the notifications service, as plain exceptions (no HTTP here):
`entrypoints/problems.py` turns them into answers."""

from __future__ import annotations


class NotificationsError(Exception):
    """Base of the service's own errors."""


class MessageNotFound(NotificationsError):
    def __init__(self, message_id: int) -> None:
        super().__init__(f"Message {message_id}")
        self.message_id = message_id


class MessagePurged(NotificationsError):
    """Its bodies were cleared after the retention: there is nothing to send again."""

    def __init__(self, message_id: int) -> None:
        super().__init__(f"Message {message_id} is past its retention: no body")
        self.message_id = message_id


class MessagePending(NotificationsError):
    """Still waiting to be sent: a re-send would only give it a second Message-ID."""

    def __init__(self, message_id: int) -> None:
        super().__init__(f"Message {message_id} is already waiting to be sent")
        self.message_id = message_id
