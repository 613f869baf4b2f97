"""Where the span/log join (`span_join`) keeps a large day: a private SQLite file in a temporary
folder, keyed by `traceId:spanId`, so a day whose spans all wait for their log content (openai-v2 in an
event mode) is joined in flat memory.

Order is kept as the in-memory join keeps it: waiting spans in the order their key was first seen (a
later span with the same key replaces the earlier one in its place), content in arrival order.
"""

from __future__ import annotations

import json
import sqlite3
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

    def add_content(self, key: str, attrs: dict, event: dict | None) -> None:
        self._db.execute(
            "INSERT INTO content (key, attrs, event) VALUES (?, ?, ?)",
            (key, _dump(attrs), None if event is None else _dump(event)),
        )

    def content(self, key: str) -> tuple[dict, list] | None:
        """The key's attributes merged in arrival order and its events, or None when none came."""
        rows = self._db.execute("SELECT attrs, event FROM content WHERE key = ? ORDER BY seq", (key,)).fetchall()
        if not rows:
            return None
        attrs, events = {}, []
        for stored_attrs, event in rows:
            attrs.update(_load(stored_attrs))
            if event is not None:
                events.append(_load(event))
        return attrs, events

    def add_waiting(self, key: str, span: dict, resource: dict, scope_name: str, attrs: dict, reason: str, source: str, line: int) -> None:
        item = _dump([span, resource, scope_name, attrs])
        self._db.execute(
            "INSERT INTO waiting (key, item, reason, source, line) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (key) DO UPDATE SET item = excluded.item, reason = excluded.reason, "
            "source = excluded.source, line = excluded.line",
            (key, item, reason, source, line),
        )

    def waiting(self) -> Iterator[tuple[str, tuple, str, str, int]]:
        """(key, (span, resource, scope_name, attrs), reason, source, line) in the join's order."""
        for key, item, reason, source, line in self._db.execute("SELECT key, item, reason, source, line FROM waiting ORDER BY seq"):
            yield key, tuple(_load(item)), reason, source, line

    def close(self) -> None:
        self._db.close()
        self._folder.cleanup()
