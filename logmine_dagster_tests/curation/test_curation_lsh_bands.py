"""The near-duplicate index's buckets propose exactly what datasketch's MinHashLSH proposes."""

from __future__ import annotations

import random

from datasketch import MinHashLSH

from logmine_dagster.curation.lsh_bands import Bands
from logmine_dagster.curation.near_duplicates import Signer, normalise


def test_bands_propose_what_datasketch_proposes():
    signer = Signer()
    rng = random.Random(11)
    words = "my bill router <PERSON_3f9a> cancel please outage since monday fiber plan upgrade card declined reset".split()
    texts = [" ".join(rng.choice(words) for _ in range(rng.randint(4, 25))) for _ in range(600)]
    stored = [signer.sign(normalise(text)) for text in texts[:400]]
    # Queries: the stored texts with a word changed or dropped (near matches), and new texts.
    queries = [signer.sign(normalise(text.replace(rng.choice(words), rng.choice(words), 1))) for text in texts[:200]]
    queries += [signer.sign(normalise(text)) for text in texts[400:]]
    for threshold in (0.45, 0.3, 0.8):
        theirs, ours = MinHashLSH(threshold=threshold, num_perm=signer.num_perm), Bands(threshold, signer.num_perm)
        for number, signature in enumerate(stored):
            theirs.insert(f"k{number}", signature)
            ours.insert(f"k{number}", signature)
        proposals = [ours.query(signature) for signature in queries]
        assert proposals == [set(theirs.query(signature)) for signature in queries]
        assert sum(1 for found in proposals if found) >= 100  # the comparison compared something
