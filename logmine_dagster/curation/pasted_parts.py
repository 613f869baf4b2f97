"""Where each piece of a record's input comes from: the user's own words, or content the user
pasted, a retrieval step inserted, or a tool returned.

Instructions inside content the user did not write are indirect injection (Greshake et al. 2023):
the e-mail the user asks to summarise, the web page a search tool fetched. They are scored apart
from the user's words (curation/indirect.py) so that a planted line is neither diluted by the
request around it nor blamed on the user. Sources:

- `tool_result`: a `tool`/`function` message, or an Anthropic-style `tool_result` content part.
- `document`: a retrieved document: a `document` content part, or a `<document>` / `<context>` /
  `<search_results>`-tagged block in a user or system message (RAG prompt templates).
- `pasted`: inside a user message, a code fence, a `\"\"\"` block, `>`-quoted lines, an e-mail from
  its header lines (`From:`, `Subject:` ...), a block between `---` lines, or everything after a
  first line that announces content ("summarise this email:", "here is the article").

Limits: the cues are English and structural; pasted text with no fence, quote, header or
announcing first line stays part of the user's words (scored whole, as before).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

SOURCES = ("tool_result", "document", "pasted")
_TOOL_ROLES = ("tool", "function")
# Shorter than this after an announcing line is a question, not pasted content.
MIN_PASTED_CHARS = 60

_DOC_TAG = re.compile(r"<(document|doc|context|retrieved|search_results?|source|webpage|email)\b[^>]*>(.*?)(?:</\1\s*>|\Z)",
                      re.S | re.I)
# The opening fence's line holds only a language tag ("python", "c++"), and only when a line break
# follows: a fence opened and closed on one line (```payload```) holds its content on that line,
# which a rest-of-line info string would swallow and drop from both the user's words and the parts.
_FENCE = re.compile(r"```(?:[\w+#.-]*[ \t]*\n)?(.*?)(?:```|\Z)", re.S)
_TRIPLE_QUOTE = re.compile(r'"""(.*?)(?:"""|\Z)', re.S)
_HEADER = re.compile(r"^\s*(?:from|to|cc|subject|date|sent|reply-to)\s*:", re.I)
_DELIMITER = re.compile(r"^\s*(?:-{3,}|={3,}|_{3,}|\*{3,})\s*$")
_CUE = re.compile(
    r"\b(?:e-?mails?|mail|message|letter|document|doc|article|text|transcript|page|post|note|notes|paragraph|passage|"
    r"code|function|snippet|script|readme|file|review|feedback|complaint|report|thread|chat|following|below|attached)\b",
    re.I,
)


@dataclass(frozen=True)
class Part:
    source: str  # one of SOURCES
    text: str


def record_parts(record: dict) -> list[Part]:
    """Every piece of a record's input that the user did not write, in message order."""
    parts: list[Part] = []
    for message in record.get("input") or []:
        if not isinstance(message, dict):
            continue
        role, content = message.get("role"), message.get("content")
        if role in _TOOL_ROLES:
            text = _content_text(content)
            if text:
                parts.append(Part("tool_result", text))
        elif role in ("user", "system"):
            parts.extend(_message_parts(role, content))
    return parts


def _message_parts(role: str, content) -> list[Part]:
    parts: list[Part] = []
    texts: list[str] = []
    if isinstance(content, str):
        texts.append(content)
    elif isinstance(content, list):
        for piece in content:
            if not isinstance(piece, dict):
                continue
            kind = piece.get("type")
            if kind == "tool_result":
                text = _content_text(piece.get("content"))
                parts.extend([Part("tool_result", text)] if text else [])
            elif kind == "document":
                text = _content_text(piece.get("source") or piece.get("content") or piece.get("text"))
                parts.extend([Part("document", text)] if text else [])
            elif isinstance(piece.get("text"), str):
                texts.append(piece["text"])
    for text in texts:
        # The system prompt is the operator's words: only retrieved documents inside it are content.
        parts.extend(split_message(text)[1] if role == "user" else _documents(text)[1])
    return parts


def split_message(text: str) -> tuple[str, list[Part]]:
    """(the user's own words, the pasted and retrieved parts) of one user message."""
    own, parts = _documents(text)
    own, fenced = _cut(_FENCE, own)
    own, quoted = _cut(_TRIPLE_QUOTE, own)
    parts += [Part("pasted", block) for block in fenced + quoted]
    own, announced = _announced(own)
    if announced:
        return own, parts + [Part("pasted", announced)]
    own, blocks = _line_blocks(own)
    return own, parts + [Part("pasted", block) for block in blocks]


def _documents(text: str) -> tuple[str, list[Part]]:
    if "<" not in text:
        return text, []
    found: list[Part] = []

    def keep(match: re.Match) -> str:
        if match.group(2).strip():
            found.append(Part("document", match.group(2).strip()))
        return "\n"

    return _DOC_TAG.sub(keep, text), found


def _cut(pattern: re.Pattern, text: str) -> tuple[str, list[str]]:
    blocks: list[str] = []

    def keep(match: re.Match) -> str:
        if match.group(1).strip():
            blocks.append(match.group(1).strip())
        return "\n"

    return pattern.sub(keep, text), blocks


def _announced(text: str) -> tuple[str, str]:
    """A first line that announces content ("summarise this email:"), then the content."""
    stripped = text.strip()
    first, _, rest = stripped.partition("\n")
    rest = rest.strip()
    if len(first) > 200 or len(rest) < MIN_PASTED_CHARS or not _CUE.search(first):
        return text, ""
    if not (first.rstrip().endswith((":", "?")) or stripped.split("\n", 2)[1:2] == [""]):
        return text, ""
    return first, rest


def _line_blocks(text: str) -> tuple[str, list[str]]:
    """`>` quotes, e-mail headers to the next delimiter or the end, blocks between `---` lines."""
    own: list[str] = []
    blocks: list[list[str]] = []
    mode = None  # None (user's words) | "quote" | "email" | "delimited"
    for line in text.split("\n"):
        if mode == "quote" and not line.lstrip().startswith(">"):
            mode = None
        if mode in ("email", "delimited") and _DELIMITER.match(line):
            mode = None
            continue
        if mode is None:
            if line.lstrip().startswith(">"):
                mode = "quote"
                blocks.append([])
            elif _HEADER.match(line):
                mode = "email"
                blocks.append([])
            elif _DELIMITER.match(line):
                mode = "delimited"
                blocks.append([])
                continue
            else:
                own.append(line)
                continue
        blocks[-1].append(line.lstrip()[1:].lstrip() if mode == "quote" else line)
    return "\n".join(own), ["\n".join(block).strip() for block in blocks if "".join(block).strip()]


def _content_text(content) -> str:
    """A tool result's text: JSON string values decoded so patterns see the words."""
    if isinstance(content, str):
        return _unjson(content)
    if isinstance(content, list):
        return " \n".join(p["text"] if isinstance(p, dict) and isinstance(p.get("text"), str) else json.dumps(p, ensure_ascii=False)
                          for p in content)
    if isinstance(content, dict):
        return " \n".join(_strings(content))
    return ""


def _unjson(text: str) -> str:
    stripped = text.strip()
    if stripped[:1] in "{[":
        try:
            value = json.loads(stripped)
        except ValueError:
            return text
        return " \n".join(_strings(value))
    return text


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []
