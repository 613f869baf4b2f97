"""Near-duplicate clustering with MinHash and LSH (datasketch) on normalised text.

Texts are normalised (placeholders, digits, case, punctuation and spacing folded), cut into
character 5-gram shingles, and hashed into a MinHash signature. An LSH index over the
*representatives* proposes candidates; a text joins the most similar proposed representative if
the estimated Jaccard similarity is at least `threshold`, otherwise it becomes a representative
itself. Joining representatives only (never members) keeps clusters from chaining A~B~C into one
when A and C are not alike.

Character shingles suit chat messages: they are short (a 5-word message has ~25 shingles, a word
3-gram set would have 3), and typos or a changed word only touch a few shingles.

Limits: paraphrases with different words are not duplicates here (that needs text embeddings);
very short texts (under `MIN_CHARS` after normalising) only cluster when identical after
normalising, since a couple of shingles make Jaccard meaningless.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from dataclasses import dataclass, field
from typing import Iterable

import numpy as np

from logmine_dagster.curation.lsh_bands import Bands
from logmine_dagster.sanitise.surrogates import PLACEHOLDER_PATTERN

THRESHOLD = 0.6
NUM_PERM = 128
SHINGLE = 5
MIN_CHARS = 12

# Surrogates (`<PERSON_3f9a>`) differ with the pseudonym key: fold them so clusters do not.
_PLACEHOLDER = re.compile(PLACEHOLDER_PATTERN)
_DIGITS = re.compile(r"\d+")
_PUNCT = re.compile(r"[^\w<> ]+", re.UNICODE)
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    text = _PLACEHOLDER.sub(" <> ", text).lower()
    text = _DIGITS.sub("0", text)
    text = _PUNCT.sub(" ", text)
    return _SPACE.sub(" ", text).strip()


def exact_key(text: str) -> str:
    """Same as categorise.dedup_key's spirit, on this module's normal form (punctuation folded too)."""
    return hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()[:32]


def _shingles(normal: str) -> list[bytes]:
    if len(normal) <= SHINGLE:
        return [normal.encode("utf-8")]
    return list({normal[i:i + SHINGLE].encode("utf-8") for i in range(len(normal) - SHINGLE + 1)})


class Signature:
    """A MinHash signature as the LSH index reads it (`hashvalues`, `scheme`, length), without
    building a datasketch MinHash per text: its constructor was a third of the signing time."""

    __slots__ = ("hashvalues", "scheme")

    def __init__(self, hashvalues: np.ndarray, scheme: str):
        self.hashvalues = hashvalues
        self.scheme = scheme

    def __len__(self) -> int:
        return len(self.hashvalues)


# A stored signature (candidates.minhash) starts with this byte. Change it whenever `normalise`, the
# shingles, their hash or the permutations change: rows stored under another format are signed again.
SIGNATURE_FORMAT = 1


def signature_bytes(signature: Signature | None) -> bytes | None:
    """The signature as stored with its candidate; None for a text too short to have one."""
    if signature is None:
        return None
    return bytes([SIGNATURE_FORMAT]) + signature.hashvalues.astype("<u4", copy=False).tobytes()


def signature_from_bytes(blob: bytes | None, num_perm: int = NUM_PERM) -> Signature | None:
    """A stored signature, or None when there is none usable (NULL, written before signatures were
    stored, or under another format): the caller signs the text then."""
    if blob is None or len(blob) != 1 + 4 * num_perm or blob[0] != SIGNATURE_FORMAT:
        return None
    # The signer's dtype exactly: LSH buckets hash the values' bytes.
    return Signature(np.frombuffer(blob, dtype="<u4", offset=1).astype(np.uint32), "affine32")


class Signer:
    """MinHash signatures of normalised texts, the values datasketch's MinHash.update_batch gives
    with the same permutations (tests/curation/test_near_duplicates checks they are equal).

    Shingles are hashed with CRC-32 (C speed, stable across processes) rather than datasketch's
    default SHA-1, which dominated the run time on a 50k-text week."""

    def __init__(self, num_perm: int = NUM_PERM, seed: int = 1):
        self.num_perm = num_perm
        self.seed = seed
        from datasketch import MinHash
        from datasketch.minhash import _fmix

        # Permutations are drawn once: MinHash() draws them again for every instance otherwise.
        template = MinHash(num_perm=num_perm, seed=seed)
        if template.scheme != "affine32":  # the arithmetic below is datasketch's affine32 CPU path
            raise ValueError(f"unsupported MinHash scheme {template.scheme!r}")
        self.scheme = template.scheme
        self.permutations = template.permutations
        self._a = self.permutations[0].astype(np.uint32).reshape(1, -1)
        self._b = self.permutations[1].astype(np.uint32).reshape(1, -1)
        self._fmix = _fmix

    def sign(self, normal: str) -> Signature:
        shingles = _shingles(normal)
        hashes = np.fromiter(map(zlib.crc32, shingles), dtype=np.uint32, count=len(shingles)).reshape(-1, 1)
        permuted = self._fmix(hashes, 32) * self._a + self._b  # wraps modulo 2^32, as in datasketch
        return Signature(permuted.min(axis=0), self.scheme)

    def prepare(self, text: str) -> tuple[str, Signature | None]:
        """The text's normal form and its signature (None when too short to have one)."""
        normal = normalise(text)
        return normal, (self.sign(normal) if len(normal) >= MIN_CHARS else None)


@dataclass
class Cluster:
    representative: str  # key of the first text of the cluster
    members: list[str] = field(default_factory=list)  # keys of the others, in arrival order
    similarity: dict[str, float] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return 1 + len(self.members)


class NearDuplicateIndex:
    """Representatives with their signatures; `assign` puts a text into a cluster or founds one."""

    def __init__(self, threshold: float = THRESHOLD, num_perm: int = NUM_PERM):
        self.threshold = threshold
        self.signer = Signer(num_perm)
        # LSH proposes candidates at a lower bar than the final check, so few true pairs are missed.
        # (0.15 below: 25 bands of 5 rows; 0.2 below gave 32 bands of 4 and the same collapse rate on
        # the benchmark, with a third more proposals to check.)
        self.lsh = Bands(threshold=max(threshold - 0.15, 0.3), num_perm=num_perm)
        self.signatures: dict[str, Signature] = {}
        # Representatives' MinHash values as matrix rows, so all proposals are compared in one step.
        self._rows: dict[str, int] = {}
        self._matrix = np.zeros((1024, num_perm), dtype=np.uint64)
        self.exact: dict[str, str] = {}  # group + normal form of every text seen -> its representative key
        self.clusters: dict[str, Cluster] = {}
        self.group: dict[str, str] = {}  # representative key -> group label (e.g. category); match within a group only

    def _find(self, normal: str, signature: Signature | None, group: str) -> tuple[str | None, float]:
        exact = self.exact.get(group + "\x00" + normal)
        if exact is not None:
            return exact, 1.0
        if signature is None:
            return None, 0.0
        best, best_sim = None, 0.0
        groups = self.group
        keys = [key for key in self.lsh.query(signature) if groups[key] == group]
        if not keys:
            return None, 0.0
        # Estimated Jaccard (share of equal MinHash values) for all proposals at once.
        rows = self._matrix[[self._rows[key] for key in keys]]
        similarities = np.count_nonzero(rows == signature.hashvalues, axis=1) / float(rows.shape[1])
        for key, sim in zip(keys, similarities.tolist()):
            if sim > best_sim or (sim == best_sim and best is not None and key < best):
                best, best_sim = key, sim
        if best is not None and best_sim >= self.threshold:
            return best, best_sim
        return None, best_sim

    def match(self, text: str, group: str = "") -> tuple[str | None, float]:
        """The representative this text would join, without adding it."""
        normal = normalise(text)
        signature = self.signer.sign(normal) if len(normal) >= MIN_CHARS else None
        return self._find(normal, signature, group)

    def assign(self, key: str, text: str, group: str = "") -> str:
        """Add one text; returns the key of its cluster's representative (its own key if new)."""
        return self.assign_normal(key, normalise(text), group)

    def assign_normal(self, key: str, normal: str, group: str = "", signature: Signature | None = None) -> str:
        """`assign` of a text already normalised. `signature`, when known (stored with a candidate, or
        signed on a worker process), must be the normal form's: it is used instead of signing here."""
        exact_key = group + "\x00" + normal
        representative = self.exact.get(exact_key)
        if representative is not None:  # the same normal form as a text seen before: no signature needed
            self.clusters[representative].members.append(key)
            self.clusters[representative].similarity[key] = 1.0
            return representative
        if len(normal) < MIN_CHARS:
            signature = None
        elif signature is None:
            signature = self.signer.sign(normal)
        representative, similarity = self._find(normal, signature, group)
        if representative is not None:
            cluster = self.clusters[representative]
            cluster.members.append(key)
            cluster.similarity[key] = round(similarity, 3)
            # Production repeats texts verbatim: their next copies join without signing or LSH queries.
            self.exact[exact_key] = representative
            return representative
        self.clusters[key] = Cluster(key)
        self.group[key] = group
        self.exact[group + "\x00" + normal] = key
        if signature is not None:
            self.signatures[key] = signature
            row = len(self._rows)
            if row == len(self._matrix):
                self._matrix = np.concatenate([self._matrix, np.zeros_like(self._matrix)])
            self._matrix[row] = signature.hashvalues
            self._rows[key] = row
            self.lsh.insert(key, signature)
        return key


def cluster_texts(items: Iterable[tuple[str, str]], threshold: float = THRESHOLD) -> list[Cluster]:
    """Cluster (key, text) pairs in the given order; the first text of each cluster represents it."""
    index = NearDuplicateIndex(threshold)
    for key, text in items:
        index.assign(key, text)
    return list(index.clusters.values())
