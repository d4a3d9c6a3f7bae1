"""Checking a document: the signed payload of its QR code and its short verification code.

Pure: no I/O, no clock, no settings. The caller brings the key, the JWKS and the randomness.

**The QR token** (in the spirit of 2D-Doc and the EU digital COVID certificates) lets a school
or an employer check a printed confirmation offline, with only the service's published JWKS::

    DV1:<base45( body || signature )>

- `body` is the payload as a compact JSON *array* (positional, no key names, so it stays
  short): ``[kind, numero_candidat, numero_inscription, version, "YYYY-MM-DD", initials,
  sha256, kid]`` where `sha256` (of the document's content, see `content_sha256`: not of the
  file, which prints the token) and `kid` are unpadded base64url (43 characters each, not 64
  hex digits).
- `signature` is the 64-byte Ed25519 signature of ``b"DV1:" + body``: the prefix is signed too,
  so a token cannot be replayed under another format version.
- Base45 (RFC 9285) because its 45 characters are exactly QR's alphanumeric mode (5.5 bits per
  character): 8.25 bits per byte in the QR, against 10.7 for base64url in byte mode.
- The `kid` is inside the signed body: the verifier picks the key by it, and a token cannot be
  re-labelled with another key id without breaking the signature.

**The verification code** (`verification_code`) is printed next to the QR for people who type
it into `GET /api/v1/verification/{code}`: 9 random characters and a check character, see there.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import unicodedata
from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

TOKEN_PREFIX: Final = "DV1:"
SIGNATURE_SIZE: Final = 64
# A typical token is ~330 characters; this bound refuses garbage before any decoding work.
MAX_TOKEN_LENGTH: Final = 1200


class DocumentKind(StrEnum):
    CONFIRMATION = "confirmation"
    DEMANDE_PIECES = "demande_pieces"
    RELANCE_PIECES = "relance_pieces"
    AMENAGEMENTS = "amenagements"
    CONVOCATION = "convocation"
    RELEVE_NOTES = "releve_notes"
    PUBLIE = "publie"


_Text = Annotated[str, StringConstraints(min_length=1, max_length=64)]
_Sha256Hex = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
_Kid = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{43}$")]


class VerificationPayload(BaseModel):
    """What the QR code asserts about one version of one document: no personal data beyond
    the initials."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: DocumentKind
    numero_candidat: _Text
    numero_inscription: _Text
    version: int = Field(ge=1, le=1_000_000)
    date: date
    initials: Annotated[str, StringConstraints(max_length=16)]
    sha256: _Sha256Hex
    kid: _Kid


class VerificationError(ValueError):
    """The token is refused; the subclass says why (the message is safe to show)."""


class MalformedToken(VerificationError):
    pass


class UnknownKey(VerificationError):
    pass


class BadSignature(VerificationError):
    pass


# --- signing and verifying ---------------------------------------------------------------


def sign(payload: VerificationPayload, private_key: Ed25519PrivateKey) -> str:
    """The QR token of `payload`. Its `kid` must be the key's: a token that names another key
    could never be verified, so this refuses to make one."""
    if payload.kid != key_id(private_key.public_key()):
        raise ValueError("the payload's kid is not the signing key's thumbprint")
    body = _encode_body(payload)
    signature = private_key.sign(TOKEN_PREFIX.encode() + body)
    return TOKEN_PREFIX + b45encode(body + signature)


def verify(token: str, jwks: dict[str, Any]) -> VerificationPayload:
    """The payload of a token signed by one of the keys of `jwks`; raises `MalformedToken`,
    `UnknownKey` or `BadSignature` (all `VerificationError`) otherwise."""
    # Only line ends (a scanner's output): a space is a base45 character and may end a token.
    token = token.rstrip("\r\n")
    if len(token) > MAX_TOKEN_LENGTH or not token.startswith(TOKEN_PREFIX):
        raise MalformedToken("not a document verification token")
    try:
        raw = b45decode(token[len(TOKEN_PREFIX) :])
    except ValueError as exc:
        raise MalformedToken("the token is not valid base45") from exc
    if len(raw) <= SIGNATURE_SIZE:
        raise MalformedToken("the token is too short")
    body, signature = raw[:-SIGNATURE_SIZE], raw[-SIGNATURE_SIZE:]
    # The kid is read before the signature is checked only to choose the key; the payload is
    # trusted only after `public.verify` below.
    fields = _decode_body(body)
    public = _find_key(jwks, fields[7])
    try:
        public.verify(signature, TOKEN_PREFIX.encode() + body)
    except InvalidSignature as exc:
        raise BadSignature("the signature does not match the content") from exc
    return _payload_from_fields(fields)


_FIELDS: Final = (
    "kind",
    "numero_candidat",
    "numero_inscription",
    "version",
    "date",
    "initials",
    "sha256",
    "kid",
)


def _encode_body(payload: VerificationPayload) -> bytes:
    fields = [
        payload.kind.value,
        payload.numero_candidat,
        payload.numero_inscription,
        payload.version,
        payload.date.isoformat(),
        payload.initials,
        _b64url(bytes.fromhex(payload.sha256)),
        payload.kid,
    ]
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode()


def _decode_body(body: bytes) -> list[Any]:
    try:
        fields = json.loads(body.decode())
    except (UnicodeDecodeError, ValueError) as exc:
        raise MalformedToken("the token's content is not readable") from exc
    if (
        not isinstance(fields, list)
        or len(fields) != len(_FIELDS)
        or not isinstance(fields[6], str)
        or not isinstance(fields[7], str)
    ):
        raise MalformedToken("the token's content has the wrong shape")
    return fields


def _payload_from_fields(fields: list[Any]) -> VerificationPayload:
    try:
        digest = _unb64url(fields[6])
        values = dict(zip(_FIELDS, [*fields[:6], digest.hex(), fields[7]], strict=True))
        return VerificationPayload.model_validate(values)
    except (ValueError, ValidationError) as exc:
        raise MalformedToken("the token's content is not a valid payload") from exc


def _find_key(jwks: dict[str, Any], kid: str) -> Ed25519PublicKey:
    for jwk in jwks.get("keys", []):
        if not isinstance(jwk, dict) or jwk.get("kid") != kid:
            continue
        if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519" or "x" not in jwk:
            raise UnknownKey("the key named by the token is not an Ed25519 key")
        try:
            return Ed25519PublicKey.from_public_bytes(_unb64url(jwk["x"]))
        except ValueError as exc:
            raise UnknownKey("the key named by the token is not usable") from exc
    raise UnknownKey("the token names a key that is not published")


# --- what the token's sha256 is the digest of ----------------------------------------------

CONTENT_DOMAIN: Final = b"cyclades-document-content/v1\n"


def content_sha256(kind: DocumentKind, content: Any) -> str:
    """The SHA-256 (hex) a token carries: of the document's *content*, not of its file.

    A file cannot carry its own digest (the token is printed in the file, so the file's
    SHA-256 depends on the token, which would depend on the SHA-256: no fixed point). The
    content is what the document was rendered from (for a confirmation, the version's event
    payload), as canonical JSON (sorted keys, no spaces, UTF-8), after a domain label and the
    kind, so two kinds of document on the same data never share a digest. The service keeps
    it next to the stored file's own SHA-256, which `GET /api/v1/verification/{code}`
    answers for checking a digital copy byte for byte.
    """
    canonical = json.dumps(content, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    material = CONTENT_DOMAIN + kind.value.encode() + b"\n" + canonical.encode()
    return hashlib.sha256(material).hexdigest()


# --- keys: the JWKS, the kid as the RFC 7638 thumbprint -----------------------------------


def key_id(public_key: Ed25519PublicKey) -> str:
    """The RFC 7638 thumbprint of the key, as accounts computes it for its token keys
    (accounts.adapters.signing.key_thumbprint; not imported: a service does not import
    another)."""
    canonical = json.dumps(_public_jwk(public_key), separators=(",", ":"), sort_keys=True).encode()
    return _b64url(hashlib.sha256(canonical).digest())


def jwks(*public_keys: Ed25519PublicKey) -> dict[str, Any]:
    """The JWKS to publish: the current key first, then any previous ones whose documents
    must still verify (a printed document outlives a key)."""
    return {
        "keys": [
            {**_public_jwk(key), "kid": key_id(key), "alg": "EdDSA", "use": "sig"}
            for key in public_keys
        ]
    }


def _public_jwk(public_key: Ed25519PublicKey) -> dict[str, str]:
    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return {"crv": "Ed25519", "kty": "OKP", "x": _b64url(raw)}


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64url(text: str) -> bytes:
    if not text.isascii():
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# --- base45 (RFC 9285) --------------------------------------------------------------------

B45_ALPHABET: Final = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_B45_VALUES: Final = {char: value for value, char in enumerate(B45_ALPHABET)}


def b45encode(data: bytes) -> str:
    out: list[str] = []
    for i in range(0, len(data) - 1, 2):
        n = data[i] * 256 + data[i + 1]
        n, c = divmod(n, 45)
        e, d = divmod(n, 45)
        out += (B45_ALPHABET[c], B45_ALPHABET[d], B45_ALPHABET[e])
    if len(data) % 2:
        d, c = divmod(data[-1], 45)
        out += (B45_ALPHABET[c], B45_ALPHABET[d])
    return "".join(out)


def b45decode(text: str) -> bytes:
    try:
        values = [_B45_VALUES[char] for char in text]
    except KeyError as exc:
        raise ValueError("not a base45 character") from exc
    if len(values) % 3 == 1:
        raise ValueError("base45 length")
    out = bytearray()
    for i in range(0, len(values), 3):
        chunk = values[i : i + 3]
        if len(chunk) == 3:
            n = chunk[0] + chunk[1] * 45 + chunk[2] * 45 * 45
            if n > 0xFFFF:
                raise ValueError("base45 triple out of range")
            out += n.to_bytes(2, "big")
        else:
            n = chunk[0] + chunk[1] * 45
            if n > 0xFF:
                raise ValueError("base45 pair out of range")
            out.append(n)
    return bytes(out)


# --- the short verification code ----------------------------------------------------------

# Crockford's base32: digits and capitals without I, L, O, U (no 1/I/L or 0/O confusion when
# read aloud or retyped from paper).
CODE_ALPHABET: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_BODY_LENGTH: Final = 9
CODE_LENGTH: Final = CODE_BODY_LENGTH + 1
# What a reader may type for what is printed: Crockford's reading rules.
_CODE_READS_AS: Final = str.maketrans({"O": "0", "I": "1", "L": "1"})


class InvalidVerificationCode(ValueError):
    pass


def verification_code() -> str:
    """A new code: 9 characters from the OS's CSPRNG (45 bits) and a Luhn mod 32 check
    character, e.g. ``7K3QD9TXW4`` (shown as ``7K3QD-9TXW4`` by `display_code`).

    Random rather than derived from the document id: a hash of an id is as guessable as the
    id is (ids appear in URLs, logs, events), and a keyed hash would need a second secret to
    keep and rotate. The caller stores it once per document version (a UNIQUE column, drawing
    again on the rare collision: with a million codes in use, one draw in 35 million
    collides), so re-rendering or two replicas rendering the same version read the same code.
    45 bits make guessing a valid code hopeless under rate limiting (a million documents: one
    guess in 35 million hits one).
    """
    body = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_BODY_LENGTH))
    return body + code_check_character(body)


def code_check_character(body: str) -> str:
    """Luhn mod 32: catches every single wrong character and every swap of two adjacent
    different characters but one pair (``0``/``Z``, values 0 and 31)."""
    n = len(CODE_ALPHABET)
    total = 0
    for position, char in enumerate(reversed(body)):
        addend = CODE_ALPHABET.index(char) * (2 if position % 2 == 0 else 1)
        total += addend // n + addend % n
    return CODE_ALPHABET[(n - total % n) % n]


def parse_verification_code(text: str) -> str:
    """The canonical code for what a person typed (case, spaces and dashes ignored, O read as
    0, I and L as 1), or `InvalidVerificationCode` (a typo, caught by the check character,
    answers "not a valid code" without a database lookup)."""
    code = text.upper().replace("-", "").replace(" ", "").translate(_CODE_READS_AS)
    if len(code) != CODE_LENGTH or any(char not in CODE_ALPHABET for char in code):
        raise InvalidVerificationCode("a verification code has 10 letters and digits")
    if code_check_character(code[:-1]) != code[-1]:
        raise InvalidVerificationCode("this verification code has a typo")
    return code


def display_code(code: str) -> str:
    return f"{code[:5]}-{code[5:]}"


# --- initials -------------------------------------------------------------------------------


def initials(prenoms: str, nom: str) -> str:
    """``initials("Hélène Éloïse", "Lefèvre-d'Aubigné") == "H. L."``: the first letter of the
    first prénom and of the nom, capitalised, accents kept; a part without any letter is left
    out (a candidate with no prénom gets ``"L."``). Bounded length whatever the names."""
    letters = [_first_letter(part) for part in (prenoms, nom)]
    return " ".join(f"{letter}." for letter in letters if letter)


def _first_letter(name: str) -> str:
    name = unicodedata.normalize("NFC", name)
    for i, char in enumerate(name):
        if char.isalpha():
            # Keep combining marks that NFC could not fold into the letter (at most a few).
            marks = ""
            for mark in name[i + 1 : i + 4]:
                if not unicodedata.combining(mark):
                    break
                marks += mark
            return (char + marks).upper()
    return ""
