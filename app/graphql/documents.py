"""Persisted documents: automatic persisted queries (Apollo's protocol) and trusted
documents (a list of the only documents the server runs).

A request names a document by `extensions.persistedQuery.sha256Hash` (with `version: 1`)
or by `documentId: "sha256:<hex>"` (the GraphQL over HTTP persisted-documents proposal);
both come here as the hash.

- Without a trusted list, any document runs. A hash without its text runs the text stored
  for it, or answers PERSISTED_QUERY_NOT_FOUND so that the client sends it again with the
  text; a hash with its text is checked against it (a mismatch is BAD_USER_INPUT) and
  stored. The store is a bounded LRU, in Redis (shared by every process) where REDIS_URL is
  set, else in the process.
- With a trusted list (AUDIENCE_STATS_TRUSTED_DOCUMENTS), only its documents run, named by
  their hash: a request without one is PERSISTED_QUERY_ID_REQUIRED, a hash not in the list
  PERSISTED_QUERY_NOT_IN_LIST. Each document is parsed and validated when the server starts.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections import OrderedDict
from pathlib import Path
from typing import Any, Protocol

from graphql import GraphQLSchema, parse, validate

from app.errors import AppError, BadInput, ErrorCode
from app.redis_link import RedisLink

MAX_STORED = 1_000  # documents a process keeps for automatic persisted queries
STORED_SECONDS = 24 * 3600  # how long Redis keeps one that nobody asks for
_HASH = re.compile(r"[0-9a-f]{64}")

logger = logging.getLogger("app.graphql.documents")


class PersistedQueryError(AppError):
    """A persisted document that cannot run; the client learns what to send instead."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code


def not_found() -> PersistedQueryError:
    return PersistedQueryError(
        ErrorCode.PERSISTED_QUERY_NOT_FOUND,
        "PersistedQueryNotFound: send the query with its hash.",
    )


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def requested_hash(extensions: Any, document_id: Any) -> str | None:
    """The hash a request names, if any; BadInput when it names one badly."""
    if document_id is not None:
        if not isinstance(document_id, str) or not document_id.startswith("sha256:"):
            raise BadInput("documentId", 'must be "sha256:" and the hex digest of a document')
        return _hex(document_id.removeprefix("sha256:"), "documentId")
    persisted = extensions.get("persistedQuery") if isinstance(extensions, dict) else None
    if persisted is None:
        return None
    if not isinstance(persisted, dict) or persisted.get("version") != 1:
        raise BadInput("extensions.persistedQuery", "only version 1 is supported")
    return _hex(persisted.get("sha256Hash"), "extensions.persistedQuery.sha256Hash")


def _hex(value: Any, field: str) -> str:
    if not isinstance(value, str) or not _HASH.fullmatch(value.lower()):
        raise BadInput(field, "must be the SHA-256 hex digest of the document (64 characters)")
    return value.lower()


class Store(Protocol):
    async def get(self, digest: str) -> str | None: ...

    async def put(self, digest: str, text: str) -> None: ...

    async def close(self) -> None: ...


class LocalStore:
    """The most recently used documents of this process."""

    def __init__(self, size: int = MAX_STORED) -> None:
        self._size = size
        self._texts: OrderedDict[str, str] = OrderedDict()

    async def get(self, digest: str) -> str | None:
        text = self._texts.get(digest)
        if text is not None:
            self._texts.move_to_end(digest)
        return text

    async def put(self, digest: str, text: str) -> None:
        self._texts[digest] = text
        self._texts.move_to_end(digest)
        while len(self._texts) > self._size:
            self._texts.popitem(last=False)

    async def close(self) -> None:
        return None


class SharedStore:
    """Documents in Redis under `prefix`, each kept a day after its last use (Redis evicts
    the least recently used first when full); this process's own LRU answers first, and
    alone while Redis does not answer (a miss there only makes a client resend its text)."""

    def __init__(self, url: str, prefix: str) -> None:
        self._prefix = prefix
        self._link = RedisLink(url, "persisted queries", logger)
        self._local = LocalStore()

    async def get(self, digest: str) -> str | None:
        text = await self._local.get(digest)
        if text is None:
            redis = self._link.redis
            found = await self._link.ask(lambda: redis.getex(self._key(digest), ex=STORED_SECONDS))
            if found is not None:
                text = found.decode() if isinstance(found, bytes) else str(found)
                await self._local.put(digest, text)
        return text

    async def put(self, digest: str, text: str) -> None:
        await self._local.put(digest, text)
        redis = self._link.redis
        await self._link.ask(lambda: redis.set(self._key(digest), text, ex=STORED_SECONDS))

    async def close(self) -> None:
        await self._link.close()

    def _key(self, digest: str) -> str:
        return f"{self._prefix}:document:{digest}"


def store_for(redis_url: str | None, prefix: str) -> Store:
    return SharedStore(redis_url, prefix) if redis_url else LocalStore()


def load_trusted(path: Path, schema: GraphQLSchema) -> dict[str, str]:
    """The trusted documents of a persisted-documents file (GraphQL Code Generator's client
    preset writes `{"<sha256 hex>": "<document>", …}`), each checked: its hash is the
    SHA-256 of its text, and it parses and validates against the schema. ValueError says
    which is not."""
    try:
        documents = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise ValueError(f"{path}: cannot read a JSON object: {error}") from None
    if not isinstance(documents, dict):
        raise ValueError(f"{path}: must hold a JSON object of hashes and documents")
    trusted = {}
    for digest, text in documents.items():
        if not isinstance(text, str) or sha256(text) != str(digest).lower():
            raise ValueError(f"{path}: {digest} is not the SHA-256 of its document")
        errors = validate(schema, parse(text))
        if errors:
            raise ValueError(f"{path}: document {digest} does not validate: {errors[0].message}")
        trusted[str(digest).lower()] = text
    return trusted


class Documents:
    """What a request runs: its own text, or the persisted document it names."""

    def __init__(self, store: Store, trusted: dict[str, str] | None) -> None:
        self.store = store
        self.trusted = trusted

    async def query(self, text: str | None, extensions: Any, document_id: Any) -> str | None:
        digest = requested_hash(extensions, document_id)
        if self.trusted is not None:
            if digest is None:
                raise PersistedQueryError(
                    ErrorCode.PERSISTED_QUERY_ID_REQUIRED,
                    "This server runs trusted documents only: send the document's hash "
                    '(extensions.persistedQuery.sha256Hash, or documentId "sha256:…").',
                )
            trusted = self.trusted.get(digest)
            if trusted is None:
                raise PersistedQueryError(
                    ErrorCode.PERSISTED_QUERY_NOT_IN_LIST,
                    f"The document {digest} is not one of this server's trusted documents.",
                )
            if text is not None and text != trusted:
                raise BadInput("query", "is not the text of the trusted document named")
            return trusted
        if digest is None:
            return text
        if text is None:
            stored = await self.store.get(digest)
            if stored is None:
                raise not_found()
            return stored
        if sha256(text) != digest:
            raise BadInput(
                "extensions.persistedQuery.sha256Hash", "is not the SHA-256 of the query"
            )
        await self.store.put(digest, text)
        return text
