"""How the reference reader refuses a body: the rejection it raises inside the
parser (turned into a :class:`~worker.domain.events.Rejection` at the top), JSON decoding
with the depth limit, and checked access to the fields of decoded JSON."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, NoReturn, TypeVar

from worker.domain.events import Rejection, RejectionCode
from worker.domain.text import json_may_hold_unstorable, storable_json

_T = TypeVar("_T")

#: Real SES documents nest about 6 deep; anything near this is not from SES.
MAX_DEPTH = 32


class Rejected(Exception):
    def __init__(self, code: RejectionCode, message: str) -> None:
        super().__init__(message)
        self.rejection = Rejection(code, message)


def reject(code: RejectionCode, message: str) -> NoReturn:
    raise Rejected(code, message)


def storable(value: dict[str, Any], text: str, *, encodable: bool) -> dict[str, Any]:
    """``value`` (decoded from ``text``) with every string made storable; ``value`` itself
    when nothing in ``text`` can decode to NUL or a surrogate (nearly always: one scan)."""
    if json_may_hold_unstorable(text, encodable=encodable):
        cleaned: dict[str, Any] = storable_json(value)
        return cleaned
    return value


def is_message_document(document: Mapping[str, Any]) -> bool:
    """An SES message document: ``mail`` and an event or notification type."""
    return "mail" in document and ("eventType" in document or "notificationType" in document)


def load_json_object(text: str, *, where: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except RecursionError:
        reject(RejectionCode.TOO_DEEP, f"{where}: JSON nested too deeply to be an SES event")
    except ValueError as exc:
        reject(RejectionCode.NOT_JSON, f"{where} is not JSON: {exc}")
    if not isinstance(value, dict):
        reject(
            RejectionCode.BAD_ENVELOPE,
            f"{where} is a JSON {json_kind(value)}, not an object",
        )
    # Nesting needs as many opening brackets as levels: most bodies skip the walk.
    if text.count("{") + text.count("[") > MAX_DEPTH:
        _check_depth(value, where)
    return value


def _check_depth(value: object, where: str) -> None:
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            reject(RejectionCode.TOO_DEEP, f"{where}: JSON nested over {MAX_DEPTH} levels")
        if isinstance(node, dict):
            stack.extend(
                (child, depth + 1) for child in node.values() if isinstance(child, dict | list)
            )
        elif isinstance(node, list):
            stack.extend((child, depth + 1) for child in node if isinstance(child, dict | list))


def json_kind(value: object) -> str:
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if value is None:
        return "null"
    return "number"


# --- field access ----------------------------------------------------------------------


def _expect(value: object, expected: type[_T], noun: str, path: str, key: str) -> _T:
    if not isinstance(value, expected):
        reject(RejectionCode.WRONG_TYPE, f"{path}.{key} must be {noun}, got {json_kind(value)}")
    return value


def opt_str(obj: Mapping[str, Any], key: str, path: str) -> str | None:
    value = obj.get(key)
    return None if value is None else _expect(value, str, "a string", path, key)


def lenient_str(obj: Mapping[str, Any], key: str) -> str | None:
    """Decorative fields: a wrong type is dropped rather than failing the whole event."""
    value = obj.get(key)
    return value if isinstance(value, str) else None


def opt_object(obj: Mapping[str, Any], key: str, path: str) -> dict[str, Any] | None:
    value = obj.get(key)
    return None if value is None else _expect(value, dict, "an object", path, key)


def opt_list(obj: Mapping[str, Any], key: str, path: str) -> list[Any]:
    value = obj.get(key)
    return [] if value is None else _expect(value, list, "a list", path, key)


def strings(values: list[Any], path: str) -> list[str]:
    for value in values:
        if not isinstance(value, str):
            reject(
                RejectionCode.WRONG_TYPE, f"{path} entries must be strings, got {json_kind(value)}"
            )
    return values
