"""Walk and change decoded SQS bodies in tests: open an SNS ``Message`` that holds JSON
so paths reach inside it, list the paths of strings and containers, follow a path, and
close the message again. Shared by the parser's mutation tests and the hostile-text
ingest test."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

#: The key an opened ``Message`` keeps its decoded document under.
INNER = "__inner__"


def open_message(obj: Any) -> Any:
    """``obj`` with an SNS ``Message`` holding a JSON object decoded under :data:`INNER`."""
    if isinstance(obj, dict) and isinstance(obj.get("Message"), str):
        try:
            inner = json.loads(obj["Message"])
        except ValueError:
            return obj
        if isinstance(inner, dict):
            obj["Message"] = {INNER: inner}
    return obj


def close_message(obj: Any, *, ensure_ascii: bool = True) -> Any:
    """:func:`open_message` undone: the decoded ``Message`` encoded back to text."""
    if isinstance(obj, dict):
        message = obj.get("Message")
        if isinstance(message, dict) and INNER in message:
            obj["Message"] = json.dumps(message[INNER], ensure_ascii=ensure_ascii)
    return obj


def string_places(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    """(path, "value" | "key") of every string value and every object key."""
    if isinstance(node, str):
        yield path, "value"
    elif isinstance(node, dict):
        for key, child in node.items():
            if key != INNER:
                yield (*path, key), "key"
            yield from string_places(child, (*path, key))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield from string_places(child, (*path, index))


def string_paths(node: Any) -> Iterator[tuple[Any, ...]]:
    """Paths of every string value."""
    return (path for path, kind in string_places(node) if kind == "value")


def containers(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Paths of every dict/list in ``node`` (the root included)."""
    found: list[tuple[Any, ...]] = []
    if isinstance(node, dict):
        found.append(path)
        for key, child in node.items():
            found += containers(child, (*path, key))
    elif isinstance(node, list):
        found.append(path)
        for index, child in enumerate(node):
            found += containers(child, (*path, index))
    return found


def at(node: Any, path: tuple[Any, ...]) -> Any:
    """The node ``path`` leads to."""
    for key in path:
        node = node[key]
    return node
