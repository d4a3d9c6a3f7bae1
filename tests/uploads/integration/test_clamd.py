"""The clamd client against a real clamd (Debian's, with the tests' EICAR signatures), over its
unix socket and over TCP: clean, infected, a file streamed in many chunks, clamd gone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.testing.clamd import running_clamd
from shared.testing.infrastructure import free_port
from tests.uploads import samples
from uploads.adapters.clamd import Clamd
from uploads.domain.errors import ScannerUnavailable


@pytest.fixture(scope="module")
def tcp_clamd() -> Iterator[str]:
    with running_clamd(tcp_port=free_port()) as address:
        yield address


@pytest.fixture(params=["unix", "tcp"])
def scanner(request: pytest.FixtureRequest, clamd_address: str) -> Clamd:
    if request.param == "tcp":
        return Clamd(request.getfixturevalue("tcp_clamd"))
    return Clamd(clamd_address)


async def test_a_clean_file_passes_and_eicar_is_found(scanner: Clamd, tmp_path: Path) -> None:
    clean = tmp_path / "clean.pdf"
    clean.write_bytes(samples.pdf(padding=2_000_000))  # several chunks
    infected = tmp_path / "eicar.com"
    infected.write_bytes(samples.EICAR)

    assert await scanner.ping()
    assert (await scanner.scan_file(clean)).clean
    verdict = await scanner.scan_file(infected)
    assert not verdict.clean
    assert verdict.signature is not None
    assert verdict.signature.startswith("Eicar-Test-Signature")


async def test_an_unreachable_clamd_is_not_a_verdict(tmp_path: Path) -> None:
    path = tmp_path / "f.pdf"
    path.write_bytes(samples.pdf())
    for address in ("/nonexistent/clamd.sock", f"127.0.0.1:{free_port()}"):
        scanner = Clamd(address, timeout_s=2)
        assert not await scanner.ping()
        with pytest.raises(ScannerUnavailable):
            await scanner.scan_file(path)
