"""Reading JSON that people hand us (decision files, Label Studio exports, synthetic cases, CLI input)
with a bound on nesting: `json` recurses once per level, so a file of a few hundred kilobytes of
brackets raised RecursionError (a traceback, or a 500 in the review app) instead of a clear error."""

from __future__ import annotations

import json
from typing import Any

from logmine_dagster.core.errors import LogmineError

# Real files nest a handful of levels (a Label Studio task: about 8); anything past this is refused.
MAX_DEPTH = 64


class JsonTooDeep(LogmineError, json.JSONDecodeError):
    """A JSON document nested past MAX_DEPTH. A `JSONDecodeError` (so a `ValueError`): every reader
    that reports malformed JSON reports this too, with `msg` saying why."""

    def __init__(self, max_depth: int):
        super().__init__(f"nested deeper than {max_depth} levels", "", 0)

    def __str__(self) -> str:
        return self.msg


def nested_deeper_than(value: Any, limit: int) -> bool:
    """Whether `value`'s dicts and lists nest more than `limit` levels (iterative: no recursion limit)."""
    level = [value]
    for _ in range(limit):
        level = [child for item in level for child in (item.values() if isinstance(item, dict) else item) if isinstance(child, (dict, list))]
        if not level:
            return False
    return True


def loads_bounded(text: str | bytes, max_depth: int = MAX_DEPTH) -> Any:
    """`json.loads`, raising JsonTooDeep for a document nested past `max_depth`."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise JsonTooDeep(max_depth) from None
    if isinstance(value, (dict, list)) and nested_deeper_than([value], max_depth):
        raise JsonTooDeep(max_depth)
    return value
