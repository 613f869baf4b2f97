"""Reviewer-entered text goes through the same sanitise-or-refuse path as the logs.

What a reviewer types (an expected output, a rubric note, a discard reason, tags), in the app or in an
imported decision file, lands in `review_votes`, `labelled_cases`, `eval_cases` and every export: tables
of the PII-free tier. So it is treated like a record's text:

- free text is sanitised by the pipeline's sanitiser (placeholders already in it, copied from the case,
  stay as they are), then the independent residual gate reads the result; if the gate still finds
  something, the entry is refused with a message naming the field and the kind, never the value;
- a tag is a label, not prose: a tag the sanitiser would mask, that the gate flags, that read
  title-cased holds a masked word which is no English word ("ottoline-refund"), or that joins a given
  name and digits ("amelia_davis_8890"), is refused, never rewritten. Known limit: a name made only of
  words the English lexicon also holds ("mary-smith") passes as a tag.

    fields = screen_entered(clean_fields, allow_terms=("Northwind",))

The sanitiser loads spaCy on first use; the screen runs only when a reviewer submits something.
"""

from __future__ import annotations

import functools
import re

from logmine_dagster.review.errors import Invalid

FREE_TEXT_FIELDS = ("expected_output", "rubric_notes", "reason")
_TAG_PARTS = re.compile(r"[a-z]+")
_SPACES = re.compile(r"[ \t]{2,}")
_PLACEHOLDER_TYPE = re.compile(r"<([A-Z][A-Z0-9_]*?)(?:_[0-9a-f]{4})?>")
# What the sanitiser masks in short lower-case labels without anyone in them: "x1" and "q3" read as
# driver licences, "grace-period" as an organisation; a place or a date names nobody.
_NOT_PERSONAL_IN_A_TAG = frozenset({"US_DRIVER_LICENSE", "DATE_TIME", "ORGANIZATION", "LOCATION", "NRP"})
_LABELS = {"expected_output": "The expected output", "rubric_notes": "The rubric notes", "reason": "The reason"}


def screen_entered(fields: dict, *, allow_terms: tuple[str, ...] = ()) -> dict:
    """`fields` (validated decision fields) with PII masked in the free text; raises Invalid when
    the residual gate still reads PII after masking, or when a tag is personal data."""
    from logmine_dagster.sanitise.residual import scan_text
    from logmine_dagster.sanitise.sanitiser import get_sanitiser

    sanitiser = get_sanitiser(tuple(allow_terms))
    names = [name for name in FREE_TEXT_FIELDS if fields.get(name)]
    # Runs of spaces are one space first: the NER reads "Restart  the router" (two spaces) as a name,
    # and two reviewers' answers already count as the same whatever their spacing (votes).
    typed = [_SPACES.sub(" ", fields[name]) for name in names]
    masked = dict(zip(names, sanitiser.sanitise_texts(typed)))
    for name, text in masked.items():
        kinds = scan_text(text)
        if kinds:
            raise Invalid(
                f"{_LABELS[name]} still shows personal data ({', '.join(kinds)}) after masking: "
                "write it without that value (use the placeholder, e.g. <PERSON>) and submit again."
            )
    tags = [tag for tag in (fields.get("tags") or "").split(",") if tag]
    for position, tag in enumerate(tags, start=1):
        kind = _tag_kind(tag, sanitiser, scan_text)
        if kind:
            raise Invalid(f"Tag {position} looks like personal data ({kind}): tags must not name or identify people.")
    return dict(fields, **masked)


def _tag_kind(tag: str, sanitiser, scan_text) -> str | None:
    """Why a tag reads as personal data, or None. Tags are lower case, where the NER sees no names, so
    the tag is also read title-cased ("Ottoline Refund"): a part masked there that is no English word
    is a name. A given name with a run of digits is a handle ("amelia_davis_8890")."""
    # The tag as typed, not split into words: the NER reads lower-case word pairs ("grace period")
    # as organisations, which no tag should be refused for.
    masked = set(_PLACEHOLDER_TYPE.findall(sanitiser.sanitise_texts([tag])[0])) - _NOT_PERSONAL_IN_A_TAG
    if masked:
        return "masked by the sanitiser as " + ", ".join(sorted(masked))
    kinds = scan_text(tag)
    if kinds:
        return ", ".join(kinds)
    given, english = _word_lists()
    parts = _TAG_PARTS.findall(tag)
    if re.search(r"\d{2}", tag) and any(part in given for part in parts):
        return "a name with digits, like a username"
    titled = [part.capitalize() for part in parts]
    kept = set(re.findall(r"[^\W\d_]+", sanitiser.sanitise_texts([" ".join(titled)])[0]))
    if any(word not in kept and part not in english for part, word in zip(parts, titled)):
        return "a name"
    return None


@functools.lru_cache(maxsize=1)
def _word_lists() -> tuple[frozenset[str], frozenset[str]]:
    """The sanitiser's own lists: the given-name gazetteer and the English lexicon."""
    from logmine_dagster.sanitise import engine
    from logmine_dagster.sanitise.gazetteer import first_names
    from logmine_dagster.sanitise.lexicon import known_english_words

    nlp = engine.get_analyzer().nlp_engine.get_nlp(engine.LANGUAGE)
    return first_names(), known_english_words(nlp)
