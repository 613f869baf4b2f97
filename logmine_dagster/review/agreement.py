"""Inter-reviewer agreement: the statistics, and their summary over a set of reviewed cases."""

from __future__ import annotations

from collections import Counter


def cohen_kappa(first: list[str], second: list[str]) -> float | None:
    """Cohen's kappa of two raters' labels over the same items; None if undefined (no items, or
    both raters always used the same single label, so chance agreement is 1)."""
    if len(first) != len(second):
        raise ValueError("both raters must label the same items")
    n = len(first)
    if n == 0:
        return None
    observed = sum(1 for a, b in zip(first, second) if a == b) / n
    count_a, count_b = Counter(first), Counter(second)
    expected = sum(count_a[label] * count_b[label] for label in set(count_a) | set(count_b)) / (n * n)
    if expected >= 1.0:
        return None
    return (observed - expected) / (1.0 - expected)


def krippendorff_alpha_nominal(units: list[list[str]]) -> float | None:
    """Krippendorff's alpha for nominal labels: each unit is the list of labels its raters gave (any
    number of raters per unit; units with fewer than two labels carry no pairing information and are
    left out). None if undefined: no pairable unit, or a single label used throughout (no expected
    disagreement). Computed from the coincidence matrix: alpha = 1 - (n - 1) * D_o / D_e, where D_o
    sums the off-diagonal coincidences and D_e the off-diagonal products of label totals."""
    coincidences: Counter = Counter()
    for labels in units:
        m = len(labels)
        if m < 2:
            continue
        counts = Counter(labels)
        for c, n_c in counts.items():
            for k, n_k in counts.items():
                pairs = n_c * (n_c - 1) if c == k else n_c * n_k
                if pairs:
                    coincidences[(c, k)] += pairs / (m - 1)
    totals: Counter = Counter()
    for (c, _k), value in coincidences.items():
        totals[c] += value
    n = sum(totals.values())
    if n <= 1:
        return None
    observed = sum(value for (c, k), value in coincidences.items() if c != k)
    expected = sum(totals[c] * totals[k] for c in totals for k in totals if c != k)
    if expected == 0:
        return None
    return 1.0 - (n - 1) * observed / expected


def agreement_for(states) -> dict | None:
    """Agreement of the cases reviewed at least twice (flagged cases left out): Cohen's kappa between
    each case's first and second review, and Krippendorff's alpha (nominal) over every review of every
    such case, which allows any number of reviewers per case. `states`: queue.CaseState-like objects."""
    units = []
    for state in states:
        if state.status == "flagged":
            continue
        decisions = [v["decision"] for v in state.votes]
        if len(decisions) >= 2:
            units.append(decisions)
    if not units:
        return None
    pairs = [(u[0], u[1]) for u in units]
    kappa = cohen_kappa([a for a, _ in pairs], [b for _, b in pairs])
    observed = sum(1 for a, b in pairs if a == b) / len(pairs)
    return {
        "cases": len(units),
        "reviews": sum(len(u) for u in units),
        "observed": observed,
        "kappa": kappa,
        "alpha": krippendorff_alpha_nominal(units),
    }
