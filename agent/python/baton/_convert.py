"""Run parameters (JSON, from the Run form, the CLI or BATON_PARAMETERS) converted to the flow's types.

A value that already has the type passes as it is (a flow called from Python); JSON forms are
converted (an ISO string to a date, a list to a tuple or set, an object to a dataclass, a
TypedDict or a pydantic model, a value or name to an Enum); a value that does not fit raises
ParameterError naming the parameter, e.g. `n: expected an integer, got 'three'`.
"""
import dataclasses
import datetime as _dt
import decimal
import enum
import inspect
import pathlib
import re
import typing
import uuid

from ._types import NONE, args, hints_of, is_annotated, is_dataclass_type, is_literal, is_pydantic_model, is_typeddict, is_union, origin, type_name


class ParameterError(TypeError):
    """A flow was called with parameters that do not fit its signature."""


class _Mismatch(Exception):
    def __init__(self, path, message):
        super().__init__(message)
        self.path = path
        self.message = message


def _fail(path, expected, value):
    shown = repr(value)
    if len(shown) > 80:
        shown = shown[:77] + "..."
    raise _Mismatch(path, f"expected {expected}, got {shown}")


def convert(value, t, path="value"):
    if t is inspect.Parameter.empty or t is typing.Any or t is object:
        return value
    if is_annotated(t):
        return convert(value, args(t)[0], path)
    if t is NONE:
        if value is None:
            return None
        _fail(path, "null", value)
    if is_union(t):
        members = args(t)
        for m in members:  # an exact type first: Union[int, str] keeps "3" a string
            if isinstance(m, type) and type(value) is m:
                return value
        if value is None and NONE in members:
            return None
        expected = []
        for m in members:
            if m is NONE:
                continue
            try:
                return convert(value, m, path)
            except _Mismatch as err:
                if err.path != path and len(members) <= 2:
                    raise  # Optional[X]: the misfit deep inside X says more
                found = re.match(r"^expected (.*), got ", err.message)
                expected.append(found.group(1) if found else type_name(m))
        if NONE in members:
            expected.append("null")
        _fail(path, " or ".join(expected), value)
    if is_literal(t):
        choices = args(t)
        if value in choices and any(type(value) is type(c) for c in choices if c == value):
            return value
        _fail(path, "one of " + ", ".join(repr(c) for c in choices), value)
    if t is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        _fail(path, "true or false", value)
    if t is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                pass
        _fail(path, "an integer", value)
    if t is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value.strip())
            except ValueError:
                pass
        _fail(path, "a number", value)
    if t is str:
        if isinstance(value, str):
            return value
        _fail(path, "a string", value)
    if t is decimal.Decimal:
        if isinstance(value, (int, float, str, decimal.Decimal)) and not isinstance(value, bool):
            try:
                return decimal.Decimal(str(value))
            except decimal.InvalidOperation:
                pass
        _fail(path, "a decimal number", value)
    if t is _dt.datetime:
        if isinstance(value, _dt.datetime):
            return value
        if isinstance(value, str):
            try:
                return _dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
            except ValueError:
                pass
        _fail(path, "a date and time (ISO 8601, e.g. 2024-01-31T08:00:00Z)", value)
    if t is _dt.date:
        if isinstance(value, _dt.date) and not isinstance(value, _dt.datetime):
            return value
        if isinstance(value, str):
            try:
                return _dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        _fail(path, "a date (YYYY-MM-DD)", value)
    if t is _dt.time:
        if isinstance(value, _dt.time):
            return value
        if isinstance(value, str):
            try:
                return _dt.time.fromisoformat(value.strip())
            except ValueError:
                pass
        _fail(path, "a time (HH:MM[:SS])", value)
    if t in (uuid.UUID, pathlib.Path, pathlib.PurePath):
        if isinstance(value, t):
            return value
        if isinstance(value, str):
            try:
                return t(value)
            except ValueError:
                pass
        _fail(path, "a UUID" if t is uuid.UUID else "a path", value)
    if isinstance(t, type) and issubclass(t, enum.Enum):
        if isinstance(value, t):
            return value
        for m in t:
            if m.value == value and type(m.value) is type(value):
                return m
        if isinstance(value, str) and value in t.__members__:
            return t[value]
        _fail(path, "one of " + ", ".join(repr(m.value) for m in t), value)
    if is_pydantic_model(t):
        if isinstance(value, t):
            return value
        try:
            return t.model_validate(value) if hasattr(t, "model_validate") else t.parse_obj(value)
        except Exception as err:  # noqa: BLE001 - pydantic's ValidationError, with its own detail
            raise _Mismatch(path, f"does not fit {t.__name__}: {err}") from None
    if is_dataclass_type(t):
        if isinstance(value, t):
            return value
        if not isinstance(value, dict):
            _fail(path, f"an object ({t.__name__})", value)
        hints = hints_of(t)
        fields = {f.name: f for f in dataclasses.fields(t) if f.init}
        unknown = set(value) - set(fields)
        if unknown:
            raise _Mismatch(path, f"{t.__name__} has no field {', '.join(sorted(map(str, unknown)))}")
        kwargs = {}
        for name, f in fields.items():
            if name in value:
                kwargs[name] = convert(value[name], hints.get(name, inspect.Parameter.empty), f"{path}.{name}")
            elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:  # type: ignore[misc]
                raise _Mismatch(f"{path}.{name}", "is required")
        return t(**kwargs)
    if is_typeddict(t):
        if not isinstance(value, dict):
            _fail(path, f"an object ({t.__name__})", value)
        hints = hints_of(t)
        required = getattr(t, "__required_keys__", set(hints))
        for k in required:
            if k not in value:
                raise _Mismatch(f"{path}.{k}", "is required")
        return {k: convert(v, hints[k], f"{path}.{k}") if k in hints else v for k, v in value.items()}
    return _convert_generic(value, t, path)


def _convert_generic(value, t, path):
    o = origin(t) or t
    a = args(t)
    if o in (list, set, frozenset, tuple) or getattr(o, "__module__", "") == "collections.abc" and o.__name__ in ("Sequence", "MutableSequence", "Set", "Iterable", "Collection"):
        if not isinstance(value, (list, tuple, set, frozenset)):
            _fail(path, "a list", value)
        if o is tuple and a and not (len(a) == 2 and a[1] is Ellipsis):
            if len(value) != len(a):
                _fail(path, f"a list of {len(a)} items", value)
            return tuple(convert(v, x, f"{path}[{i}]") for i, (v, x) in enumerate(zip(value, a)))
        item = a[0] if a else inspect.Parameter.empty
        items = [convert(v, item, f"{path}[{i}]") for i, v in enumerate(value)]
        kind = o if o in (list, set, frozenset, tuple) else list
        return kind(items)
    if o is dict or getattr(o, "__module__", "") == "collections.abc" and o.__name__ in ("Mapping", "MutableMapping"):
        if not isinstance(value, dict):
            _fail(path, "an object", value)
        if len(a) != 2:
            return dict(value)
        return {convert(k, a[0], f"{path} key") if a[0] is not str else k: convert(v, a[1], f"{path}.{k}") for k, v in value.items()}
    if isinstance(t, type):
        if isinstance(value, t):
            return value
        _fail(path, f"a {t.__name__}", value)
    return value


def convert_parameters(flow_name, fn, parameters):
    """The keyword arguments to call `fn` with: every parameter converted; all the misfits named in one ParameterError."""
    sig = inspect.signature(fn)
    hints = hints_of(fn)
    accepts_kwargs = any(p.kind == p.VAR_KEYWORD for p in sig.parameters.values())
    problems, out = [], {}
    for name, value in parameters.items():
        p = sig.parameters.get(name)
        if p is None or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            if accepts_kwargs:
                out[name] = value
            else:
                problems.append(f"{name}: not a parameter of this flow (it takes {', '.join(sig.parameters) or 'none'})")
            continue
        try:
            out[name] = convert(value, hints.get(name, p.annotation), name)
        except _Mismatch as err:
            problems.append(f"{err.path}: {err.message}")
    for name, p in sig.parameters.items():
        if p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD) and name not in parameters:
            problems.append(f"{name}: required")
    if problems:
        raise ParameterError(f'Invalid parameters for flow "{flow_name}": ' + "; ".join(problems))
    return out
