"""Faults under a flow of emails: for each, how many emails were accepted (events published)
and delivered, how many were delivered twice, and how long after the recovery the last one
arrived. The notifications service runs as a real process with its default settings (except
its ports and names); the SMTP server is an aiosmtpd sink in this process.

    TEST_POSTGRES_DSN=… TEST_AMQP_URL=… TEST_PG_RESTART="pg_ctlcluster … restart" \\
    TEST_RABBITMQCTL="rabbitmqctl -n fault@localhost" python benchmarks/faults.py

It restarts the PostgreSQL and RabbitMQ those variables name: point them at servers of your own.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shlex
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path

import asyncpg

from shared.bus.broker import Broker
from shared.events.catalogue import AccountRegistrationRepeated
from shared.testing.helpers import publish_event, wait_until
from shared.testing.plugin import create_database, drop_database
from shared.testing.process import ServiceProcess
from shared.testing.smtp import SmtpSink
from shared.testing.tokens import TestKeys


async def command(line: str, *arguments: str) -> None:
    process = await asyncio.create_subprocess_exec(
        *shlex.split(line), *arguments, stdout=asyncio.subprocess.DEVNULL
    )
    assert await process.wait() == 0, f"{line} {' '.join(arguments)} failed"


class Run:
    """One fault: a fresh database, queue names and SMTP sink, and the service started."""

    def __init__(self, name: str, count: int, server_dsn: str, amqp: str, logs: Path) -> None:
        self.name = name
        self.count = count
        self.server_dsn = server_dsn
        self.amqp = amqp
        self.tag = uuid.uuid4().hex[:8]
        self.smtp = SmtpSink()
        self.addresses: list[str] = []
        self.logs = logs
        self.dsn = ""
        self.processes: list[ServiceProcess] = []
        self.broker = Broker(amqp, f"faults.{self.tag}")

    def settings(self) -> dict[str, object]:
        keys = TestKeys()
        return {
            "environment": "test",
            "database_url": self.dsn,
            "amqp_url": self.amqp,
            "events_exchange": f"faults.{self.tag}",
            "queue_prefix": f"faults.{self.tag}",
            "jwt_jwks": json.dumps(keys.jwks),
            "smtp_host": self.smtp.host,
            "smtp_port": self.smtp.port,
            "smtp_security": "none",
        }

    async def start_service(self) -> ServiceProcess:
        log = self.logs / f"{self.name.replace(' ', '_')}.{len(self.processes)}.log"
        process = ServiceProcess("notifications", self.settings(), log)
        self.processes.append(process)
        await process.start()
        return process

    async def __aenter__(self) -> Run:
        self.dsn = await create_database(self.server_dsn)
        self.smtp.start()
        await self.start_service()
        await self.broker.connect()
        return self

    async def __aexit__(self, *_: object) -> None:
        for process in self.processes:
            await process.stop()
        await self.broker.close()
        self.smtp.stop()
        await drop_database(self.server_dsn, self.dsn)

    async def publish(self, count: int) -> None:
        for _ in range(count):
            address = f"fault-{uuid.uuid4().hex[:10]}@example.org"
            await publish_event(
                self.broker, AccountRegistrationRepeated(account_id=uuid.uuid4(), email=address)
            )
            self.addresses.append(address)

    def delivered(self) -> int:
        received = set(self.smtp.recipients)
        return sum(1 for address in self.addresses if address in received)

    async def all_recorded(self) -> bool:
        """Every message recorded as sent: none can be sent again (only pending ones are)."""
        try:
            conn = await asyncpg.connect(self.dsn)
        except Exception:
            return False
        try:
            return bool(
                await conn.fetchval(
                    "SELECT count(*) = $1 FROM outgoing_messages WHERE status = 'sent'",
                    self.count,
                )
            )
        except Exception:
            return False
        finally:
            await conn.close()

    async def report(self, recovered_at: float) -> dict[str, object]:
        async def all_delivered() -> bool:
            return self.delivered() == self.count

        await wait_until(all_delivered, timeout=600, interval=0.05)
        last_email_s = time.monotonic() - recovered_at
        await wait_until(self.all_recorded, timeout=600, interval=0.2)
        received = Counter(self.smtp.recipients)
        return {
            "fault": self.name,
            "accepted": self.count,
            "delivered": self.delivered(),
            "duplicates": sum(n - 1 for n in received.values() if n > 1),
            "recovery_to_last_email_s": round(last_email_s, 1),
        }


Fault = Callable[[Run], Awaitable[float]]


async def broker_stopped(run: Run) -> float:
    """Half the events before, half after a 10 s stop of RabbitMQ."""
    ctl = os.environ["TEST_RABBITMQCTL"]
    await run.publish(run.count // 2)
    await command(ctl, "stop_app")
    await asyncio.sleep(10)
    await command(ctl, "start_app")
    recovered = time.monotonic()
    await wait_until(lambda: _connected(run.broker), timeout=60)
    await run.publish(run.count - run.count // 2)
    return recovered


async def _connected(broker: Broker) -> bool:
    return broker.is_connected


async def postgres_restarted(run: Run) -> float:
    await run.publish(run.count)
    await run.smtp.wait_for(run.count // 5, timeout=60)
    await command(os.environ["TEST_PG_RESTART"])
    return time.monotonic()


async def smtp_cut(run: Run) -> float:
    await run.publish(run.count)
    await run.smtp.wait_for(run.count // 5, timeout=60)
    run.smtp.stop()
    await asyncio.sleep(20)
    run.smtp.start()
    return time.monotonic()


async def notifications_killed(run: Run) -> float:
    await run.publish(run.count)
    await run.smtp.wait_for(run.count // 5, timeout=60)
    await run.processes[0].kill()
    restarted = time.monotonic()
    await run.start_service()
    return restarted


FAULTS: dict[str, Fault] = {
    "broker stopped 10 s": broker_stopped,
    "PostgreSQL restart": postgres_restarted,
    "SMTP cut 20 s": smtp_cut,
    "notifications SIGKILL": notifications_killed,
}


async def main(count: int, only: list[str]) -> None:
    server_dsn = os.environ["TEST_POSTGRES_DSN"]
    amqp = os.environ["TEST_AMQP_URL"]
    logs = Path(tempfile.mkdtemp(prefix="faults-"))
    print(f"{count} emails per fault; service logs in {logs}")
    print(f"{'fault':24} {'accepted':>8} {'delivered':>9} {'duplicates':>10} {'last email':>11}")
    for name, fault in FAULTS.items():
        if only and name not in only:
            continue
        async with Run(name, count, server_dsn, amqp, logs) as run:
            recovered = await fault(run)
            figures = await run.report(recovered)
        print(
            f"{name:24} {figures['accepted']:>8} {figures['delivered']:>9} "
            f"{figures['duplicates']:>10} {figures['recovery_to_last_email_s']:>9} s",
            flush=True,
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--emails", type=int, default=300, help="emails per fault")
    parser.add_argument("--only", action="append", default=[], help="a fault's name")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.emails, arguments.only))
