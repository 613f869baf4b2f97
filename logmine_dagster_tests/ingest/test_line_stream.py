"""The lines of a log file (`line_stream`): long lines handed out as memoryviews of the inflated
block, for the typed OTLP read, are the very bytes a split of the block gives."""

from __future__ import annotations

import gzip
import random

from logmine_dagster.ingest.line_stream import DECOMPRESSED_BLOCK, FileItems, OVERSIZED


def _items(path, max_line_bytes: int, views: bool) -> list:
    return [item for batch in FileItems(path, max_line_bytes, views=views) for item in batch]


def _as_bytes(items: list) -> list:
    return [item if item is OVERSIZED else bytes(item) for item in items]


def test_long_lines_come_as_views_holding_the_bytes_a_split_gives(tmp_path):
    rng = random.Random(11)
    max_line_bytes = 200_000
    lines = []
    # Export-sized lines across several 2 MiB blocks, with short lines, an empty line, a line longer
    # than the limit inside one block, and one so long it runs over blocks (skipped as it streams).
    for index in range(260):
        size = rng.choice([40_000, 60_000, 90_000, 120, 0])
        if index == 50:
            size = 250_000
        if index == 120:
            size = 3 * DECOMPRESSED_BLOCK
        lines.append(bytes(rng.choice(b'{}[]":,abc\\') for _ in range(size // 64)) * 64)
    path = tmp_path / "spans.jsonl.gz"
    path.write_bytes(gzip.compress(b"\n".join(lines)))  # no newline after the last line

    copied, viewed = _items(path, max_line_bytes, views=False), _items(path, max_line_bytes, views=True)

    assert _as_bytes(viewed) == copied
    assert all(item is OVERSIZED or item.__class__ is bytes for item in copied)
    assert sum(item.__class__ is memoryview for item in viewed) > 100
    assert copied.count(OVERSIZED) == 1 and sum(len(item) > max_line_bytes for item in copied if item is not OVERSIZED) == 1
    assert len(copied) == len(lines)


def test_short_lines_are_copied_as_before_even_where_views_are_taken(tmp_path):
    path = tmp_path / "records.jsonl.gz"
    path.write_bytes(gzip.compress(b"\n".join(b'{"request_id": "r%d"}' % i for i in range(50_000)) + b"\n"))
    items = _items(path, 1 << 20, views=True)
    assert len(items) == 50_000 and all(item.__class__ is bytes for item in items)
