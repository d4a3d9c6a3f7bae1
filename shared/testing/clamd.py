"""A clamd of our own for tests, benchmarks and the local runner: Debian's `clamav-daemon`
started on a config file in a temporary folder, with a tiny signature database written on the
spot (the EICAR test file's signatures), since no signature can be downloaded here: `freshclam`
is never needed. `TEST_CLAMD_ADDRESS` names a running clamd to use instead."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CLAMD = "/usr/sbin/clamd"
START_TIMEOUT_S = 60.0
# The EICAR test file: its MD5 and size (.hdb: the whole file), and its body as hex (.ndb: the
# string anywhere in a file, so a PDF carrying it is found too). Hex, so that no scanner
# quarantines this source file.
EICAR_HDB = "44d88612fea8a8f36de82e1278abb02f:68:Eicar-Test-Signature\n"
EICAR_BODY_HEX = (
    "58354f2150254041505b345c505a58353428505e2937434329377d2445494341522d5354414e44415244"
    "2d414e544956495255532d544553542d46494c452124482b482a"
)
EICAR_NDB = f"Eicar-Test-Signature-Body:0:*:{EICAR_BODY_HEX}\n"


class ClamdUnavailable(RuntimeError):
    pass


def clamd_installed() -> bool:
    return Path(CLAMD).exists() or shutil.which("clamd") is not None


def write_signatures(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "eicar.hdb").write_text(EICAR_HDB)
    (directory / "eicar.ndb").write_text(EICAR_NDB)


def write_config(
    folder: Path, socket_path: Path, tcp_port: int | None = None, stream_max_mb: int = 200
) -> Path:
    """A config for a clamd in the foreground on a unix socket (or a TCP port on 127.0.0.1),
    its files in `folder`."""
    write_signatures(folder / "db")
    config = folder / "clamd.conf"
    listen = (
        f"TCPSocket {tcp_port}\nTCPAddr 127.0.0.1\n" if tcp_port else f"LocalSocket {socket_path}\n"
    )
    config.write_text(
        listen + f"DatabaseDirectory {folder / 'db'}\n"
        f"LogFile {folder / 'clamd.log'}\n"
        "Foreground yes\n"
        f"StreamMaxLength {stream_max_mb}M\n"
        "MaxThreads 16\n"
    )
    return config


def _answers(address: str) -> bool:
    try:
        unix = address.startswith("/")
        with socket.socket(socket.AF_UNIX if unix else socket.AF_INET) as sock:
            sock.settimeout(1)
            host, _, port = address.rpartition(":")
            sock.connect(address if unix else (host, int(port)))
            sock.sendall(b"zPING\0")
            return sock.recv(16).startswith(b"PONG")
    except OSError:
        return False


@contextmanager
def running_clamd(folder: Path | None = None, tcp_port: int | None = None) -> Iterator[str]:
    """A clamd for the duration of the block; yields its address (the socket's path, or
    `127.0.0.1:<tcp_port>`)."""
    if tcp_port is None and (address := os.environ.get("TEST_CLAMD_ADDRESS")):
        yield address
        return
    if not clamd_installed():
        raise ClamdUnavailable("clamd is not installed (apt-get install clamav-daemon)")
    # The socket in a short temporary path: a unix socket's path holds at most 107 bytes.
    with tempfile.TemporaryDirectory(prefix="clamd-") as temporary:
        where = folder or Path(temporary)
        socket_path = Path(temporary) / "clamd.sock"
        config = write_config(where, socket_path, tcp_port)
        binary = CLAMD if Path(CLAMD).exists() else str(shutil.which("clamd"))
        process = subprocess.Popen(
            [binary, "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        address = f"127.0.0.1:{tcp_port}" if tcp_port else str(socket_path)
        try:
            _wait(process, address, where / "clamd.log")
            yield address
        finally:
            process.terminate()
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait(process: subprocess.Popen[bytes], address: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ClamdUnavailable(f"clamd exited ({process.returncode}); see {log}")
        if _answers(address):
            return
        time.sleep(0.1)
    process.kill()
    raise ClamdUnavailable(f"clamd did not answer within {START_TIMEOUT_S:.0f} s; see {log}")
