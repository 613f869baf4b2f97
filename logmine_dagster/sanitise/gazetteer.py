"""The given-name gazetteer: which lower-cased words are known given names. No spaCy or Presidio
import here; the name recognizers and the sanitiser's re-reading of shouted text share it."""

from __future__ import annotations

import functools
from pathlib import Path


@functools.lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    """Lower-cased given names: the US Census Bureau's 1990 given-name tables (about 5,500 names,
    public domain, shipped by the MIT-licensed `names` package), plus, when the optional
    `logmine[gpl-names]` extra is installed, the ~40,000 international names of `gender-guesser`'s
    nam_dict. That one is GPLv3, so logmine (Apache-2.0) never requires it; it raises recall on
    names outside US usage ("Sigrun", "Þórgnýr")."""
    import names as census_names  # only its data files; the package's code is never called

    folder = Path(census_names.__file__).parent
    found: set[str] = set()
    for table in ("dist.female.first", "dist.male.first"):
        with open(folder / table, encoding="ascii") as rows:
            found.update(row.split(None, 1)[0].lower() for row in rows if row.strip())
    try:
        from gender_guesser.detector import Detector
    except ImportError:
        pass
    else:
        found.update(name.lower() for name in Detector(case_sensitive=False).names)
    return frozenset(name for name in found if len(name) >= 3) - NOT_GIVEN_NAMES


# Names of assistants, brands and months that support logs mention far more often than people.
NOT_GIVEN_NAMES = frozenset({
    "siri", "alexa", "cortana", "bixby", "dell", "ruby", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
    "sep", "sept", "oct", "nov", "dec", "mon", "tue", "wed", "thu", "fri", "sat", "sun",
})



# The 1,000 commonest surnames cover about 45% of people in the table; rarer ones that are also English
# words are mostly verbs and adverbs read as names ("said", "later", "well").
COMMON_SURNAME_RANK = 1000


@functools.lru_cache(maxsize=1)
def common_surnames() -> frozenset[str]:
    """Lower-cased common surnames: the first `COMMON_SURNAME_RANK` of the US Census Bureau's 1990
    surname table (public domain, shipped by the `names` package beside the given names). Many are
    English words ("brown", "king", "long"): callers use it only beside a given name."""
    import names as census_names

    with open(Path(census_names.__file__).parent / "dist.all.last", encoding="ascii") as rows:
        fields = (row.split() for row in rows if row.strip())
        return frozenset(name.lower() for name, _share, _cumulative, rank in fields if int(rank) <= COMMON_SURNAME_RANK)
