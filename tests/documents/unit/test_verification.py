"""The QR token (sign / verify), the verification code, the initials, the QR image."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from documents.adapters.qr import render_qr
from documents.domain.verification import (
    CODE_ALPHABET,
    CODE_LENGTH,
    TOKEN_PREFIX,
    BadSignature,
    DocumentKind,
    InvalidVerificationCode,
    MalformedToken,
    UnknownKey,
    VerificationError,
    VerificationPayload,
    b45decode,
    b45encode,
    code_check_character,
    display_code,
    initials,
    jwks,
    key_id,
    parse_verification_code,
    sign,
    verification_code,
    verify,
)

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
OTHER_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))


def payload(**changes: object) -> VerificationPayload:
    fields: dict[str, object] = {
        "kind": DocumentKind.CONFIRMATION,
        "numero_candidat": "27000000425",
        "numero_inscription": "BTS27-001-0000042B",
        "version": 3,
        "date": date(2026, 11, 30),
        "initials": "H. L.",
        "sha256": hashlib.sha256(b"%PDF-1.7 the confirmation").hexdigest(),
        "kid": key_id(KEY.public_key()),
    }
    return VerificationPayload.model_validate({**fields, **changes})


def reencode(token: str, transform: object) -> str:
    raw = b45decode(token[len(TOKEN_PREFIX) :])
    body, signature = raw[:-64], raw[-64:]
    assert callable(transform)
    return TOKEN_PREFIX + b45encode(transform(body) + signature)


# --- sign / verify ------------------------------------------------------------------------


def test_round_trip_and_typical_length() -> None:
    original = payload()
    token = sign(original, KEY)

    assert verify(token, jwks(KEY.public_key())) == original
    assert token.startswith(TOKEN_PREFIX)
    # Short enough for a QR code that scans from a printed A4 page (version 11 or so).
    assert len(token) < 400


def test_round_trip_with_accents_in_the_initials_and_a_newline_from_a_scanner() -> None:
    original = payload(initials="É. Ø.", kind=DocumentKind.CONVOCATION, version=1)
    token = sign(original, KEY)

    assert verify(token + "\n", jwks(KEY.public_key())) == original


def test_a_previous_key_still_in_the_jwks_verifies_old_documents() -> None:
    old = sign(payload(kid=key_id(OTHER_KEY.public_key())), OTHER_KEY)

    assert verify(old, jwks(KEY.public_key(), OTHER_KEY.public_key())).kid == key_id(
        OTHER_KEY.public_key()
    )


def test_a_tampered_payload_is_refused() -> None:
    token = sign(payload(version=3), KEY)
    forged = reencode(token, lambda body: body.replace(b",3,", b",4,"))

    assert forged != token
    with pytest.raises(BadSignature):
        verify(forged, jwks(KEY.public_key()))


def test_a_tampered_signature_is_refused() -> None:
    token = sign(payload(), KEY)
    raw = bytearray(b45decode(token[len(TOKEN_PREFIX) :]))
    raw[-1] ^= 1

    with pytest.raises(BadSignature):
        verify(TOKEN_PREFIX + b45encode(bytes(raw)), jwks(KEY.public_key()))


@pytest.mark.parametrize("position", [len(TOKEN_PREFIX), 40, 120, -1])
def test_any_changed_character_is_refused(position: int) -> None:
    token = sign(payload(), KEY)
    index = position % len(token)
    replacement = "A" if token[index] != "A" else "B"
    changed = token[:index] + replacement + token[index + 1 :]

    with pytest.raises(VerificationError):
        verify(changed, jwks(KEY.public_key()))


def test_a_token_signed_by_another_key_under_our_kid_is_refused() -> None:
    # A forger signs with their key but claims ours: the body is intact, the signature is not ours.
    ours = payload()
    body_token = sign(payload(kid=key_id(OTHER_KEY.public_key())), OTHER_KEY)
    forged = reencode(
        body_token,
        lambda body: body.replace(key_id(OTHER_KEY.public_key()).encode(), ours.kid.encode()),
    )

    with pytest.raises(BadSignature):
        verify(forged, jwks(KEY.public_key()))


def test_an_unknown_kid_is_refused() -> None:
    token = sign(payload(kid=key_id(OTHER_KEY.public_key())), OTHER_KEY)

    with pytest.raises(UnknownKey):
        verify(token, jwks(KEY.public_key()))
    with pytest.raises(UnknownKey):
        verify(token, {"keys": []})


def test_a_jwks_entry_that_is_not_ed25519_is_refused() -> None:
    token = sign(payload(), KEY)
    entry = {**jwks(KEY.public_key())["keys"][0], "kty": "RSA"}

    with pytest.raises(UnknownKey):
        verify(token, {"keys": [entry]})


def test_sign_refuses_a_payload_naming_another_key() -> None:
    with pytest.raises(ValueError, match="kid"):
        sign(payload(kid=key_id(OTHER_KEY.public_key())), KEY)


@pytest.mark.parametrize(
    "token",
    [
        "",
        "DV1:",
        "DV2:AAAA",
        "HC1:" + b45encode(b"x" * 100),
        TOKEN_PREFIX + "abc",  # lower case is not base45
        TOKEN_PREFIX + "GGW",  # a triple over 65535
        TOKEN_PREFIX + b45encode(b"\x00" * 64),  # nothing but a signature
        TOKEN_PREFIX + b45encode(b"[1,2]" + b"\x00" * 64),
        TOKEN_PREFIX + b45encode(b"\xff\xfe" + b"\x00" * 64),
        TOKEN_PREFIX + "A" * 5000,
    ],
)
def test_garbage_is_malformed(token: str) -> None:
    with pytest.raises(MalformedToken):
        verify(token, jwks(KEY.public_key()))


def test_a_well_signed_but_invalid_payload_is_malformed() -> None:
    # Signed by our key, yet the version is 0: the model refuses it after the signature.
    fields = ["confirmation", "1", "2", 0, "2026-11-30", "", "A" * 43, key_id(KEY.public_key())]
    body = json.dumps(fields, separators=(",", ":")).encode()
    token = TOKEN_PREFIX + b45encode(body + KEY.sign(TOKEN_PREFIX.encode() + body))

    with pytest.raises(MalformedToken):
        verify(token, jwks(KEY.public_key()))


def test_the_kid_is_the_rfc_7638_thumbprint_as_accounts_computes_it() -> None:
    # RFC 8037 appendix A.3: the thumbprint of its example Ed25519 key.
    public = Ed25519PrivateKey.from_private_bytes(
        bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
    ).public_key()

    assert key_id(public) == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
    published = jwks(public)["keys"][0]
    assert published == {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
        "kid": "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k",
        "alg": "EdDSA",
        "use": "sig",
    }


@pytest.mark.parametrize(
    "data", [b"", b"A", b"AB", b"Hello!!", b"\x00\xff" * 33, bytes(range(256))]
)
def test_base45_round_trip_and_rfc_9285_examples(data: bytes) -> None:
    assert b45decode(b45encode(data)) == data
    assert b45encode(b"AB") == "BB8"
    assert b45encode(b"Hello!!") == "%69 VD92EX0"
    assert b45encode(b"base-45") == "UJCLQE7W581"
    assert b45decode("QED8WEX0") == b"ietf!"


# --- the verification code ----------------------------------------------------------------


def test_codes_are_ten_characters_of_the_unambiguous_alphabet_and_valid() -> None:
    codes = {verification_code() for _ in range(2000)}

    assert len(codes) == 2000
    for code in codes:
        assert len(code) == CODE_LENGTH
        assert set(code) <= set(CODE_ALPHABET)
        assert parse_verification_code(code) == code
    assert not set("ILOU") & set(CODE_ALPHABET)


def test_every_single_wrong_character_is_caught() -> None:
    for code in ["0000000000"[:-1] + code_check_character("000000000"), verification_code()]:
        for position in range(CODE_LENGTH):
            for wrong in CODE_ALPHABET:
                if wrong == code[position]:
                    continue
                typo = code[:position] + wrong + code[position + 1 :]
                with pytest.raises(InvalidVerificationCode):
                    parse_verification_code(typo)


def test_adjacent_swaps_are_caught_but_for_0_and_z() -> None:
    body_length = CODE_LENGTH - 1
    for position in range(body_length - 1):
        for first in CODE_ALPHABET:
            for second in CODE_ALPHABET:
                if first == second or {first, second} == {"0", "Z"}:
                    continue
                body = "7K3QD9TXW"
                body = body[:position] + first + second + body[position + 2 :]
                code = body + code_check_character(body)
                swapped = code[:position] + second + first + code[position + 2 :]
                with pytest.raises(InvalidVerificationCode):
                    parse_verification_code(swapped)


def test_what_people_type_is_read_kindly() -> None:
    body = "0011ABCDE"
    code = body + code_check_character(body)

    assert display_code(code) == f"{code[:5]}-{code[5:]}"
    assert parse_verification_code(display_code(code).lower()) == code
    assert parse_verification_code(" ooIl abcde" + code[-1].lower()) == code


@pytest.mark.parametrize("text", ["", "ABC", "7K3QD9TXW4X", "7K3QD9TXWU", "7K3QD9TXW€", "é" * 10])
def test_codes_of_the_wrong_shape_are_refused(text: str) -> None:
    with pytest.raises(InvalidVerificationCode):
        parse_verification_code(text)


# --- initials -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prenoms", "nom", "expected"),
    [
        ("Hélène Éloïse", "Lefèvre-d'Aubigné", "H. L."),
        ("éric", "ødegård", "É. Ø."),
        ("Jean-Pierre", "d'Ormesson", "J. D."),
        ("'Anne", " -N'Diaye", "A. N."),
        ("E\u0301milie", "Zoé", "É. Z."),  # decomposed: NFC folds the accent into the letter
        ("", "Lefèvre", "L."),
        ("Marie", "", "M."),
        ("--", "''", ""),
        ("Ἀθηνᾶ", "Παπαδοπούλου", "Ἀ. Π."),
    ],
)
def test_initials(prenoms: str, nom: str, expected: str) -> None:
    assert initials(prenoms, nom) == expected


def test_initials_of_200_character_names_are_short_and_fit_the_payload() -> None:
    prenoms = ("Marie-Hélène " * 16)[:200]
    nom = ("de La Tour d'Auvergne-" * 10)[:200]

    assert len(prenoms) == len(nom) == 200
    assert initials(prenoms, nom) == "M. D."
    assert verify(
        sign(payload(initials=initials(prenoms, nom)), KEY), jwks(KEY.public_key())
    ).initials == ("M. D.")


# --- the QR image -------------------------------------------------------------------------


def test_the_qr_png_decodes_and_scans_back_to_the_token(tmp_path: Path) -> None:
    token = sign(payload(), KEY)
    qr = render_qr(token, scale=4, border=4)

    assert qr.png.startswith(b"\x89PNG\r\n\x1a\n")
    assert qr.size == 17 + 4 * qr.version
    assert all(len(row) == qr.size for row in qr.matrix)
    side = (qr.size + 2 * 4) * 4
    try:
        from PIL import Image
    except ImportError:
        # The IHDR chunk: width and height right after the signature and the chunk header.
        assert int.from_bytes(qr.png[16:20], "big") == side
        assert int.from_bytes(qr.png[20:24], "big") == side
    else:
        with Image.open(io.BytesIO(qr.png)) as image:
            image.load()
            assert image.size == (side, side)

    zbarimg = shutil.which("zbarimg")
    if zbarimg is None:
        pytest.skip("zbarimg (Debian's zbar-tools) is not installed: the scan is not checked")
    path = tmp_path / "qr.png"
    path.write_bytes(qr.png)
    scanned = subprocess.run(
        [zbarimg, "--quiet", "--raw", str(path)], capture_output=True, check=True, timeout=30
    ).stdout.decode()

    assert scanned.rstrip("\n") == token
    assert verify(scanned, jwks(KEY.public_key())) == payload()
