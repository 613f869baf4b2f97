"""The trained adversarial detector: a linear model over word and character n-grams, shipped in
the package (`curation/models/adversarial_linear.json.gz`), so nothing is downloaded at run time.

The file is plain JSON (gzip, no timestamp): the n-gram vocabularies with their IDF weights, one
logistic-regression weight per n-gram, the intercept and the decision threshold chosen on the
training folds. No pickle: loading runs no code from the file, and any scikit-learn version that
has `TfidfVectorizer` reads it. `scripts/train_adversarial_model.py` rebuilds it byte for byte
(curation/adversarial_training.py); `curation/models/README.md` is its model card (data,
licences, metrics, limits).

The pattern families (curation/adversarial.py) explain *why* a text is an attack; this model
catches phrasings nobody wrote a pattern for. categorise reports both: `adv:model:<score>` is
the evidence whenever the model's score passes the threshold.
"""

from __future__ import annotations

import functools
import gzip
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import TfidfVectorizer

MODEL_PATH = Path(__file__).resolve().parent / "models" / "adversarial_linear.json.gz"

# Long texts are scored whole; capping keeps one pasted book from costing seconds (the n-gram
# counts of the first 20k characters already say what the text is).
MAX_CHARS = 20_000


@dataclass(frozen=True, eq=False)  # hashed by identity: one model per process, for the score cache
class LinearModel:
    vectorizers: tuple[TfidfVectorizer, ...]
    weights: tuple[np.ndarray, ...]  # one weight per n-gram, per vectorizer
    intercept: float
    threshold: float  # probability at or above which a text is adversarial
    sha256: str  # of the training data, as recorded at training time
    # For windows of tool results, documents and pasted blocks (curation/indirect.py); a model
    # file without one uses `threshold`.
    indirect_threshold: float = 1.0

    def scores(self, texts: list[str]) -> list[float]:
        """Probability of being adversarial, per text."""
        if not texts:
            return []
        clipped = [text[:MAX_CHARS] for text in texts]
        logits = np.full(len(clipped), self.intercept)
        for vectorizer, weight in zip(self.vectorizers, self.weights):
            logits = logits + vectorizer.transform(clipped) @ weight
        return [1.0 / (1.0 + math.exp(-float(z))) for z in logits]

    def score(self, text: str) -> float:
        return _cached_score(self, text)

    @functools.cached_property
    def _lookups(self) -> tuple[tuple, ...]:
        """Per block: the analyzer and {n-gram: (idf, weight)}, for scoring one text in plain Python."""
        return tuple(
            (v.build_analyzer(), {term: (float(v.idf_[i]), float(w[i])) for term, i in v.vocabulary_.items()})
            for v, w in zip(self.vectorizers, self.weights)
        )

    def score_one(self, text: str) -> float:
        """`scores([text])[0]` without scikit-learn's per-call overhead (about 20x faster on short
        texts): sublinear TF times IDF, L2-normalised per block, dot the weights."""
        logit = self.intercept
        for analyze, table in self._lookups:
            counts: dict[str, int] = {}
            for gram in analyze(text[:MAX_CHARS]):
                if gram in table:
                    counts[gram] = counts.get(gram, 0) + 1
            squares = dot = 0.0
            for gram, count in counts.items():
                idf, weight = table[gram]
                value = (1.0 + math.log(count)) * idf
                squares += value * value
                dot += value * weight
            if squares:
                logit += dot / math.sqrt(squares)
        return 1.0 / (1.0 + math.exp(-logit))


@functools.lru_cache(maxsize=1 << 16)
def _cached_score(model: LinearModel, text: str) -> float:
    return model.score_one(text)


def vectorizer(params: dict) -> TfidfVectorizer:
    """The n-gram featuriser for one block of the model; training and loading both build it here."""
    # scikit-learn takes about a second to import: only when the model is first used, not when Dagster loads the code location.
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        analyzer=params["analyzer"], ngram_range=tuple(params["ngram_range"]), lowercase=True,
        sublinear_tf=True, min_df=params.get("min_df", 1), dtype=np.float64,
    )


def from_document(document: dict) -> LinearModel:
    vectorizers, weights = [], []
    for block in document["blocks"]:
        built = vectorizer(block["params"])
        terms = block["terms"]
        built.vocabulary_ = {term: index for index, term in enumerate(terms)}
        built.idf_ = np.asarray(block["idf"], dtype=np.float64)
        vectorizers.append(built)
        weights.append(np.asarray(block["weights"], dtype=np.float64))
    threshold = float(document["threshold"])
    return LinearModel(tuple(vectorizers), tuple(weights), float(document["intercept"]), threshold,
                       document["training_data_sha256"], float(document.get("indirect_threshold", threshold)))


@functools.lru_cache(maxsize=4)
def load(path: Path = MODEL_PATH) -> LinearModel:
    """The shipped model, read once per process."""
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return from_document(json.load(handle))


def model_score(text: str) -> float:
    """The shipped model's probability that `text` is an attack."""
    return load().score(text) if text else 0.0


def model_flags(text: str) -> tuple[bool, float]:
    """(adversarial?, score) by the shipped model and its threshold."""
    model = load()
    score = model.score(text) if text else 0.0
    return score >= model.threshold, score
