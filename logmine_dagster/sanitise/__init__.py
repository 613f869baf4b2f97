"""Sanitising log records: typed placeholders for PII, and an independent residual-PII gate.

Modules, one job each:

- `engine`: the Presidio analyzer (spaCy without its parser), built lazily once per process, fully offline.
- `recognizers`: the recognizers added to Presidio's registry, one module per family (addresses,
  secrets, ids, names, ...), registered from the one list `recognizers.RECOGNIZER_FAMILIES`.
- `lexicon`: is a word English? (the spaCy model's WordNet index, inflections, newer words).
- `gazetteer`: is a word a known given name? (US Census tables, optionally gender-guesser's).
- `pii_keys`: which JSON keys name PII (`email`, `customer_phone`, ...), used by both sides.
- `schema`: the declared shape of a record in the PII-free tier; what it does not declare is dropped.
- `record_fields`: every text of a record (keys of free JSON included), walked by that schema.
- `spans`: turning overlapping detections into clean, non-overlapping placeholders.
- `surrogates`: plain placeholders, or keyed per-conversation surrogates (`<PERSON_3f9a>`), and
  `PLACEHOLDER_PATTERN`, the one regex every placeholder matches.
- `canaries`: planted records each run pushes through the sanitiser; `run_canaries` counts leaks.
- `sanitiser`: `get_sanitiser()`, the API the assets call: batches texts through Presidio, caches
  each distinct text's analysis, and resolves detections into spans with the rules of
  `allow_list`, `name_widening`, `shouted_text` and `known_values` (`word_lists` holds the word
  lists they share, `text_results` renders placeholders and cuts long texts into pieces).
- `residual`: the gate that re-checks sanitised records with strict regexes, no Presidio or spaCy.

Importing this package loads nothing heavy: Presidio and spaCy are imported on first use.
"""
