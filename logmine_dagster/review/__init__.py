"""Stage 4, review: the weekly batch, reviewers' votes and outcomes, agreement, import and export.

Used by the Dagster review assets and the review web app alike; nothing here knows about either.
From the bottom up:

- vocabulary, errors, clock: the domain's words and limits, why an action is refused, UTC time.
- accounts: reviewers, their roles and argon2 password hashes.
- audit (writing the trail), policy (the stored reviews-per-case policy, default and per week, that
  every path applies), outcomes (the decision a case ends with, under a row lock),
  votes (the review form's rules, one review per reviewer and case, imported decisions as votes,
  disputes), quarantine (PII flags).
- queue (case states, the one join of the queue with sanitised_samples), claims (review slots),
  progress (per-batch counts and agreement, see agreement for the statistics), audit_trail.
- batching (choosing the batch), batch (queueing it), decision_files and label_studio (reading
  files), interchange (export, import), labelled (labelled_cases).
"""
