"""Verifying access tokens, and the ownership and académie checks every service makes.

The accounts service signs the tokens (EdDSA or ES256); the others verify them locally with its
public keys, given inline or fetched from its JWKS endpoint.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

import aiohttp
import jwt

from shared.http.problems import ProblemError

log = logging.getLogger(__name__)

ALLOWED_ALGORITHMS = frozenset({"EdDSA", "ES256"})
# Hosts' clocks differ a little: a token is accepted this long past `exp` (and before `iat`).
CLOCK_SKEW_S = 30
MAX_TOKEN_LENGTH = 4096


class Role(StrEnum):
    CANDIDAT = "candidat"
    GESTIONNAIRE = "gestionnaire"
    ADMINISTRATEUR = "administrateur"


@dataclass(frozen=True)
class Principal:
    account_id: uuid.UUID
    role: Role
    academies: frozenset[str] = field(default_factory=frozenset)
    token_id: str | None = None  # `jti`
    session_id: str | None = None  # `sid`, the accounts service's session


def unauthorized(detail: str) -> ProblemError:
    return ProblemError(
        401,
        "unauthorized",
        "Authentication required",
        detail,
        headers={"WWW-Authenticate": 'Bearer realm="cyclades"'},
    )


def forbidden(principal: Principal, detail: str) -> ProblemError:
    log.warning(
        "access denied",
        extra={"account_id": str(principal.account_id), "role": principal.role, "why": detail},
    )
    return ProblemError(403, "forbidden", "Forbidden", detail)


class KeySource(Protocol):
    async def key(self, kid: str | None) -> jwt.PyJWK | None: ...


class StaticKeys:
    """Keys from a JWKS document given in the configuration."""

    def __init__(self, jwks: dict[str, Any] | str) -> None:
        document = json.loads(jwks) if isinstance(jwks, str) else jwks
        self._keys = jwt.PyJWKSet.from_dict(document).keys

    async def key(self, kid: str | None) -> jwt.PyJWK | None:
        return _find(self._keys, kid)


class RemoteJwks:
    """Keys fetched from the accounts service's JWKS endpoint, fetched again (at most every
    `min_refresh_s`) when a token names a key id it does not know, so key rotation just works."""

    def __init__(self, url: str, min_refresh_s: float = 30.0) -> None:
        self.url = url
        self.min_refresh_s = min_refresh_s
        self._keys: list[jwt.PyJWK] = []
        self._fetched_at = float("-inf")
        self._lock = asyncio.Lock()

    async def key(self, kid: str | None) -> jwt.PyJWK | None:
        found = _find(self._keys, kid)
        if found is None and time.monotonic() - self._fetched_at >= self.min_refresh_s:
            await self._refresh()
            found = _find(self._keys, kid)
        return found

    async def _refresh(self) -> None:
        async with self._lock:
            self._fetched_at = time.monotonic()
            try:
                timeout = aiohttp.ClientTimeout(total=5)
                async with (
                    aiohttp.ClientSession(timeout=timeout) as session,
                    session.get(self.url) as response,
                ):
                    response.raise_for_status()
                    self._keys = jwt.PyJWKSet.from_dict(await response.json()).keys
            except (
                aiohttp.ClientError,
                TimeoutError,
                ValueError,  # bad JSON
                AttributeError,  # a JWKS that is not an object
                jwt.PyJWKError,
                jwt.PyJWKSetError,
                jwt.InvalidKeyError,
            ) as exc:
                log.warning("JWKS fetch failed", extra={"url": self.url, "error": repr(exc)})


def _find(keys: Iterable[jwt.PyJWK], kid: str | None) -> jwt.PyJWK | None:
    keys = list(keys)
    if kid is None:
        return keys[0] if len(keys) == 1 else None
    return next((key for key in keys if key.key_id == kid), None)


class TokenVerifier:
    def __init__(self, keys: KeySource, *, audience: str, issuer: str) -> None:
        self.keys = keys
        self.audience = audience
        self.issuer = issuer

    async def verify(self, token: str) -> Principal:
        if len(token) > MAX_TOKEN_LENGTH:
            raise unauthorized("The access token is too long")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise unauthorized("The access token is malformed") from None
        algorithm = header.get("alg")
        if algorithm not in ALLOWED_ALGORITHMS:
            raise unauthorized("The access token's algorithm is not accepted")
        key = await self.keys.key(header.get("kid"))
        if key is None or key.algorithm_name != algorithm:
            raise unauthorized("The access token was not signed by a known key")
        claims = self._decode(token, key, algorithm)
        return _principal(claims)

    def _decode(self, token: str, key: jwt.PyJWK, algorithm: str) -> dict[str, Any]:
        try:
            return jwt.decode(
                token,
                key.key,
                algorithms=[algorithm],
                audience=self.audience,
                issuer=self.issuer,
                leeway=CLOCK_SKEW_S,
                options={"require": ["exp", "aud", "iss", "sub", "jti"]},
            )
        except jwt.ExpiredSignatureError:
            raise unauthorized("The access token has expired") from None
        except jwt.PyJWTError as exc:
            raise unauthorized(f"The access token is not valid: {exc}") from None


def _principal(claims: dict[str, Any]) -> Principal:
    try:
        return Principal(
            account_id=uuid.UUID(str(claims["sub"])),
            role=Role(str(claims.get("role"))),
            academies=frozenset(str(code) for code in claims.get("academies") or ()),
            token_id=str(claims["jti"]),
            session_id=str(claims["sid"]) if claims.get("sid") else None,
        )
    except (ValueError, TypeError):
        raise unauthorized("The access token's claims are not valid") from None


def bearer_token(authorization: str | None) -> str:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthorized("An access token is required (Authorization: Bearer …)")
    return token.strip()


def require_role(principal: Principal, *roles: Role) -> None:
    if principal.role not in roles:
        raise forbidden(principal, "This action is not open to your role")


def ensure_owner(principal: Principal, owner_id: uuid.UUID) -> None:
    """A candidate may touch only their own resources."""
    if principal.account_id != owner_id:
        raise forbidden(principal, "This resource belongs to another account")


def ensure_academie(principal: Principal, academie: str) -> None:
    """A gestionnaire acts only within their académies; an administrateur everywhere."""
    if principal.role is Role.ADMINISTRATEUR:
        return
    if principal.role is not Role.GESTIONNAIRE or academie not in principal.academies:
        raise forbidden(principal, f"The académie {academie} is outside your scope")
