"""Which strings of the shared scoring corpora (`shared/pii-bench/*.jsonl`, `shared/adversarial/*.jsonl`) appear
in the repository's own files: code, comments, tests, docs, fixtures.

Those corpora score the sanitiser and the adversarial detector; a string of theirs copied into a rule's comment or a
test case makes the score partly in-sample. Two kinds of copy are looked for:
- a run of `NGRAM` consecutive words of a corpus text (case and punctuation folded) holding a word that is not
  everyday English (a name, a number, a foreign word), or a run of `LONG_NGRAM` words of any kind. Shorter runs of
  everyday words ("i want to play a game") are how people write, not evidence of copying; so are runs found in
  `COMMON_IN` or more corpus texts;
- a distinctive labelled value: a PII span of the corpus (a card number, an email, a rare surname) at least
  `MIN_VALUE_CHARS` long, found as a whole word.

Run `python -m logmine_dagster_tests.corpus_overlap` to list what is found (file, line, the matching words;
never the corpus line itself). The test `test_out_of_sample.py` asserts the list is empty.
"""

from __future__ import annotations

import functools
import json
import re
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPORA = ("pii-bench", "adversarial")
NGRAM = 6
LONG_NGRAM = 10
COMMON_IN = 3  # a run found in this many distinct corpus texts is ordinary language, not one text's fingerprint
MIN_VALUE_CHARS = 7
NOT_EVIDENCE = frozenset({"microsoft"})  # a company the licences and README name on their own account
# The repository's own text files; binaries (screenshots, the trained model, protobuf fixtures) are skipped.
TEXT_SUFFIXES = {".py", ".md", ".txt", ".html", ".js", ".css", ".json", ".jsonl", ".toml", ".yaml", ".yml", ".ini", ".sh", ".xml", ".cfg", ".example", ""}
WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Hit:
    path: str
    line: int
    kind: str  # "words" or "value"
    evidence: str  # the matching words or value, as found in the repository file

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.kind}: {self.evidence}"


def shared_dir() -> Path | None:
    """shared/ beside the checkout (CI) or beside the worktrees' folder (development)."""
    for parent in (REPO.parent, REPO.parent.parent):
        if (parent / "shared" / "pii-bench").is_dir() or (parent / "shared" / "adversarial").is_dir():
            return parent / "shared"
    return None


def _words(text: str) -> list[str]:
    return [w.lower() for w in WORD.findall(text)]


def _ngrams(words: list[str]) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + NGRAM]) for i in range(len(words) - NGRAM + 1)}


@functools.lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """Words whose presence proves nothing: spaCy's English stop words, the English lexicon the sanitiser uses
    (WordNet, from the spaCy model) and the US Census given names and surnames (the `names` package's tables)."""
    import spacy
    import names as census_names
    from spacy.lang.en.stop_words import STOP_WORDS

    from logmine_dagster.sanitise.engine import SPACY_MODEL
    from logmine_dagster.sanitise.lexicon import known_english_words

    words = set(known_english_words(spacy.load(SPACY_MODEL, disable=["ner", "parser", "tagger"]))) | set(STOP_WORDS)
    folder = Path(census_names.__file__).parent
    for table in ("dist.female.first", "dist.male.first", "dist.all.last"):
        with open(folder / table, encoding="ascii") as rows:
            words.update(row.split(None, 1)[0].lower() for row in rows if row.strip())
    return frozenset(words)


def distinctive(value: str, common: frozenset[str]) -> bool:
    """A labelled value that points at the corpus: a run of 5+ digits, several words together (a full name,
    an address) unless all are everyday English, or one word that no lexicon or census table knows."""
    words = _words(value)
    if len(value) < MIN_VALUE_CHARS or not words or value.lower() in NOT_EVIDENCE:
        return False
    if sum(c.isdigit() for c in value) >= 5:
        return True
    lettered = [w for w in words if not w.isdigit()]
    if len(lettered) >= 2:
        return not all(w in common for w in lettered)
    return bool(lettered) and lettered[0] not in common


@dataclass(frozen=True)
class Fingerprints:
    runs: frozenset  # NGRAM-word runs holding a word that is not everyday English
    long_runs: frozenset  # LONG_NGRAM-word runs of any words
    values: frozenset  # distinctive labelled values, as word tuples


@functools.lru_cache(maxsize=2)
def corpus_fingerprints(shared: Path) -> Fingerprints:
    """What identifies one corpus text: its rarer word runs, its long runs, its distinctive labelled values."""
    seen_in: Counter[tuple[str, ...]] = Counter()
    long_runs: set[tuple[str, ...]] = set()
    values: set[str] = set()
    for corpus in CORPORA:
        for path in sorted((shared / corpus).glob("*.jsonl")):
            for line in path.read_text(encoding="utf-8").split("\n"):  # not splitlines: texts hold U+2028
                if not line.strip():
                    continue
                row = json.loads(line)
                text = row.get("text", "")
                words = _words(text)
                seen_in.update(_ngrams(words))
                long_runs.update(tuple(words[i : i + LONG_NGRAM]) for i in range(len(words) - LONG_NGRAM + 1))
                values.update(text[span["start"] : span["end"]].strip() for span in row.get("spans") or [])
    common = common_words()
    return Fingerprints(
        runs=frozenset(g for g, n in seen_in.items() if n < COMMON_IN and not all(w in common for w in g)),
        long_runs=frozenset(long_runs),
        values=frozenset(tuple(_words(v)) for v in values if distinctive(v, common)),
    )


def repository_files() -> list[Path]:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, text=True, check=True).stdout
    files = [REPO / name for name in listed.split("\0") if name]
    return [p for p in files if p.is_file() and p.suffix in TEXT_SUFFIXES and p.stat().st_size < 2_000_000]


def find_overlaps(shared: Path, files: list[Path] | None = None) -> list[Hit]:
    prints = corpus_fingerprints(shared)
    hits: list[Hit] = []
    for path in files if files is not None else repository_files():
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        relative = str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)
        hits += _hits_in(relative, text, prints)
    return hits


def _hits_in(relative: str, text: str, prints: Fingerprints) -> list[Hit]:
    # Runs may wrap across lines (a comment, a docstring): the file is read as one stream of words.
    positions = [(m.group().lower(), m.start()) for m in WORD.finditer(text)]
    words = [w for w, _ in positions]
    longest_value = max((len(v) for v in prints.values), default=0)
    hits, reported_until = [], -1
    for i in range(len(words)):
        if i <= reported_until:
            continue
        found = None
        if tuple(words[i : i + LONG_NGRAM]) in prints.long_runs:
            found = ("words", LONG_NGRAM)
        elif tuple(words[i : i + NGRAM]) in prints.runs:
            found = ("words", NGRAM)
        else:
            size = next((n for n in range(min(longest_value, len(words) - i), 0, -1) if tuple(words[i : i + n]) in prints.values), 0)
            found = ("value", size) if size else None
        if found:
            kind, size = found
            hits.append(Hit(relative, text.count("\n", 0, positions[i][1]) + 1, kind, " ".join(words[i : i + size])))
            reported_until = i + size - 1  # one hit per copied run, not one per overlapping window
    return hits


def main() -> int:
    shared = shared_dir()
    if shared is None:
        print("shared/ is not beside the checkout: nothing to compare with")
        return 0
    hits = find_overlaps(shared)
    for hit in hits:
        print(hit)
    print(json.dumps({"files_with_hits": len({h.path for h in hits}), "hits": len(hits)}))
    return 1 if hits else 0


if __name__ == "__main__":
    sys.exit(main())
