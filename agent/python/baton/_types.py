"""What a type hint is, across Python 3.9-3.13 (shared by the schema and the conversions)."""
import dataclasses
import sys
import typing

try:
    from types import UnionType  # Python 3.10+: `int | None`
except ImportError:  # pragma: no cover - Python 3.9
    UnionType = None

NONE = type(None)


def origin(t):
    return typing.get_origin(t)


def args(t):
    return typing.get_args(t)


def is_union(t):
    o = origin(t)
    return o is typing.Union or (UnionType is not None and o is UnionType)


def is_literal(t):
    return origin(t) is typing.Literal


def is_annotated(t):
    return origin(t) is typing.Annotated


def is_typeddict(t):
    if hasattr(typing, "is_typeddict"):
        return typing.is_typeddict(t)
    return isinstance(t, type) and issubclass(t, dict) and hasattr(t, "__total__") and hasattr(t, "__annotations__")


def is_dataclass_type(t):
    return isinstance(t, type) and dataclasses.is_dataclass(t)


def is_pydantic_model(t):
    """A pydantic model class (v1 or v2), recognised without importing pydantic."""
    if not isinstance(t, type) or "pydantic" not in sys.modules:
        return False
    try:
        from pydantic import BaseModel  # noqa: PLC0415 - only where pydantic is there and in use
    except ImportError:
        return False
    return issubclass(t, BaseModel)


def hints_of(obj):
    """Resolved type hints (`from __future__ import annotations` too); raw annotations if they cannot be resolved."""
    try:
        return typing.get_type_hints(obj, include_extras=True)
    except Exception:  # noqa: BLE001 - a hint naming something undefined: keep what is there
        return dict(getattr(obj, "__annotations__", {}) or {})


def type_name(t):
    if isinstance(t, type):
        return t.__name__
    return str(t).replace("typing.", "")
