"""Where the span/log join (`span_join`) keeps a large day: a private SQLite file in a temporary
folder, keyed by `traceId:spanId`, so a day whose spans all wait for their log content (openai-v2 in an
event mode) is joined in flat memory.

Order is kept as the in-memory join keeps it: waiting spans in the order their key was first seen (a
later span with the same key replaces the earlier one in its place), content in arrival order.
Rows are written in batches and read back in one ordered join (`joined`), not one query a span:
one statement a row was a fifth of an event-mode day's CPU.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import tempfile
from pathlib import Path
from typing import Iterator

import orjson


def _dump(value) -> bytes:
    try:
        return orjson.dumps(value)
    except TypeError:  # integers past 64 bits: the stdlib writes them (and NaN, which OTLP doubles may be)
        return json.dumps(value).encode("utf-8")


def _load(data: bytes):
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return json.loads(data)


BATCH = 500  # rows held before they are written (2,000 raised the peak RSS from 99 to 127 MB)


class JoinSpool:
    def __init__(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="logmine-join-")
        self._db = sqlite3.connect(Path(self._folder.name) / "join.sqlite3")
        self._db.executescript(
            """
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            CREATE TABLE content (seq INTEGER PRIMARY KEY, key TEXT NOT NULL, attrs BLOB NOT NULL, event BLOB);
            CREATE INDEX content_key ON content (key);
            CREATE TABLE waiting (seq INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, item BLOB NOT NULL,
                                  reason TEXT NOT NULL, source TEXT NOT NULL, line INTEGER NOT NULL);
            """
        )
        self._content_rows: list[tuple] = []
        self._waiting_rows: list[tuple] = []

    def _flush(self) -> None:
        if self._content_rows:
            self._db.executemany("INSERT INTO content (key, attrs, event) VALUES (?, ?, ?)", self._content_rows)
            self._content_rows.clear()
        if self._waiting_rows:
            self._db.executemany(
                "INSERT INTO waiting (key, item, reason, source, line) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET item = excluded.item, reason = excluded.reason, "
                "source = excluded.source, line = excluded.line",
                self._waiting_rows,
            )
            self._waiting_rows.clear()

    def add_content(self, key: str, attrs: dict, event: dict | None) -> None:
        self._content_rows.append((key, _dump(attrs), None if event is None else _dump(event)))
        if len(self._content_rows) >= BATCH:
            self._flush()

    def content(self, key: str) -> tuple[dict, list] | None:
        """The key's attributes merged in arrival order and its events, or None when none came."""
        self._flush()
        rows = self._db.execute("SELECT attrs, event FROM content WHERE key = ? ORDER BY seq", (key,)).fetchall()
        return _merged(rows)

    def add_waiting(self, key: str, span: dict, resource: dict, scope_name: str, attrs: dict, reason: str, source: str, line: int) -> None:
        self._waiting_rows.append((key, _dump([span, resource, scope_name, attrs]), reason, source, line))
        if len(self._waiting_rows) >= BATCH:
            self._flush()

    def waiting(self) -> Iterator[tuple[str, tuple, str, str, int]]:
        """(key, (span, resource, scope_name, attrs), reason, source, line) in the join's order."""
        self._flush()
        for key, item, reason, source, line in self._db.execute("SELECT key, item, reason, source, line FROM waiting ORDER BY seq"):
            yield key, tuple(_load(item)), reason, source, line

    def joined(self) -> Iterator[tuple[str, tuple, str, str, int, tuple[dict, list] | None]]:
        """`waiting()`'s rows, each with its `content(key)`, read in one ordered query."""
        self._flush()
        rows = self._db.execute(
            "SELECT w.key, w.item, w.reason, w.source, w.line, c.attrs, c.event FROM waiting w "
            "LEFT JOIN content c ON c.key = w.key ORDER BY w.seq, c.seq"
        )
        current, found = None, []
        for key, item, reason, source, line, attrs, event in rows:
            if current is not None and key != current[0]:
                yield *current, _merged(found)
                found = []
            if current is None or key != current[0]:
                # One string object per file, as the scan gives: the sampler tells files apart by identity.
                current = (key, tuple(_load(item)), reason, sys.intern(source), line)
            if attrs is not None:
                found.append((attrs, event))
        if current is not None:
            yield *current, _merged(found)

    def close(self) -> None:
        self._content_rows.clear()
        self._waiting_rows.clear()
        self._db.close()
        self._folder.cleanup()


def _merged(rows) -> tuple[dict, list] | None:
    """Content rows (attrs, event) of one key, in arrival order, as the join holds them."""
    if not rows:
        return None
    attrs, events = {}, []
    for stored_attrs, event in rows:
        attrs.update(_load(stored_attrs))
        if event is not None:
            events.append(_load(event))
    return attrs, events
