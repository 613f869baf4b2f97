"""Curation logic behind the categoriser and the weekly batch.

- `adversarial`: maintained pattern families for prompt injection, jailbreaks, system-prompt
  extraction, data exfiltration, indirect injection and abuse, with a documented score.
- `adversarial_model`: the trained detector (word and character n-gram logistic regression) shipped
  in `models/` with its model card; `adversarial_training` rebuilds it byte for byte
  (`scripts/train_adversarial_model.py`).
- `pressure`: social-engineering pressure on a support agent's policy (`adversarial:pressure`).
- `edge_signals`: structural edge-case signals of the user's text (non-English input, unusual structure).
- `conversation_signals`: edge signals read from the messages (refusals and policy citations,
  exception and human requests, tool errors in any shape, unresolved endings, handoffs, asking again).
- `obfuscation`: undoing disguises (Unicode lookalikes, spaced letters, leetspeak, base64, ROT13)
  before the adversarial patterns run.
- `near_duplicates`: MinHash/LSH near-duplicate clustering on normalised text.
- `novelty`: drift novelty of each conversation's opening request, TF-IDF word vectors against the
  eval set and the weeks before.
- `labelled_set`: a labelled conversation-style set built from the generator (with masked topic
  drift and injected new models and tools), for measuring categories.
"""
