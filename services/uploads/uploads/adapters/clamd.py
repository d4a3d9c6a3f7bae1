"""An asyncio client of clamd (ClamAV's daemon), over its unix socket or TCP.

Written here rather than taken from PyPI: the protocol is a few lines (`zINSTREAM\\0`, then
chunks each prefixed by its 4-byte big-endian length, a zero length to end, a reply ending in
NUL), and the asyncio clients there are small, seldom released, and read whole files into
memory or block the loop. This one streams a spooled file chunk by chunk, and tells an
unreachable scanner (`ScannerUnavailable`, the caller answers 503) from an infected file.
"""

from __future__ import annotations

import asyncio
import struct
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from shared.outages import Outage
from uploads.domain.errors import ScannerUnavailable

SCANNER = Outage("clamd")
CHUNK = 256 * 1024
# Readiness must answer fast, whatever clamd does.
PING_TIMEOUT_S = 2.0


@dataclass(frozen=True)
class Verdict:
    clean: bool
    signature: str | None = None


class Clamd:
    def __init__(self, address: str, timeout_s: float = 60.0) -> None:
        """`address`: a unix socket's path, or `host:port`."""
        self.address = address
        self.timeout_s = timeout_s

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self.address.startswith("/"):
            return await asyncio.open_unix_connection(self.address)
        host, _, port = self.address.rpartition(":")
        return await asyncio.open_connection(host or "127.0.0.1", int(port))

    async def ping(self) -> bool:
        try:
            async with asyncio.timeout(PING_TIMEOUT_S):
                reply = await self._command(b"zPING\0")
        except (OSError, TimeoutError, ValueError) as exc:
            SCANNER.failed(exc)
            return False
        SCANNER.answered()
        return reply == "PONG"

    async def _command(self, command: bytes) -> str:
        reader, writer = await self._connect()
        try:
            writer.write(command)
            await writer.drain()
            return await _reply(reader)
        finally:
            writer.close()

    async def scan_file(self, path: Path) -> Verdict:
        return await self.scan(_file_chunks(path))

    async def scan(self, chunks: AsyncIterator[bytes]) -> Verdict:
        """INSTREAM: the bytes as they come, then clamd's verdict."""
        try:
            async with asyncio.timeout(self.timeout_s):
                reply = await self._instream(chunks)
        except (OSError, TimeoutError, ValueError) as exc:
            SCANNER.failed(exc)
            raise ScannerUnavailable(f"clamd cannot be reached: {exc!r}"[:300]) from None
        SCANNER.answered()
        return _verdict(reply)

    async def _instream(self, chunks: AsyncIterator[bytes]) -> str:
        reader, writer = await self._connect()
        try:
            writer.write(b"zINSTREAM\0")
            try:
                async for chunk in chunks:
                    writer.write(struct.pack(">I", len(chunk)) + chunk)
                    await writer.drain()
                writer.write(struct.pack(">I", 0))
                await writer.drain()
            except (BrokenPipeError, ConnectionResetError):
                pass  # clamd stops reading past its StreamMaxLength: its reply says so
            return await _reply(reader)
        finally:
            writer.close()


async def _reply(reader: asyncio.StreamReader) -> str:
    try:
        raw = await reader.readuntil(b"\0")
    except asyncio.IncompleteReadError as exc:
        raise ConnectionResetError("clamd closed the connection without a reply") from exc
    return raw.rstrip(b"\0").decode("utf-8", "replace").strip()


def _verdict(reply: str) -> Verdict:
    """`stream: OK`, `stream: <signature> FOUND`, or `<reason> ERROR`."""
    if reply.endswith("FOUND"):
        return Verdict(False, reply.removeprefix("stream:").removesuffix("FOUND").strip())
    if reply.endswith("OK"):
        return Verdict(True)
    SCANNER.failed(reply)
    raise ScannerUnavailable(f"clamd could not scan the file: {reply[:200]}")


async def _file_chunks(path: Path) -> AsyncIterator[bytes]:
    with path.open("rb") as file:
        while chunk := file.read(CHUNK):
            yield chunk
