"""Curation logic behind the categoriser and the weekly batch.

- `adversarial`: maintained pattern families for prompt injection, jailbreaks, system-prompt
  extraction, data exfiltration, indirect injection and abuse, with a documented score.
- `edge_signals`: structural edge-case signals (non-English input, unusual structure, tool failures).
- `near_duplicates`: MinHash/LSH near-duplicate clustering on normalised text.
- `labelled_set`: a labelled conversation-style set built from the generator, for measuring categories.
"""
