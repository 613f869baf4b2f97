"""The eval set in the formats eval tools read. One small pure function per format, and `export`.

Every function takes eval cases (the dicts of eval_set.jsonl lines: id, category, input (a list of
OpenAI-style chat messages), expected_output, metadata) and keeps each case's id so results can be
joined back to the case. Formats and the documentation each one follows:

- promptfoo-yaml / promptfoo-jsonl: a list of promptfoo test cases (`tests: file://eval_set.yaml`):
  `description`, `vars`, `assert`, `metadata`.
  https://www.promptfoo.dev/docs/configuration/test-cases and /docs/configuration/reference
  The chat goes in `vars.messages`, used by a prompt file holding `{{ messages | dump }}`
  (https://promptfoo.dev/docs/configuration/chat, "Multishot conversations"); the reference answer
  is checked with the model-graded `factuality` assertion, whose `value` is the reference.
- openai-evals: samples JSONL for openai/evals basic templates (Match, Includes, FuzzyMatch):
  `input` in chat format, `ideal` the reference answer (docs/build-eval.md, "Formatting your data";
  a sample may carry extra keys, the templates read only theirs).
- inspect: JSONL read by `inspect_ai.dataset.json_dataset` with its default FieldSpec: `input`,
  `target`, `id`, `metadata` (https://inspect.aisi.org.uk/datasets.html, "Dataset Samples"; chat
  messages as `inspect_ai/dataset/_util.py:read_messages` reads them: role system|user|assistant|tool,
  content required, assistant `tool_calls` as inspect ToolCall {id, function, arguments: object}).
- deepeval: a JSON array of goldens read by `EvaluationDataset.add_goldens_from_json_file` with its
  default key names: `input` (a string), `expected_output`, `name`, `comments`, `additional_metadata`
  (https://deepeval.com/docs/evaluation-datasets).
- parquet: one row per case, plus README.md beside it: a Hugging Face dataset card (YAML front matter
  with `configs`/`data_files` and `dataset_info.features`, https://huggingface.co/docs/hub/datasets-cards
  and /docs/hub/datasets-manual-configuration).

Every format carries each case's `origin` ('mined' or 'synthetic'), `rubric_notes` (None when the
reviewer wrote none) and `tags` (a list, maybe empty) in its metadata (Parquet: columns).

Reviewers: public exports name a reviewer by a keyed pseudonym (`r_` + 24 hex digits of an HMAC
under LOGMINE_HASH_KEY): stable across releases, so agreement per reviewer can still be studied,
and not reversible or confirmable by guessing names without the key. Their names are exported only
when asked for (`reviewer_names=True`, `logmine evalset export --reviewer-names`). Without a key and
without names the reviewer field is None.

Everything is sanitised text already; nothing here adds content that is not in eval_set.jsonl.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Callable

from logmine_dagster.sanitise.export_gate import check_cases_for_export

FORMATS = ("promptfoo-yaml", "promptfoo-jsonl", "openai-evals", "inspect", "deepeval", "parquet")

# File name each format gets when all are materialised into one folder.
DEFAULT_FILE_NAMES = {
    "promptfoo-yaml": "promptfoo_tests.yaml",
    "promptfoo-jsonl": "promptfoo_tests.jsonl",
    "openai-evals": "openai_evals_samples.jsonl",
    "inspect": "inspect_dataset.jsonl",
    "deepeval": "deepeval_goldens.json",
    "parquet": "eval_set.parquet",
}

PROMPTFOO_ASSERT_TYPE = "factuality"


# ---------------------------------------------------------------- message helpers


def _text(content) -> str:
    """Message content as one string: text parts joined, null as empty, anything else as JSON."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = []
        for part in content:
            if isinstance(part, dict) and isinstance(part.get("text"), str):
                parts.append(part["text"])
            elif isinstance(part, str):
                parts.append(part)
            else:
                parts.append(json.dumps(part, ensure_ascii=False))
        return "\n".join(parts)
    return json.dumps(content, ensure_ascii=False)


def last_user_text(messages: list[dict]) -> str:
    """The last user turn: what a single-string tool (DeepEval) takes as the input."""
    for message in reversed(messages):
        if message.get("role") == "user":
            text = _text(message.get("content"))
            if text.strip():
                return text
    return transcript(messages)


def transcript(messages: list[dict]) -> str:
    lines = []
    for message in messages:
        text = _text(message.get("content"))
        for call in message.get("tool_calls") or []:
            function = call.get("function") or {}
            text += f"[tool call {function.get('name')}({function.get('arguments', '')})]"
        lines.append(f"{message.get('role')}: {text}")
    return "\n".join(lines)


def _openai_messages(messages: list[dict]) -> list[dict]:
    """OpenAI chat format with string content everywhere (openai/evals types a message as
    Dict[str, str] and renders `content` as text for completion models). Tool calls stay as they are."""
    out = []
    for message in messages:
        item = copy.deepcopy(message)
        item["content"] = _text(message.get("content"))
        out.append(item)
    return out


def _inspect_tool_call(call: dict) -> dict:
    function = call.get("function") or {}
    raw = function.get("arguments")
    parse_error = None
    if isinstance(raw, dict):
        arguments = raw
    else:
        try:
            arguments = json.loads(raw) if raw else {}
        except (TypeError, ValueError):
            arguments, parse_error = {}, "arguments are not valid JSON"
        if not isinstance(arguments, dict):
            arguments, parse_error = {"value": arguments}, "arguments are not a JSON object"
    item = {"id": str(call.get("id") or ""), "function": str(function.get("name") or ""), "arguments": arguments, "type": "function"}
    if parse_error:
        item["parse_error"] = parse_error
    return item


def _inspect_messages(messages: list[dict]) -> list[dict]:
    """Messages as inspect_ai's dataset reader accepts them (see module docstring)."""
    names: dict[str, str] = {}
    out = []
    for message in messages:
        role = message.get("role")
        content = _text(message.get("content"))
        if role in ("system", "developer"):
            out.append({"role": "system", "content": content})
        elif role == "user":
            out.append({"role": "user", "content": content})
        elif role == "assistant":
            item = {"role": "assistant", "content": content}
            calls = [_inspect_tool_call(c) for c in message.get("tool_calls") or [] if isinstance(c, dict)]
            if calls:
                item["tool_calls"] = calls
                names.update({c["id"]: c["function"] for c in calls})
            out.append(item)
        elif role in ("tool", "function"):
            item = {"role": "tool", "content": content}
            call_id = message.get("tool_call_id")
            if call_id:
                item["tool_call_id"] = call_id
            function = names.get(call_id) or message.get("name")
            if function:
                item["function"] = function
            out.append(item)
        else:
            out.append({"role": "user", "content": content})
    return out


def _metadata(case: dict) -> dict:
    """Case metadata for tools that carry it, always with the id, category, origin, notes and tags."""
    metadata = copy.deepcopy(case.get("metadata") or {})
    metadata["origin"] = metadata.get("origin") or "mined"
    metadata["rubric_notes"] = metadata.get("rubric_notes") or None
    metadata["tags"] = list(metadata.get("tags") or [])
    return {"case_id": case["id"], "category": case["category"], **metadata}


def public_reviewers(cases: list[dict], *, key: bytes | None, names: bool = False) -> list[dict]:
    """Cases with `metadata.reviewer` as a keyed pseudonym (None without a key), or unchanged with `names`."""
    if names:
        return cases
    from logmine_dagster.sanitise.pseudonyms import pseudonym

    out = []
    for case in cases:
        item = dict(case)
        metadata = dict(case.get("metadata") or {})
        reviewer = metadata.get("reviewer")
        metadata["reviewer"] = pseudonym(key, "reviewer", reviewer) if (key and reviewer) else None
        item["metadata"] = metadata
        out.append(item)
    return out


# ---------------------------------------------------------------- one function per format


def to_promptfoo_tests(cases: list[dict], assert_type: str = PROMPTFOO_ASSERT_TYPE) -> list[dict]:
    return [
        {
            "description": case["id"],
            "vars": {"messages": copy.deepcopy(case["input"]), "input": last_user_text(case["input"])},
            "assert": [{"type": assert_type, "value": case["expected_output"]}],
            "metadata": _metadata(case),
        }
        for case in cases
    ]


def to_openai_evals_samples(cases: list[dict]) -> list[dict]:
    return [
        {"input": _openai_messages(case["input"]), "ideal": case["expected_output"], "id": case["id"], "metadata": _metadata(case)}
        for case in cases
    ]


def to_inspect_samples(cases: list[dict]) -> list[dict]:
    return [
        {"id": case["id"], "input": _inspect_messages(case["input"]), "target": case["expected_output"], "metadata": _metadata(case)}
        for case in cases
    ]


def to_deepeval_goldens(cases: list[dict]) -> list[dict]:
    return [
        {
            "input": last_user_text(case["input"]),
            "expected_output": case["expected_output"],
            "name": case["id"],
            "comments": f"logmine eval case {case['id']} ({case['category']})",
            # The whole conversation, so an app under test can be called with it.
            "additional_metadata": {**_metadata(case), "messages": copy.deepcopy(case["input"])},
        }
        for case in cases
    ]


def to_parquet_rows(cases: list[dict]) -> list[dict]:
    """Flat rows; `input` is the exact chat as JSON (messages vary too much for one nested schema)."""
    rows = []
    for case in cases:
        metadata = case.get("metadata") or {}
        rows.append(
            {
                "id": case["id"],
                "category": case["category"],
                "input": json.dumps(case["input"], ensure_ascii=False),
                "last_user_message": last_user_text(case["input"]),
                "expected_output": case["expected_output"],
                "added_week": metadata.get("added_week"),
                "source_day": metadata.get("source_day"),
                "reasons": list(metadata.get("reasons") or []),
                "reviewer": metadata.get("reviewer"),
                "labelled_at": metadata.get("labelled_at"),
                "origin": metadata.get("origin") or "mined",
                "source": metadata.get("source"),
                "rubric_notes": metadata.get("rubric_notes") or None,
                "tags": list(metadata.get("tags") or []),
            }
        )
    return rows


PARQUET_FEATURES = [
    ("id", "string"),
    ("category", "string"),
    ("input", "string"),
    ("last_user_message", "string"),
    ("expected_output", "string"),
    ("added_week", "string"),
    ("source_day", "string"),
    ("reasons", "list<string>"),
    ("reviewer", "string"),
    ("labelled_at", "string"),
    ("origin", "string"),
    ("source", "string"),
    ("rubric_notes", "string"),
    ("tags", "list<string>"),
]


def _arrow_schema():
    import pyarrow as pa

    types = {"string": pa.string(), "list<string>": pa.list_(pa.string())}
    return pa.schema([(name, types[kind]) for name, kind in PARQUET_FEATURES])


def _size_category(n: int) -> str:
    for bound, label in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M")):
        if n < bound:
            return label
    return "n>1M"


def dataset_card(cases: list[dict], data_file: str, *, pretty_name: str = "logmine eval set", license: str = "other") -> str:
    """A Hugging Face dataset card (README.md): YAML front matter, then prose. Counts only, no text."""
    import yaml

    categories: dict[str, int] = {}
    for case in cases:
        categories[case["category"]] = categories.get(case["category"], 0) + 1
    features = []
    for name, kind in PARQUET_FEATURES:
        if kind == "list<string>":
            features.append({"name": name, "sequence": "string"})
        else:
            features.append({"name": name, "dtype": kind})
    front = {
        "pretty_name": pretty_name,
        "license": license,
        "language": ["en"],
        "task_categories": ["text-generation"],
        "size_categories": [_size_category(len(cases))],
        "tags": ["evaluation", "llm", "production-logs", "pii-free"],
        "configs": [{"config_name": "default", "data_files": [{"split": "test", "path": data_file}]}],
        "dataset_info": {
            "features": features,
            "splits": [{"name": "test", "num_examples": len(cases)}],
        },
    }
    origins: dict[tuple[str, str], int] = {}
    for case in cases:
        origin = (case.get("metadata") or {}).get("origin") or "mined"
        origins[(case["category"], origin)] = origins.get((case["category"], origin), 0) + 1
    lines = [
        f"| {name} | {origins.get((name, 'mined'), 0)} | {origins.get((name, 'synthetic'), 0)} | {count} |"
        for name, count in sorted(categories.items())
    ]
    mined_total = sum(v for (_, o), v in origins.items() if o == "mined")
    body = "\n".join(
        [
            f"# {pretty_name}",
            "",
            "Human-labelled eval cases mined from production LLM logs by logmine. Every text field was",
            "sanitised (typed placeholders such as `<PERSON>`), re-scanned by an independent gate, and every",
            "case was accepted by a named reviewer who wrote its expected output.",
            "",
            "## Fields",
            "",
            "- `id`: pseudonymous case id, stable across releases",
            "- `category`: adversarial, drift, edge_case or happy_path",
            "- `input`: the conversation sent to the model, OpenAI chat messages as a JSON string",
            "- `last_user_message`: the last user turn, as text",
            "- `expected_output`: the reviewer's reference answer",
            "- `added_week`, `source_day`, `reasons`, `labelled_at`: provenance",
            "- `reviewer`: who accepted the case, as a keyed pseudonym (`r_...`) unless names were exported",
            "- `origin`: `mined` (from production logs) or `synthetic` (imported; `source` names where from)",
            "- `rubric_notes`, `tags`: the reviewer's grading notes and tags, when written",
            "",
            "## Cases by category",
            "",
            "| category | mined | synthetic | cases |",
            "| --- | ---: | ---: | ---: |",
            *lines,
            f"| total | {mined_total} | {len(cases) - mined_total} | {len(cases)} |",
            "",
        ]
    )
    return "---\n" + yaml.safe_dump(front, sort_keys=False, allow_unicode=True) + "---\n\n" + body


# ---------------------------------------------------------------- writing


def _write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    """Write beside the target, then rename: readers never see a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    try:
        write(partial)
        os.replace(partial, path)
    finally:
        if partial.exists():
            partial.unlink()


def _jsonl_writer(items: list[dict]) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        with open(path, "w", encoding="utf-8") as handle:
            for item in items:
                handle.write(json.dumps(item, ensure_ascii=False) + "\n")

    return write


def export(
    cases: list[dict], fmt: str, out_path: Path | str, *, reviewer_key: bytes | None = None, reviewer_names: bool = False
) -> list[Path]:
    """Write `cases` in format `fmt` to `out_path`; returns the files written (Parquet adds README.md).

    Reviewers appear as keyed pseudonyms under `reviewer_key` (None without one), by name only
    with `reviewer_names` (module docstring)."""
    out_path = Path(out_path)
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}: use one of {', '.join(FORMATS)}")
    check_cases_for_export(cases, f"the {fmt} export")  # the residual gate's last look before a file
    cases = public_reviewers(cases, key=reviewer_key, names=reviewer_names)
    if fmt == "promptfoo-yaml":
        import yaml

        tests = to_promptfoo_tests(cases)

        def write(path: Path) -> None:
            with open(path, "w", encoding="utf-8") as handle:
                yaml.safe_dump(tests, handle, sort_keys=False, allow_unicode=True, width=1_000_000)

        _write_atomic(out_path, write)
        return [out_path]
    if fmt == "promptfoo-jsonl":
        _write_atomic(out_path, _jsonl_writer(to_promptfoo_tests(cases)))
        return [out_path]
    if fmt == "openai-evals":
        _write_atomic(out_path, _jsonl_writer(to_openai_evals_samples(cases)))
        return [out_path]
    if fmt == "inspect":
        _write_atomic(out_path, _jsonl_writer(to_inspect_samples(cases)))
        return [out_path]
    if fmt == "deepeval":
        goldens = to_deepeval_goldens(cases)

        def write(path: Path) -> None:
            with open(path, "w", encoding="utf-8") as handle:
                json.dump(goldens, handle, ensure_ascii=False, indent=1)

        _write_atomic(out_path, write)
        return [out_path]
    # parquet
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pylist(to_parquet_rows(cases), schema=_arrow_schema())
    _write_atomic(out_path, lambda path: pq.write_table(table, path))
    card = out_path.with_name("README.md")
    _write_atomic(card, lambda path: path.write_text(dataset_card(cases, out_path.name), encoding="utf-8"))
    return [out_path, card]


def export_all(
    cases: list[dict], out_dir: Path | str, *, reviewer_key: bytes | None = None, reviewer_names: bool = False
) -> dict[str, list[Path]]:
    """Every format into one folder (the materialised files for the latest eval set)."""
    out_dir = Path(out_dir)
    return {
        fmt: export(cases, fmt, out_dir / DEFAULT_FILE_NAMES[fmt], reviewer_key=reviewer_key, reviewer_names=reviewer_names)
        for fmt in FORMATS
    }
