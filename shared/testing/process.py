"""A service run as a real process in a test or a benchmark."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
from pathlib import Path
from typing import Any

import aiohttp

from shared.testing.helpers import wait_until
from shared.testing.infrastructure import free_port


class ServiceProcess:
    """A service as a process of its own (`python -m <service>`), configured by its settings
    as values, so that it can be killed as a crash would."""

    def __init__(self, service: str, values: dict[str, Any], log: Path) -> None:
        self.service = service
        self.port = free_port()
        prefix = service.upper() + "_"
        self.env = {**os.environ, prefix + "HTTP_HOST": "127.0.0.1"}
        for key, value in {**values, "http_port": self.port}.items():
            text = json.dumps(value) if isinstance(value, list | tuple) else str(value)
            self.env[prefix + key.upper()] = text
        self.log = log
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", self.service, env=self.env, stdout=out, stderr=out
            )
        url = f"http://127.0.0.1:{self.port}/health/ready"

        async def ready() -> bool:
            assert self.process is not None
            assert self.process.returncode is None, f"exited; see {self.log}"
            with contextlib.suppress(aiohttp.ClientError):
                async with aiohttp.ClientSession() as session, session.get(url) as response:
                    return response.status == 200
            return False

        assert await wait_until(ready, timeout=60, interval=0.2), f"not ready; see {self.log}"

    async def kill(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            await self.process.wait()

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), 40)
            except TimeoutError:
                await self.kill()
