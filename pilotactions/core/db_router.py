"""Reads that may go to a PostgreSQL read replica (DATABASE_REPLICA_URL, alias "replica"), and only those.

A replica lags the primary by a moment. So nothing reads it by accident: only the code that says so, inside
`reading_from_replica()` — the bilan's computations and the raw exports (and later the API's reads). Within it,
ReplicaRouter sends the reads to "replica" except:
- inside a transaction the application opened on "default" (the transaction may have written, and its reads
  must see its own writes);
- after a write made within the same `reading_from_replica()` block (the bilan refreshes its stale aggregates
  on the primary, then reads them back: read-your-writes for the rest of the block).
Every write, and every read outside the block, goes to "default"; migrations run on "default" only.

settings/base.py installs the router only when DATABASE_REPLICA_URL is set; without it,
`reading_from_replica()` changes nothing. See docs/deployment.md, "Beyond one machine".
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connections

DEFAULT = "default"
REPLICA = "replica"


class _Block:
    """One `reading_from_replica()` block: whether a write was made in it."""

    __slots__ = ("wrote",)

    def __init__(self):
        self.wrote = False


_block: ContextVar[_Block | None] = ContextVar("reading_from_replica", default=None)


@contextmanager
def reading_from_replica():
    """Let the reads of this block go to the read replica (when one is configured). Nested blocks are one block."""
    if _block.get() is not None:
        yield
        return
    token = _block.set(_Block())
    try:
        yield
    finally:
        _block.reset(token)


def iterate_from_replica(iterable):
    """Iterate lazily, each step inside `reading_from_replica()`: for the rows of an export that a streamed
    response reads after the view has returned (the block is entered and left around each step, never across
    a `yield`, so that the context variable is reset in the context that set it)."""
    iterator = iter(iterable)
    while True:
        with reading_from_replica():
            try:
                item = next(iterator)
            except StopIteration:
                return
        yield item


def in_application_transaction(alias: str = DEFAULT) -> bool:
    """Whether the application opened a transaction on `alias` (the test case's own atomic blocks do not count:
    outside tests, no block is marked so)."""
    return any(not getattr(atomic, "_from_testcase", False) for atomic in connections[alias].atomic_blocks)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        block = _block.get()
        if block is None or block.wrote or in_application_transaction():
            return DEFAULT
        return REPLICA

    def db_for_write(self, model, **hints):
        block = _block.get()
        if block is not None:
            block.wrote = True
        return DEFAULT

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the primary's very rows: objects read from either may be related.
        if {obj1._state.db, obj2._state.db} <= {DEFAULT, REPLICA}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT
