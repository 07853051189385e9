"""Loads a flow from an entrypoint `path/to/file.py:function`, as `python path/to/file.py` would import it."""
import importlib.util
import os
import sys

from .flows import Flow


class EntrypointError(Exception):
    """The entrypoint cannot give a flow; `kind` says why (missing_file, syntax_error, import_error, missing_function, not_a_flow)."""

    def __init__(self, kind, message, file=None, line=None):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.file = file
        self.line = line

    def to_json(self):
        return {"kind": self.kind, "message": self.message, "file": self.file, "line": self.line}


def split_entrypoint(entrypoint):
    path, sep, name = entrypoint.rpartition(":")
    if not sep or not path or not name:
        raise EntrypointError("bad_entrypoint", f"{entrypoint!r} is not an entrypoint: write it as path/to/file.py:function_name")
    return path, name


def load_flow(entrypoint, cwd=None):
    path, name = split_entrypoint(entrypoint)
    full = os.path.abspath(os.path.join(cwd or os.getcwd(), path))
    if not os.path.isfile(full):
        raise EntrypointError("missing_file", f"No such file: {full}", file=path)
    folder = os.path.dirname(full)
    # Like `python file.py`: the file's folder first on the path, so its sibling modules import.
    if folder not in sys.path:
        sys.path.insert(0, folder)
    stem = os.path.splitext(os.path.basename(full))[0]
    module_name = stem if stem.isidentifier() and stem not in sys.modules else "__baton_flow__"
    spec = importlib.util.spec_from_file_location(module_name, full)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as err:
        sys.modules.pop(module_name, None)
        text = (err.text or "").rstrip()
        detail = f"\n    {text}" if text else ""
        raise EntrypointError("syntax_error", f"{type(err).__name__}: {err.msg} ({err.filename}, line {err.lineno}){detail}", file=err.filename, line=err.lineno) from None
    except BaseException as err:  # noqa: BLE001 - any error the module raised at import, reported with its line
        sys.modules.pop(module_name, None)
        tb = err.__traceback__
        frame_line, frame_file = None, None
        while tb is not None:
            if os.path.abspath(tb.tb_frame.f_code.co_filename) == full:
                frame_line, frame_file = tb.tb_lineno, full
            tb = tb.tb_next
        where = f" ({frame_file}, line {frame_line})" if frame_line else ""
        raise EntrypointError("import_error", f"Importing {path} failed: {type(err).__name__}: {err}{where}", file=frame_file, line=frame_line) from None
    target = getattr(module, name, None)
    if target is None:
        flows = [k for k, v in vars(module).items() if isinstance(v, Flow)]
        hint = f" Flows in it: {', '.join(flows)}." if flows else " It defines no @flow."
        raise EntrypointError("missing_function", f"{path} has no function named {name!r}.{hint}", file=full)
    if not isinstance(target, Flow):
        line = getattr(getattr(target, "__code__", None), "co_firstlineno", None)
        raise EntrypointError("not_a_flow", f"{name} in {path} is not a flow: decorate it with @flow (from baton import flow)", file=full, line=line)
    return target
