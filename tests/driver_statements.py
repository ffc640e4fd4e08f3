"""Every statement the database receives, counted at the driver, below SQLAlchemy.

SQLAlchemy's `before_cursor_execute` event sees only the statements SQLAlchemy itself builds
and sends through a cursor; a change in how statements are built or sent could hide one
from it. The log here listens one level further down:

- SQLite: sqlite3's `Connection.set_trace_callback` on the raw sqlite3 connection under
  aiosqlite (set in aiosqlite's own thread, through `aiosqlite.Connection.set_trace_callback`).
  SQLite calls it for every statement it runs, the driver's own `BEGIN`/`COMMIT` included.
- PostgreSQL: the frontend messages asyncpg writes to the socket. asyncpg's
  `Connection.add_query_logger` is no help here: in asyncpg 0.32 it logs only
  `Connection.execute/fetch*/executemany`, never a `PreparedStatement`'s execution, and
  SQLAlchemy's asyncpg dialect runs every statement as `prepare()` then
  `PreparedStatement.fetch()`; the logger would see the `BEGIN;` and `ROLLBACK;` around a
  query and not the query. So the log wraps the write methods of the connection's asyncio
  transport (`asyncpg.Connection._transport`, the one private attribute relied on) and reads
  the PostgreSQL wire protocol: each simple `Query` message and each `Execute` of the
  extended protocol is one statement the server runs. The server also receives `Parse`
  messages (a statement prepared, once per connection: SQLAlchemy caches prepared statements
  per connection, so whether a statement is parsed again depends on which pooled connection it
  lands on); they are kept in `prepared`, for diagnosis, and not counted.

What is counted: everything sent on a pooled connection from the moment it is checked out of
the pool, while `recording()` is on, including the transaction statements that SQLAlchemy's
asyncpg dialect wraps around each use of a connection (`BEGIN;` … `ROLLBACK;`) and the pool's
reset when the connection is returned. Statements that set up a brand-new connection (SQLite's
PRAGMAs, the asyncpg dialect's JSON codec introspection, `SELECT pg_catalog.version()` and the
other queries of the dialect's first connect) run before its first checkout, when no hook is
installed yet, so they are never counted, however many connections a request opens.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.pool import ConnectionPoolEntry, Pool, PoolProxiedConnection

# The key under which a pooled connection's record remembers the log that hooked it.
_HOOKED = "tests.driver_statements"


@dataclass
class _FrontendStream:
    """Reads the PostgreSQL frontend messages one connection writes (after its startup)."""

    log: DriverStatements
    buffer: bytearray = field(default_factory=bytearray)
    statements_by_name: dict[str, str] = field(default_factory=dict)
    statement_by_portal: dict[str, str] = field(default_factory=dict)

    def feed(self, data: bytes | bytearray | memoryview) -> None:
        self.buffer += data
        while len(self.buffer) >= 5:
            # A type byte, then the length of the message without the type byte.
            length = int.from_bytes(self.buffer[1:5], "big")
            if len(self.buffer) < 1 + length:
                return
            kind, body = bytes(self.buffer[:1]), bytes(self.buffer[5 : 1 + length])
            del self.buffer[: 1 + length]
            self._message(kind, body)

    def _message(self, kind: bytes, body: bytes) -> None:
        if kind == b"Q":  # Query: simple protocol, run at once
            self.log.received(body.rstrip(b"\0").decode())
        elif kind == b"P":  # Parse: statement name, text, parameter types
            name, sql = body.split(b"\0")[:2]
            self.statements_by_name[name.decode()] = sql.decode()
            self.log.prepared.append(sql.decode())
        elif kind == b"B":  # Bind: portal name, statement name, parameters
            portal, name = body.split(b"\0")[:2]
            self.statement_by_portal[portal.decode()] = name.decode()
        elif kind == b"E":  # Execute: portal name, row limit
            name = self.statement_by_portal.get(body.split(b"\0")[0].decode(), "")
            sql = self.statements_by_name.get(name, f"<statement {name!r} prepared earlier>")
            self.log.received(sql)


class DriverStatements:
    """The statements the database receives while `recording()` is on, in order."""

    def __init__(self, backend: str) -> None:
        self.backend = backend  # "sqlite" or "postgresql"
        self.statements: list[str] = []
        self.prepared: list[str] = []  # PostgreSQL Parse messages: not statements run
        self._recording = False

    @contextmanager
    def recording(self) -> Iterator[DriverStatements]:
        """Record from empty until the block ends."""
        self.statements.clear()
        self.prepared.clear()
        self._recording = True
        try:
            yield self
        finally:
            self._recording = False

    def received(self, sql: str) -> None:
        if self._recording:
            self.statements.append(sql)

    def selects(self) -> list[str]:
        """The statements that read rows (every statement but transaction control)."""
        return [s for s in self.statements if _first_word(s) not in TRANSACTION_CONTROL]

    def describe(self) -> str:
        """The log, one statement a line, for assertion messages."""
        lines = [f"{len(self.statements)} statements on {self.backend}:"]
        lines += [f"  {' '.join(s.split())[:160]}" for s in self.statements]
        return "\n".join(lines)

    def attach(self) -> None:
        event.listen(Pool, "checkout", self._on_checkout)

    def detach(self) -> None:
        event.remove(Pool, "checkout", self._on_checkout)

    def _on_checkout(
        self,
        dbapi_connection: Any,
        record: ConnectionPoolEntry,
        _proxy: PoolProxiedConnection,
    ) -> None:
        # Hooked once per connection, at its first checkout: after its setup statements.
        if record.info.get(_HOOKED) is self:
            return
        record.info[_HOOKED] = self
        driver = dbapi_connection.driver_connection
        if self.backend == "sqlite":
            # In aiosqlite's thread, where the sqlite3 connection lives.
            dbapi_connection.run_async(lambda conn: conn.set_trace_callback(self.received))
        else:
            _tap(driver._transport, _FrontendStream(self))


def _tap(transport: Any, stream: _FrontendStream) -> None:
    """Feed every byte written to the transport to the stream as well."""
    write, writelines = transport.write, transport.writelines
    inside_writelines = False

    def tapped_write(data: Any) -> None:
        if not inside_writelines:  # asyncio's writelines may call write with the joined bytes
            stream.feed(data)
        write(data)

    def tapped_writelines(buffers: Any) -> None:
        nonlocal inside_writelines
        buffers = list(buffers)
        for data in buffers:
            stream.feed(data)
        inside_writelines = True
        try:
            writelines(buffers)
        finally:
            inside_writelines = False

    transport.write = tapped_write
    transport.writelines = tapped_writelines


TRANSACTION_CONTROL = frozenset({"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"})


def _first_word(sql: str) -> str:
    words = sql.replace(";", " ").split()
    return words[0].upper() if words else ""
