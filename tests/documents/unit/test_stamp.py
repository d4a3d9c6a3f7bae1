"""A rendered confirmation carries its verification code (text) and its signed token (QR), and
the token checks offline against the service's JWKS; a forged or garbled one does not."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
)
from pydantic import SecretStr, ValidationError
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from documents.adapters.signing import load_keys, parse_private_key
from documents.domain.confirmation import render_confirmation
from documents.domain.stamp import Stamp, draw_stamp
from documents.domain.verification import (
    BadSignature,
    DocumentKind,
    MalformedToken,
    UnknownKey,
    VerificationError,
    b45decode,
    b45encode,
    content_sha256,
    display_code,
    verify,
)
from documents.handlers.verification import issue_confirmation
from documents.settings import Settings
from shared.testing import factories

KEYS = load_keys(None)


def text_of(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def scanned_tokens(pdf: bytes, tmp_path: Path) -> list[str]:
    """The QR codes of page 1, read by zbarimg from a 200 dpi PNG made by pdftoppm."""
    path = tmp_path / "scanned.pdf"
    path.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "200", "-f", "1", "-l", "1", str(path), str(tmp_path / "p")],
        check=True,
    )
    (png,) = tmp_path.glob("p*.png")
    out = subprocess.run(
        ["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(png)],
        capture_output=True,
        text=True,
    ).stdout
    return [line for line in out.splitlines() if line]


def issued_confirmation() -> tuple[bytes, str, str]:
    created = factories.candidature_created()
    payload = created.model_dump(mode="json")
    issued = issue_confirmation(created, payload, KEYS)
    return render_confirmation(created, issued.stamp), issued.stamp.code, issued.stamp.token


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_a_confirmation_prints_its_verification_code(tmp_path: Path) -> None:
    pdf, code, _ = issued_confirmation()
    assert f"Code : {display_code(code)}" in text_of(pdf, tmp_path)


@pytest.mark.skipif(shutil.which("zbarimg") is None, reason="zbar-tools not installed")
def test_the_qr_code_holds_a_token_that_checks_offline_with_the_jwks(tmp_path: Path) -> None:
    created = factories.candidature_created()
    ref = created.candidature
    payload = created.model_dump(mode="json")
    issued = issue_confirmation(created, payload, KEYS)
    pdf = render_confirmation(created, issued.stamp)

    (token,) = scanned_tokens(pdf, tmp_path)
    assert token == issued.stamp.token
    checked = verify(token, KEYS.jwks)
    assert checked.kind is DocumentKind.CONFIRMATION
    assert (checked.numero_candidat, checked.numero_inscription, checked.version) == (
        ref.numero_candidat,
        ref.numero_inscription,
        1,
    )
    assert checked.initials == "H. L."
    assert checked.sha256 == content_sha256(DocumentKind.CONFIRMATION, payload)
    assert checked.kid == KEYS.kid


def test_a_token_signed_by_another_key_or_altered_fails() -> None:
    _, _, token = issued_confirmation()
    forger = load_keys(SecretStr(base64.b64encode(os.urandom(32)).decode()))
    forged_elsewhere = issue_confirmation(factories.candidature_created(), {}, forger).stamp.token
    with pytest.raises(UnknownKey):
        verify(forged_elsewhere, KEYS.jwks)

    raw = b45decode(token[4:])
    body, signature = raw[:-64], raw[-64:]
    # Another version number in the signed body, the signature kept: refused.
    altered = body.replace(b",1,", b",2,", 1)
    assert altered != body
    with pytest.raises(BadSignature):
        verify("DV1:" + b45encode(altered + signature), KEYS.jwks)
    with pytest.raises(BadSignature):
        verify("DV1:" + b45encode(body + bytes(64)), KEYS.jwks)


@pytest.mark.parametrize(
    "garbled", ["", "DV1:", "DV2:ABC", "DV1:abc", "DV1:" + "0" * 2000, "DV1:%%%%"]
)
def test_a_garbled_token_fails(garbled: str) -> None:
    with pytest.raises(VerificationError):
        verify(garbled, KEYS.jwks)


def test_a_truncated_token_fails() -> None:
    _, _, token = issued_confirmation()
    with pytest.raises((MalformedToken, BadSignature)):
        verify(token[:-3], KEYS.jwks)


def test_the_stamp_draws_on_any_canvas(tmp_path: Path) -> None:
    """What the gestionnaire's templates call: the bottom of the current page."""
    path = tmp_path / "other.pdf"
    canvas = Canvas(str(path), pagesize=A4)
    draw_stamp(canvas, Stamp(code="7K3QD9TXW4", token="DV1:" + "ABC123" * 50))
    canvas.showPage()
    canvas.save()
    if shutil.which("pdftotext"):
        assert "7K3QD-9TXW4" in text_of(path.read_bytes(), tmp_path)


def test_the_signing_key_is_read_from_pem_or_a_base64_seed() -> None:
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode()
    seed = key.private_bytes_raw()

    for text in (pem, base64.b64encode(seed).decode(), base64.urlsafe_b64encode(seed).decode()):
        assert parse_private_key(text).private_bytes_raw() == seed
    for bad in ("not a key", base64.b64encode(b"short").decode()):
        with pytest.raises(ValueError, match=r"verification signing key|32 bytes"):
            parse_private_key(bad)


def test_production_refuses_a_missing_or_placeholder_signing_key() -> None:
    with pytest.raises(ValidationError, match="verification_signing_key"):
        Settings(environment="production", s3_secret_key="s3-real-secret")
    with pytest.raises(ValidationError, match="placeholder"):
        Settings(
            environment="production",
            s3_secret_key="s3-real-secret",
            verification_signing_key="changeme",
        )
    assert Settings(environment="development").verification_signing_key is None


def test_earlier_keys_stay_published_after_a_rotation() -> None:
    earlier = load_keys(SecretStr("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="))
    current = load_keys(None, json.dumps(earlier.jwks))
    assert [key["kid"] for key in current.jwks["keys"]] == [current.kid, earlier.kid]
    _, _, token = issued_confirmation()
    assert verify(token, current.jwks).kid == KEYS.kid
