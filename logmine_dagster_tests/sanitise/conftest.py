from __future__ import annotations

import pytest

from logmine_dagster.sanitise import residual


@pytest.fixture(autouse=True)
def _fresh_residual_caches():
    """Each test computes the residual gate's answers itself: a cache filled by an earlier test (or, under mutmut,
    by the clean run its mutant processes fork from) would hand a mutant of a cached function the right answer."""
    for cached in (residual._cached_visible_kinds, residual._cached_battery_values, residual._known_pattern):
        cached.cache_clear()
    yield
