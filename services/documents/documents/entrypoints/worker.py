"""The render worker: claims due render jobs (woken by LISTEN/NOTIFY when one is recorded,
polling as a fallback and for retries coming due) and publishes them. Rendering runs in a
process pool (`render_processes` workers; 0: a thread), so the event loop keeps serving
downloads and the API while a batch renders. The generation worker (gestionnaires' templates
and batches, `handlers/gestion_publishing.py`) is a second loop of the same kind with a pool of
its own."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
from collections.abc import AsyncIterator, Callable
from concurrent.futures import BrokenExecutor, Executor, ProcessPoolExecutor, ThreadPoolExecutor
from datetime import datetime
from typing import Any, Protocol, TypeVar

from aiohttp import web

from documents.adapters import gestion_sql
from documents.adapters.jobs_sql import NOTIFY_CHANNEL
from documents.deps import CONFIG, DEPS
from documents.domain.confirmation import render_payload
from documents.domain.stamp import Stamp
from documents.domain.templates import render_generation
from documents.handlers.gestion_publishing import Generator
from documents.handlers.publishing import Policy, Publisher, Render
from shared.db import DATABASE_UNREACHABLE, NotifyListener
from shared.http.keys import BACKGROUND, POOL
from shared.outages import DATABASE
from shared.storage import STORE

log = logging.getLogger(__name__)
T = TypeVar("T")

TASK_NAME = "render_worker"
GENERATION_TASK_NAME = "generation_worker"
STOP_GRACE_S = 10.0
ERROR_PAUSE_S = 1.0


def executor(processes: int) -> Executor:
    """A process pool (spawned: the parent's threads and sockets are not forked into it)."""
    if processes == 0:
        return ThreadPoolExecutor(max_workers=1, thread_name_prefix="render")
    context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(max_workers=processes, mp_context=context)


class RenderPool:
    """The executor rendering runs in; a pool whose worker died (killed, out of memory) is
    replaced, and the job that saw it is deferred like any failed render."""

    def __init__(self, processes: int) -> None:
        self.processes = processes
        self.executor = executor(processes)

    async def render(
        self, event_type: str, payload: dict[str, Any], stamp: Stamp | None = None
    ) -> bytes:
        return await self.call(render_payload, event_type, payload, stamp)

    async def call(self, function: Callable[..., T], *args: Any) -> T:
        """`function(*args)` in the pool (picklable: a module-level function and data)."""
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self.executor, function, *args)
        except BrokenExecutor:
            log.warning("render pool broken: replaced")
            broken, self.executor = self.executor, executor(self.processes)
            broken.shutdown(wait=False, cancel_futures=True)
            raise

    def shutdown(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)


def rendering(pool: Executor) -> Render:
    """Rendering in a given executor (tests drive the publisher with a thread)."""

    async def render(event_type: str, payload: dict[str, Any], stamp: Stamp | None = None) -> bytes:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(pool, render_payload, event_type, payload, stamp)

    return render


class Publishing(Protocol):
    """What a loop runs each round (the render publisher, the gestionnaires' generator)."""

    async def publish_due(self) -> int: ...

    async def remove_queued_objects(self) -> int: ...


class RenderLoop:
    def __init__(
        self,
        publisher: Publishing,
        *,
        listen_dsn: str,
        poll_interval_s: float,
        channel: str = NOTIFY_CHANNEL,
    ) -> None:
        self.publisher = publisher
        self.poll_interval_s = poll_interval_s
        self._wake = asyncio.Event()
        self._stop = asyncio.Event()
        self._listener = NotifyListener(listen_dsn, channel, self._wake_up)

    async def run(self) -> None:
        try:
            while not self._stop.is_set():
                await self._listener.ensure()
                self._wake.clear()
                try:
                    claimed = await self.publisher.publish_due()
                    claimed += await self.publisher.remove_queued_objects()
                except DATABASE_UNREACHABLE as exc:  # reported once per outage
                    DATABASE.failed(exc)
                    await self._pause(ERROR_PAUSE_S)
                    continue
                except Exception:  # the worker must outlive any one failure
                    log.exception("render worker failed")
                    await self._pause(ERROR_PAUSE_S)
                    continue
                if not claimed:
                    await self._pause(self.poll_interval_s, wake=True)
        finally:
            self._listener.close()

    async def _pause(self, seconds: float, *, wake: bool = False) -> None:
        waits = [asyncio.ensure_future(self._stop.wait())]
        if wake:
            waits.append(asyncio.ensure_future(self._wake.wait()))
        await asyncio.wait(waits, timeout=seconds, return_when="FIRST_COMPLETED")
        for waiting in waits:
            waiting.cancel()
        await asyncio.gather(*waits, return_exceptions=True)

    def stop(self) -> None:
        self._stop.set()

    def _wake_up(self, *_: object) -> None:
        self._wake.set()


async def render_worker(app: web.Application) -> AsyncIterator[None]:
    """The cleanup context: started after the consumers and the object store."""
    settings = app[CONFIG]
    renderers = RenderPool(settings.render_processes)
    publisher = Publisher(
        app[POOL],
        app[STORE],
        app[DEPS],
        renderers.render,
        Policy(
            batch_size=settings.render_batch_size,
            lease_s=settings.render_lease_s,
            retry_initial_s=settings.render_retry_initial_s,
            retry_max_s=settings.render_retry_max_s,
            max_attempts=settings.render_max_attempts,
            concurrency=settings.render_processes + 1,
        ),
    )
    loop = RenderLoop(
        publisher,
        listen_dsn=settings.database_url,
        poll_interval_s=settings.render_poll_interval_s,
    )
    async with _running(app, TASK_NAME, loop, renderers):
        yield


@contextlib.asynccontextmanager
async def _running(
    app: web.Application, name: str, loop: RenderLoop, renderers: RenderPool
) -> AsyncIterator[None]:
    """The loop as a background task (readiness watches it), stopped with a grace period."""
    app[BACKGROUND][name] = task = asyncio.ensure_future(loop.run())
    yield
    app[BACKGROUND].pop(name)
    loop.stop()
    _, still_running = await asyncio.wait({task}, timeout=STOP_GRACE_S)
    for unfinished in still_running:
        unfinished.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await unfinished
    await asyncio.to_thread(renderers.shutdown)


async def generation_worker(app: web.Application) -> AsyncIterator[None]:
    """The gestionnaires' documents (templates, batches): a loop and a process pool of their
    own, so a batch of a thousand convocations never delays a confirmation d'inscription."""
    settings = app[CONFIG]
    renderers = RenderPool(settings.gestion_processes)

    async def render(
        params: dict[str, Any], payload: dict[str, Any], stamp: Stamp, at: datetime
    ) -> bytes:
        return await renderers.call(render_generation, params, payload, stamp, at)

    generator = Generator(
        app[POOL],
        app[STORE],
        app[DEPS],
        render,
        Policy(
            batch_size=settings.gestion_batch_size,
            lease_s=settings.gestion_lease_s,
            retry_initial_s=settings.gestion_retry_initial_s,
            retry_max_s=settings.gestion_retry_max_s,
        ),
        max_render_attempts=settings.gestion_max_render_attempts,
        orphan_after_s=settings.gestion_orphan_after_s,
    )
    loop = RenderLoop(
        generator,
        listen_dsn=settings.database_url,
        poll_interval_s=settings.render_poll_interval_s,
        channel=gestion_sql.NOTIFY_CHANNEL,
    )
    async with _running(app, GENERATION_TASK_NAME, loop, renderers):
        yield
