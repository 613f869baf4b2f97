"""`RECOGNIZER_FAMILIES` is the one list of what logmine registers: every recognizer class the
package defines is in it, and the engine holds exactly one of each."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from presidio_analyzer import EntityRecognizer

from logmine_dagster.sanitise import recognizers


def _recognizer_classes() -> set[type]:
    """Classes of the package's modules that recognize something; the shared bases (those other
    classes of the package derive from) build nothing on their own."""
    defined = set()
    for module_info in pkgutil.iter_modules(recognizers.__path__):
        module = importlib.import_module(f"{recognizers.__name__}.{module_info.name}")
        defined.update(
            cls for _, cls in inspect.getmembers(module, inspect.isclass)
            if issubclass(cls, EntityRecognizer) and cls.__module__ == module.__name__
        )
    bases = {base for cls in defined for base in cls.__mro__[1:]}
    return defined - bases


def test_every_recognizer_class_is_in_the_registration_list_once():
    families = recognizers.RECOGNIZER_FAMILIES
    assert len(set(families)) == len(families)
    assert set(families) == _recognizer_classes()


def test_the_engine_registers_each_family_exactly_once():
    from logmine_dagster.sanitise.engine import get_analyzer

    registry = get_analyzer().registry.recognizers
    registered = [type(r) for r in registry]
    for family in recognizers.RECOGNIZER_FAMILIES:
        assert registered.count(family) == 1, family.__name__
    assert not set(recognizers.REPLACED_PRESIDIO_RECOGNIZERS) & {r.name for r in registry}
