"""Routes declared once with their pydantic models: the same models validate the requests
and describe them in `/openapi.json`."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
from aiohttp import MultipartReader, StreamReader, web
from pydantic import BaseModel, TypeAdapter, ValidationError

from shared.auth import Principal, Role, bearer_token, require_role
from shared.db import in_transaction
from shared.http import idempotency
from shared.http.keys import POOL, VERIFIER
from shared.http.problems import (
    FieldError,
    Problem,
    ProblemError,
    not_found,
    validation_problem,
)

Handler = Callable[..., Awaitable[Any]]
M = TypeVar("M", bound=BaseModel)
# A service's domain exceptions and the problem each becomes: mapped once, at the entrypoint,
# so that handlers (which event consumers call too) never speak HTTP.
ProblemMap = Mapping[type[Exception], Callable[[Any], ProblemError]]
# aiohttp's path parameters: `{name}` or `{name:regex}`.
PATH_PARAMETER = re.compile(r"\{(\w+)(?::([^}]+))?\}")
INTEGER = "\\d+"
# Ids are PostgreSQL bigints: a larger one names nothing (and asyncpg would fail on it).
MAX_ID = 2**63 - 1
# `{kind:a|b|c}`: one of a few words.
ALTERNATION = re.compile(r"^[\w-]+(?:\|[\w-]+)+$")
# What `RawBody.read_within` and `spool_within` take from the stream at a time.
READ_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    handler: Handler
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: Any = None
    status: int = 200
    summary: str = ""
    tags: tuple[str, ...] = ()
    roles: tuple[Role, ...] | None = None
    # The handler gets `conn`, in a transaction the entrypoint opens and commits after it.
    transactional: bool = False
    # With `transactional`: an `Idempotency-Key` header makes a retry answer the same, once.
    idempotent: bool = False
    # Media types taken as they come (CSV, multipart…): the handler gets `body` as a `RawBody`
    # to read or stream; `body=` may still name the model of an `application/json` variant.
    media_types: tuple[str, ...] = ()
    # A multipart form's file fields, documented as binary parts (clients and fuzzers then send
    # files in them); the handler still reads the form itself.
    form_files: tuple[str, ...] = ()
    # Work that must hold no pooled connection (a password hash, an answer floor): called with
    # the request and the parsed arguments, it is entered before the transaction opens, what it
    # yields is added to the handler's arguments, and it is left after the commit.
    around: Callable[..., AbstractAsyncContextManager[Mapping[str, Any]]] | None = None
    # Statuses the handler itself answers (409, 410, 412, 429…), for the OpenAPI document; those
    # the Api answers (401, 403, 404, 413, 415, 422, 503…) are derived from the options above.
    errors: tuple[int, ...] = ()


@dataclass(frozen=True)
class SpooledBody:
    """A request body written to a temporary file, with its size and SHA-256 (hex)."""

    path: Path
    size: int
    sha256: str


@dataclass(frozen=True)
class RawBody:
    """A request body that is not parsed for the handler: read it whole (bounded by the app's
    body limit, 413 beyond), read it within a limit of its own (`read_within`, to memory;
    `spool_within`, to a file), or stream it."""

    media_type: str
    charset: str | None
    request: web.Request

    async def read(self) -> bytes:
        return await self.request.read()

    async def read_within(self, limit: int) -> bytes:
        """The whole body, whatever the app's body limit: 413 as soon as it is known to pass
        `limit` (from `Content-Length` before a byte is read, else as soon as the count passes
        it). Kept as the request's read body, so that the Idempotency-Key fingerprint
        (`request.read()`) covers it and a request run again on a fresh connection
        (`shared.http.app`) finds it."""
        request = self.request
        if request._read_bytes is not None:  # read already (this request run again)
            if len(request._read_bytes) > limit:
                raise body_too_large(limit)
            return request._read_bytes
        refuse_declared_over(request, limit)
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.content.iter_chunked(READ_CHUNK):
            size += len(chunk)
            if size > limit:
                raise body_too_large(limit)
            chunks.append(chunk)
        request._read_bytes = data = b"".join(chunks)
        return data

    @contextlib.asynccontextmanager
    async def spool_within(
        self, limit: int, directory: Path | None = None
    ) -> AsyncIterator[SpooledBody]:
        """The body in a temporary file of `directory` (the system's by default), counted and
        hashed while it arrives: one chunk in memory at a time, 413 as for `read_within`. The
        file is removed when the block is left. The body is streamed, so it is not replayed
        (a request whose database connection is found dead is refused, not run again)."""
        refuse_declared_over(self.request, limit)
        descriptor, name = tempfile.mkstemp(prefix="body-", dir=directory)
        path = Path(name)
        try:
            digest = hashlib.sha256()
            size = 0
            with os.fdopen(descriptor, "wb") as out:
                async for chunk in self.request.content.iter_chunked(READ_CHUNK):
                    size += len(chunk)
                    if size > limit:
                        raise body_too_large(limit)
                    digest.update(chunk)
                    out.write(chunk)
            yield SpooledBody(path, size, digest.hexdigest())
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.remove(name)

    @property
    def stream(self) -> StreamReader:
        return self.request.content

    async def parts(self) -> MultipartReader:
        return await self.request.multipart()


def body_was_read(request: web.Request) -> bool:
    """Whether the body was read whole and kept (`request.read()`, `RawBody.read_within`): only
    such a body can be given to the handler again."""
    return request._read_bytes is not None


def body_too_large(limit: int) -> ProblemError:
    return ProblemError(413, "body-too-large", "Request body too large", f"At most {limit} bytes")


def refuse_declared_over(request: web.Request, limit: int) -> None:
    """413 before a byte is read when the declared `Content-Length` passes `limit`."""
    if request.content_length is not None and request.content_length > limit:
        raise body_too_large(limit)


@dataclass
class Api:
    """Collects a service's endpoints. A handler gets the request and, as keyword arguments,
    `body`, `query` and `principal` when the endpoint declares them; it returns a pydantic
    model (or a list of them), serialised with the endpoint's status, or a web response."""

    endpoints: list[Endpoint] = field(default_factory=list)
    problems: ProblemMap = field(default_factory=dict)

    def route(self, method: str, path: str, **options: Any) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.endpoints.append(Endpoint(method, path, handler, **options))
            return handler

        return register

    def get(self, path: str, **options: Any) -> Callable[[Handler], Handler]:
        return self.route("GET", path, **options)

    def post(self, path: str, **options: Any) -> Callable[[Handler], Handler]:
        return self.route("POST", path, **options)

    def put(self, path: str, **options: Any) -> Callable[[Handler], Handler]:
        return self.route("PUT", path, **options)

    def patch(self, path: str, **options: Any) -> Callable[[Handler], Handler]:
        return self.route("PATCH", path, **options)

    def delete(self, path: str, **options: Any) -> Callable[[Handler], Handler]:
        return self.route("DELETE", path, **options)

    def include(self, other: Api) -> None:
        """Serve `other`'s endpoints too (the dead-letter admin routes, say)."""
        self.endpoints.extend(other.endpoints)

    def register(self, app: web.Application) -> None:
        for endpoint in self.endpoints:
            handle = _entrypoint(endpoint, self.problems)
            app.router.add_route(endpoint.method, endpoint.path, handle)


def _entrypoint(
    endpoint: Endpoint, problems: ProblemMap
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    if endpoint.idempotent and not endpoint.transactional:
        raise ValueError(f"{endpoint.path}: an idempotent endpoint must be transactional")

    async def handle(request: web.Request) -> web.StreamResponse:
        try:
            return await _handle(endpoint, request)
        except Exception as exc:
            problem = _problem_for(problems, exc)
            if problem is None:
                raise
            raise problem from None

    return handle


def _problem_for(problems: ProblemMap, exc: Exception) -> ProblemError | None:
    for kind in type(exc).__mro__:
        if kind in problems:
            return problems[kind](exc)
    return None


async def _handle(endpoint: Endpoint, request: web.Request) -> web.StreamResponse:
    arguments: dict[str, Any] = {}
    if endpoint.roles is not None:
        arguments["principal"] = await authenticate(request, endpoint.roles)
    # After authentication: who may not use the route learns nothing of its ids.
    check_path_parameters(request, endpoint.path)
    if endpoint.query is not None:
        arguments["query"] = parse_query(request, endpoint.query)
    if endpoint.media_types:
        arguments["body"] = await raw_or_model(request, endpoint.media_types, endpoint.body)
    elif endpoint.body is not None:
        arguments["body"] = await parse_body(request, endpoint.body)
    if endpoint.around is not None:
        async with endpoint.around(request, **arguments) as prepared:
            return await _call(endpoint, request, {**arguments, **prepared})
    return await _call(endpoint, request, arguments)


async def _call(
    endpoint: Endpoint, request: web.Request, arguments: dict[str, Any]
) -> web.StreamResponse:
    if not endpoint.transactional:
        result = await endpoint.handler(request, **arguments)
        return to_response(result, endpoint.status, endpoint.response)

    async def work(conn: asyncpg.Connection) -> web.StreamResponse:
        return await _in_transaction(endpoint, request, conn, arguments)

    # Serialization failures and deadlocks (concurrent writers) retry the whole transaction.
    return await in_transaction(request.app[POOL], work)


async def _in_transaction(
    endpoint: Endpoint, request: web.Request, conn: Any, arguments: dict[str, Any]
) -> web.StreamResponse:
    key = idempotency.idempotency_key(request) if endpoint.idempotent else None
    scope = _idempotency_scope(request, arguments.get("principal"))
    if key is not None:
        stored = await idempotency.claim(conn, scope, key, await request.read())
        if stored is not None:
            return stored
    result = await endpoint.handler(request, conn=conn, **arguments)
    response = to_response(result, endpoint.status, endpoint.response)
    if key is not None:
        await idempotency.remember(conn, scope, key, response)
    return response


def integer_parameters(path: str) -> list[str]:
    return [name for name, pattern in PATH_PARAMETER.findall(path) if pattern == INTEGER]


def check_path_parameters(request: web.Request, path: str) -> None:
    """An id past the bigint range, or a NUL (PostgreSQL text holds none), names nothing: 404,
    as a path the router does not match. Ids are never zero-padded, so more digits than
    2**63-1 has is out of range too (and the handler's `int()` never meets Python's
    4300-digit limit)."""
    if any("\x00" in value for value in request.match_info.values()):
        raise not_found("The path")
    for name in integer_parameters(path):
        value = request.match_info[name]
        if len(value) > len(str(MAX_ID)) or int(value) > MAX_ID:
            raise not_found(f"{name} {value[:30]}")


def _idempotency_scope(request: web.Request, principal: Principal | None) -> str:
    """Keys are the client's: per resource (the concrete path), and per account when the
    route is authenticated."""
    who = str(principal.account_id) if principal is not None else "anonymous"
    return f"{request.method} {request.path_qs} {who}"


async def authenticate(request: web.Request, roles: tuple[Role, ...]) -> Principal:
    principal = await request.app[VERIFIER].verify(
        bearer_token(request.headers.get("Authorization"))
    )
    if roles:
        require_role(principal, *roles)
    return principal


def unsupported_media_type(request: web.Request, accepted: tuple[str, ...]) -> ProblemError:
    return ProblemError(
        415,
        "unsupported-media-type",
        "Unsupported media type",
        f"The body must be {' or '.join(accepted)}, not {request.content_type or 'nothing'}",
    )


async def raw_or_model(
    request: web.Request, media_types: tuple[str, ...], model: type[BaseModel] | None
) -> BaseModel | RawBody:
    """The body of an endpoint that takes several media types: a JSON one parsed into `model`
    when the endpoint names one, any other handed over unread."""
    if model is not None and request.content_type == "application/json":
        return await parse_body(request, model)
    if request.content_type not in media_types:
        accepted = (("application/json",) if model is not None else ()) + media_types
        raise unsupported_media_type(request, accepted)
    return RawBody(request.content_type, request.charset, request)


async def parse_body(request: web.Request, model: type[M]) -> M:
    if request.content_type != "application/json":
        raise unsupported_media_type(request, ("application/json",))
    raw = await request.read()  # bounded by the app's client_max_size (413 beyond it)
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProblemError(400, "malformed-json", "Malformed JSON", str(exc)) from None
    except RecursionError:
        raise ProblemError(400, "malformed-json", "Malformed JSON", "Nested too deeply") from None
    refuse_nul(data)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise validation_problem(exc) from None


def parse_query(request: web.Request, model: type[M]) -> M:
    query = dict(request.query)
    refuse_nul(query, where="query")
    try:
        return model.model_validate(query)
    except ValidationError as exc:
        raise validation_problem(exc, where="query") from None


def refuse_nul(data: Any, where: str = "body") -> None:
    """PostgreSQL text holds no NUL character (asyncpg fails on one): refused at the door, so
    no handler meets it (the fuzzer's `?queue=%00` was a 500). Iterative: JSON nests deeper
    than Python's recursion limit allows."""
    pending: list[tuple[str, Any]] = [("", data)]
    while pending:
        location, value = pending.pop()
        if isinstance(value, str) and "\x00" in value:
            raise _nul_problem(location or where, where)
        if isinstance(value, dict):
            for key, item in value.items():
                name = f"{location}.{key}" if location else str(key)
                pending += [(name, key), (name, item)]
        elif isinstance(value, list):
            pending += [
                (f"{location}.{index}" if location else str(index), item)
                for index, item in enumerate(value)
            ]


def _nul_problem(field: str, where: str) -> ProblemError:
    return ProblemError(
        422,
        "validation-error",
        "The request is not valid",
        f"1 {where} field(s) are not valid",
        errors=[FieldError(field=field, message="NUL characters are not allowed", code="nul")],
    )


def to_response(result: Any, status: int, annotation: Any = None) -> web.StreamResponse:
    """The handler's result as a response; `annotation` (the endpoint's response type) lets a
    list of models serialise without guessing each item's type."""
    if isinstance(result, web.StreamResponse):
        return result
    if result is None:
        return web.Response(status=204 if status == 200 else status)
    if isinstance(result, BaseModel):
        text = result.model_dump_json()
    else:
        adapter = _adapter(annotation if annotation is not None else type(result))
        text = adapter.dump_json(result).decode()
    return web.Response(status=status, text=text, content_type="application/json")


_adapters: dict[Any, TypeAdapter[Any]] = {}


def _adapter(annotation: Any) -> TypeAdapter[Any]:
    # Building an adapter costs far more than using one: one per response type.
    if annotation not in _adapters:
        _adapters[annotation] = TypeAdapter(annotation)
    return _adapters[annotation]


def openapi_document(api: Api, title: str, version: str) -> dict[str, Any]:
    components: dict[str, Any] = {}
    paths: dict[str, dict[str, Any]] = {}
    for endpoint in api.endpoints:
        paths.setdefault(_openapi_path(endpoint.path), {})[endpoint.method.lower()] = _operation(
            endpoint, components
        )
    _schema(Problem, components)
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
            },
        },
    }


def _openapi_path(path: str) -> str:
    """aiohttp's `{id:\\d+}` is OpenAPI's `{id}`."""
    return PATH_PARAMETER.sub(r"{\1}", path)


def _schema(annotation: Any, components: dict[str, Any]) -> dict[str, Any]:
    """The annotation's schema; models, top-level ones included, go to the components."""
    schema = TypeAdapter(annotation).json_schema(ref_template="#/components/schemas/{model}")
    components.update(schema.pop("$defs", {}))
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        components[annotation.__name__] = schema
        return {"$ref": f"#/components/schemas/{annotation.__name__}"}
    return schema


PROBLEM_CONTENT = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
ERROR_DESCRIPTIONS: dict[int, str] = {
    400: "Bad request: the body is not well-formed JSON",
    401: "Authentication required: no valid access token",
    403: "Forbidden: not open to this role, account or académie",
    404: "Not found: nothing answers to this path",
    409: "Conflict with the resource's current state (or an Idempotency-Key still in use)",
    410: "Gone: the resource existed and no longer does",
    412: "Precondition failed",
    413: "Request body too large",
    415: "Unsupported media type",
    422: "The request is not valid (each field named), or an Idempotency-Key reused "
    "with another body",
    429: "Too many requests: wait before trying again",
    503: "Service unavailable: a dependency (the database) is down; try again later",
}


def _operation(endpoint: Endpoint, components: dict[str, Any]) -> dict[str, Any]:
    success: dict[str, Any] = {"description": "Success"}
    if endpoint.response is not None:
        success["content"] = {
            "application/json": {"schema": _schema(endpoint.response, components)}
        }
    responses: dict[str, Any] = {str(endpoint.status): success}
    for status in error_statuses(endpoint):
        description = ERROR_DESCRIPTIONS.get(status, "Problem")
        responses[str(status)] = {"description": description, "content": PROBLEM_CONTENT}
    responses["default"] = {"description": "Problem", "content": PROBLEM_CONTENT}
    operation: dict[str, Any] = {
        "summary": endpoint.summary or endpoint.handler.__name__.replace("_", " "),
        "operationId": endpoint.handler.__name__,
        "tags": list(endpoint.tags),
        "responses": responses,
    }
    request_body = _request_body(endpoint, components)
    if request_body is not None:
        operation["requestBody"] = request_body
    parameters = _parameters(endpoint)
    if parameters:
        operation["parameters"] = parameters
    if endpoint.roles is not None:
        operation["security"] = [{"bearer": []}]
    return operation


def error_statuses(endpoint: Endpoint) -> list[int]:
    """The problems the operation may answer: those the Api answers by itself given the
    endpoint's options, the handler's own (`errors=`), and 503 (a database outage) always."""
    statuses = set(endpoint.errors) | {503}
    if endpoint.roles is not None:
        statuses |= {401, 403} if endpoint.roles else {401}
    if endpoint.body is not None:
        statuses |= {400, 413, 415, 422}
    if endpoint.media_types:
        statuses |= {413, 415}
    if endpoint.query is not None:
        statuses.add(422)
    if PATH_PARAMETER.search(endpoint.path):
        statuses.add(404)
    if endpoint.idempotent:
        statuses |= {409, 422}
    return sorted(statuses)


def _request_body(endpoint: Endpoint, components: dict[str, Any]) -> dict[str, Any] | None:
    content: dict[str, Any] = {}
    if endpoint.body is not None:
        content["application/json"] = {"schema": _schema(endpoint.body, components)}
    for media_type in endpoint.media_types:
        content[media_type] = {"schema": _raw_schema(media_type, endpoint.form_files)}
    return {"required": True, "content": content} if content else None


def _raw_schema(media_type: str, form_files: tuple[str, ...] = ()) -> dict[str, Any]:
    """What the handler reads itself: form parts it names, or bytes of the media type."""
    if media_type.startswith("multipart/"):
        if not form_files:
            return {"type": "object"}
        files = {name: {"type": "string", "format": "binary"} for name in form_files}
        return {"type": "object", "properties": files, "required": list(form_files)}
    return {"type": "string", "contentMediaType": media_type}


def _parameters(endpoint: Endpoint) -> list[dict[str, Any]]:
    parameters = _path_parameters(endpoint.path)
    if endpoint.query is not None:
        parameters += _query_parameters(endpoint.query)
    if endpoint.idempotent:
        parameters.append(
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": False,
                "schema": {"type": "string", "maxLength": 200},
            }
        )
    return parameters


def _path_parameters(path: str) -> list[dict[str, Any]]:
    return [
        {"name": name, "in": "path", "required": True, "schema": _path_schema(pattern)}
        for name, pattern in PATH_PARAMETER.findall(path)
    ]


def _path_schema(pattern: str) -> dict[str, Any]:
    """`{id:\\d+}` is a bigint id, `{kind:a|b}` one of its words, anything else a string."""
    if pattern == INTEGER:
        return {"type": "integer", "minimum": 0, "maximum": MAX_ID}
    if ALTERNATION.match(pattern):
        return {"type": "string", "enum": pattern.split("|")}
    return {"type": "string"}


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema()
    required = set(schema.get("required", []))
    return [
        {"name": name, "in": "query", "required": name in required, "schema": prop}
        for name, prop in schema.get("properties", {}).items()
    ]
