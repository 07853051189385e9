"""A flow's parameters as JSON Schema (draft 7), from its signature, type hints and docstring."""
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

_SIMPLE = {
    str: {"type": "string"},
    int: {"type": "integer"},
    float: {"type": "number"},
    bool: {"type": "boolean"},
    bytes: {"type": "string"},
    decimal.Decimal: {"type": "number"},
    NONE: {"type": "null"},
    _dt.datetime: {"type": "string", "format": "date-time"},
    _dt.date: {"type": "string", "format": "date"},
    _dt.time: {"type": "string", "format": "time"},
    uuid.UUID: {"type": "string", "format": "uuid"},
    pathlib.Path: {"type": "string", "format": "path"},
    pathlib.PurePath: {"type": "string", "format": "path"},
}


def to_json(value):
    """A default value in JSON form (dates as ISO text, enums by value, dataclasses as objects); raises TypeError if it has none."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise TypeError("not finite")
        return value
    if isinstance(value, enum.Enum):
        return to_json(value.value)
    if isinstance(value, (_dt.date, _dt.datetime, _dt.time)):
        return value.isoformat()
    if isinstance(value, (uuid.UUID, pathlib.PurePath, decimal.Decimal)):
        return str(value) if not isinstance(value, decimal.Decimal) else float(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return to_json(dataclasses.asdict(value))
    if hasattr(value, "model_dump"):
        return to_json(value.model_dump(mode="json"))
    if hasattr(value, "dict") and hasattr(value, "__fields__"):
        return to_json(value.dict())
    raise TypeError(f"{type(value).__name__} has no JSON form")


def type_schema(t, definitions):
    if t is inspect.Parameter.empty or t is typing.Any or t is object:
        return {}
    if is_annotated(t):
        inner, *meta = args(t)
        s = dict(type_schema(inner, definitions))
        text = [m for m in meta if isinstance(m, str)]
        if text:
            s["description"] = text[0]
        return s
    if t in _SIMPLE:
        return dict(_SIMPLE[t])
    if is_union(t):
        members = [type_schema(a, definitions) for a in args(t)]
        return {"anyOf": members}
    if is_literal(t):
        values = list(args(t))
        s = {"enum": values}
        kinds = {type(v) for v in values}
        if len(kinds) == 1 and next(iter(kinds)) in (str, int, bool):
            s["type"] = _SIMPLE[next(iter(kinds))]["type"]
        return s
    if isinstance(t, type) and issubclass(t, enum.Enum):
        values = [to_json(m.value) for m in t]
        s = {"title": t.__name__, "enum": values}
        if all(isinstance(v, str) for v in values):
            s["type"] = "string"
        elif all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            s["type"] = "integer"
        return s
    o = origin(t)
    a = args(t)
    if t in (list, tuple, set, frozenset) or o in (list, set, frozenset, typing.Sequence, typing.List, typing.Set) or _is_abc(o, ("Sequence", "MutableSequence", "Set", "Iterable", "Collection")):
        s = {"type": "array"}
        if a:
            s["items"] = type_schema(a[0], definitions)
        if t in (set, frozenset) or o in (set, frozenset):
            s["uniqueItems"] = True
        return s
    if o is tuple:
        if len(a) == 2 and a[1] is Ellipsis:
            return {"type": "array", "items": type_schema(a[0], definitions)}
        return {"type": "array", "items": [type_schema(x, definitions) for x in a], "minItems": len(a), "maxItems": len(a)}
    if t is dict or o is dict or _is_abc(o, ("Mapping", "MutableMapping")):
        s = {"type": "object"}
        if len(a) == 2:
            s["additionalProperties"] = type_schema(a[1], definitions)
        return s
    if is_dataclass_type(t):
        hints = hints_of(t)
        props, required = {}, []
        for f in dataclasses.fields(t):
            if not f.init:
                continue
            p = type_schema(hints.get(f.name, inspect.Parameter.empty), definitions)
            if f.default is not dataclasses.MISSING:
                _set_default(p, f.default)
            elif f.default_factory is not dataclasses.MISSING:  # type: ignore[misc]
                _set_default(p, f.default_factory())  # type: ignore[misc]
            else:
                required.append(f.name)
            props[f.name] = {"title": f.name, **p}
        return _object(t.__name__, props, required)
    if is_typeddict(t):
        hints = hints_of(t)
        req = getattr(t, "__required_keys__", set(hints) if getattr(t, "__total__", True) else set())
        props = {k: {"title": k, **type_schema(v, definitions)} for k, v in hints.items()}
        return _object(t.__name__, props, [k for k in hints if k in req])
    if is_pydantic_model(t):
        return _pydantic_schema(t, definitions)
    return {}


def _is_abc(o, names):
    return o is not None and getattr(o, "__module__", "") == "collections.abc" and getattr(o, "__name__", "") in names


def _object(title, props, required):
    s = {"title": title, "type": "object", "properties": props}
    if required:
        s["required"] = required
    return s


def _set_default(schema, value):
    try:
        schema["default"] = to_json(value)
    except TypeError:
        pass


def _pydantic_schema(model, definitions):
    if hasattr(model, "model_json_schema"):
        s = model.model_json_schema(ref_template="#/definitions/{model}")
    else:
        s = model.schema(ref_template="#/definitions/{model}")
    for key in ("$defs", "definitions"):
        definitions.update(s.pop(key, {}) or {})
    return s


_GOOGLE = re.compile(r"^(Args|Arguments|Parameters|Params|Keyword Args|Keyword Arguments)\s*:\s*$")
_GOOGLE_ITEM = re.compile(r"^\s*\**(\w+)\s*(\([^)]*\))?\s*:\s*(.*)$")
_NUMPY_ITEM = re.compile(r"^(\w+)\s*(:.*)?$")
_SPHINX = re.compile(r"^\s*:param\s+(?:[^:]*\s)?(\w+)\s*:\s*(.*)$")
_SECTION_END = re.compile(r"^(Returns?|Yields?|Raises|Examples?|Notes?|See Also|Attributes|Warnings?)\s*:?\s*$")


def parse_docstring(doc):
    """(summary, {parameter: description}) from a Google, NumPy or Sphinx style docstring."""
    if not doc:
        return None, {}
    lines = inspect.cleandoc(doc).splitlines()
    params, summary, i = {}, [], 0
    current = None
    in_section = None
    item_indent = None
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
        if _GOOGLE.match(stripped) and not line.startswith(" "):
            in_section, current, item_indent = "google", None, None
        elif stripped in ("Parameters", "Other Parameters") and re.match(r"^-{3,}$", nxt):
            in_section, current = "numpy", None
            i += 1
        elif _SPHINX.match(line):
            m = _SPHINX.match(line)
            current = m.group(1)
            params[current] = m.group(2).strip()
            in_section = "sphinx"
        elif in_section and (_SECTION_END.match(stripped) and not line.startswith(" ")):
            in_section, current = "other", None
        elif in_section == "google":
            m = _GOOGLE_ITEM.match(line)
            indent = len(line) - len(line.lstrip())
            if m and stripped and (item_indent is None or indent <= item_indent):
                current = m.group(1)
                item_indent = indent
                params[current] = m.group(3).strip()
            elif current and stripped:
                params[current] = (params[current] + " " + stripped).strip()
        elif in_section == "numpy":
            if line and not line.startswith(" ") and _NUMPY_ITEM.match(stripped):
                current = _NUMPY_ITEM.match(stripped).group(1)
                params[current] = ""
            elif current and stripped:
                params[current] = (params[current] + " " + stripped).strip()
        elif in_section == "sphinx":
            if current and line.startswith(" ") and stripped:
                params[current] = (params[current] + " " + stripped).strip()
            elif stripped.startswith(":"):
                current = None
        elif in_section is None:
            summary.append(line)
        i += 1
    text = "\n".join(summary).strip()
    return (text or None), {k: v for k, v in params.items() if v}


def parameter_schema(fn):
    """The JSON Schema of a function's parameters: what a deployment's Run form shows and checks."""
    sig = inspect.signature(fn)
    hints = hints_of(fn)
    _, docs = parse_docstring(inspect.getdoc(fn))
    definitions = {}
    props, required = {}, []
    for position, (name, p) in enumerate(sig.parameters.items()):
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        s = {"title": name, "position": position, **type_schema(hints.get(name, p.annotation), definitions)}
        if name in docs and "description" not in s:
            s["description"] = docs[name]
        if p.default is p.empty:
            required.append(name)
        else:
            _set_default(s, p.default)
        props[name] = s
    schema = {"title": "Parameters", "type": "object", "properties": props}
    if required:
        schema["required"] = required
    if not any(p.kind == p.VAR_KEYWORD for p in sig.parameters.values()):
        schema["additionalProperties"] = False
    if definitions:
        schema["definitions"] = definitions
    return schema


__all__ = ["parameter_schema", "parse_docstring", "to_json", "type_name"]
