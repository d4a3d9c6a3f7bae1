"""Argon2id hashing, off the event loop and bounded in how many run at once."""

from __future__ import annotations

import asyncio
import secrets

import argon2


class PasswordHasher:
    """`work_done` counts the hashes computed, so tests can check that an unknown email costs
    the same work as a known one."""

    def __init__(
        self, *, memory_kib: int, time_cost: int, parallelism: int, concurrency: int
    ) -> None:
        self._argon2 = argon2.PasswordHasher(
            time_cost=time_cost,
            memory_cost=memory_kib,
            parallelism=parallelism,
            type=argon2.Type.ID,
        )
        self._slots = asyncio.Semaphore(concurrency)
        # Verified when there is no account, so that the answer takes as long as a real check.
        self._dummy = self._argon2.hash(secrets.token_urlsafe(16))
        self.work_done = 0

    async def hash(self, password: str) -> str:
        async with self._slots:
            self.work_done += 1
            return await asyncio.to_thread(self._argon2.hash, password)

    async def verify(self, stored: str | None, password: str) -> bool:
        """Whether `password` matches `stored`; with no stored hash, a dummy one is checked and
        the answer is no."""
        async with self._slots:
            self.work_done += 1
            matches = await asyncio.to_thread(self._matches, stored or self._dummy, password)
        return matches and stored is not None

    def _matches(self, stored: str, password: str) -> bool:
        try:
            return self._argon2.verify(stored, password)
        except (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError):
            return False

    def needs_rehash(self, stored: str) -> bool:
        return self._argon2.check_needs_rehash(stored)
