"""Adding two records of counts field by field (batch results, purge counts, outcome
counts): one rule instead of a hand-written ``__add__`` per class that must list every
field again, and would silently drop one added later."""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

Record = TypeVar("Record")


_FIELD_NAMES: dict[type[Any], tuple[str, ...]] = {}


def _field_names(cls: type[Any]) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(field.name for field in dataclasses.fields(cls))
    return names


def add_fieldwise(left: Record, right: Record) -> Record:
    """A new dataclass instance whose every field is ``left``'s plus ``right``'s: numbers
    add, tuples concatenate, sets unite."""
    cls: type[Any] = type(left)
    values: dict[str, Any] = {}
    for name in _field_names(cls):
        mine, theirs = getattr(left, name), getattr(right, name)
        values[name] = mine | theirs if isinstance(mine, frozenset) else mine + theirs
    added: Record = cls(**values)
    return added
