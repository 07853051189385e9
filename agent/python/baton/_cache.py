"""Cached task results: where they live and how their keys are made.

- A result that is plain JSON (it survives json.dumps → json.loads unchanged: str, int, float,
  bool, None, lists and str-keyed dicts of them) is stored in the workspace cache
  (PUT /api/v1/cache/{key}), the one the TypeScript SDK uses.
- Any other result (a tuple, a DataFrame, a numpy array, a fitted model) is pickled into the
  results folder of the machine that ran the task: BATON_RESULTS_DIR, else BATON_HOME/results,
  else ~/.baton/results. The workspace cache keeps a pointer to it (file, sha256, host). A run on
  a machine without that file, or with a file that changed, misses and runs the task.
- Run locally (no server), the cache lives in the process, as in the TypeScript SDK.
"""
import datetime as _dt
import hashlib
import json
import os
import pickle
import socket
import sys
import urllib.parse
from dataclasses import dataclass
from typing import Any, Dict, Optional

from ._wire import ApiError

POINTER = "__baton_pickled_result__"
_local = {}


@dataclass
class TaskRunContext:
    """What a cache_key_fn gets first (Prefect's TaskRunContext, trimmed): the task and its run."""

    task: Any
    task_run_id: Optional[str]
    flow_run_id: Optional[str]
    parameters: Dict[str, Any]


def _stable(value):
    try:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError):
        return None


def hash_objects(*objects):
    """A hex digest of the objects: by stable JSON, else by pickle; None when neither works."""
    text = _stable(objects)
    if text is not None:
        return hashlib.sha256(text.encode()).hexdigest()
    try:
        return hashlib.sha256(pickle.dumps(objects, protocol=4)).hexdigest()
    except Exception:  # noqa: BLE001 - an input that cannot be hashed means no cache key
        return None


def task_input_hash(context, arguments):
    """Prefect's default cache key: the task, its code, and its inputs; None (no caching) when an input cannot be hashed.

    Editing the task's code changes the key, so a changed task never reads an old result.
    """
    fn = getattr(context.task, "fn", None)
    code = fn.__code__.co_code.hex() if hasattr(fn, "__code__") else ""
    digest = hash_objects(context.task.task_key, code, arguments)
    return None if digest is None else f"{context.task.name}-{digest[:32]}"


def results_dir():
    explicit = os.environ.get("BATON_RESULTS_DIR")
    if explicit:
        return explicit
    home = os.environ.get("BATON_HOME") or os.path.join(os.path.expanduser("~"), ".baton")
    return os.path.join(home, "results")


def is_plain_json(value):
    try:
        return json.loads(json.dumps(value, allow_nan=False)) == value
    except (TypeError, ValueError, RecursionError):
        return False


def _path(key):
    return f"/cache/{urllib.parse.quote(key, safe='')}"


def lookup(scope, key, warn):
    """(True, value) for a hit, (False, None) for a miss. An unreachable cache is a miss, with a warning."""
    if scope.client is None:
        hit = _local.get(key)
        if hit and (hit[1] is None or hit[1] > _dt.datetime.now(_dt.timezone.utc)):
            return True, hit[0]
        return False, None
    try:
        entry = scope.client.request("GET", _path(key), tries=4)
    except ApiError as err:
        if err.status != 404:
            warn(f"Cache lookup of {key} failed ({err}): running the task")
        return False, None
    except Exception as err:  # noqa: BLE001 - Baton unreachable: run the task rather than fail
        warn(f"Cache lookup of {key} failed ({err}): running the task")
        return False, None
    value = entry.get("value") if isinstance(entry, dict) else None
    if isinstance(value, dict) and POINTER in value:
        return _read_pickle(value[POINTER], key, warn)
    return True, value


def _read_pickle(pointer, key, warn):
    path = os.path.join(results_dir(), os.path.basename(str(pointer.get("file", ""))))
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        warn(f"Cached result of {key} is a file on {pointer.get('host', 'another machine')} that this machine does not have ({path}): running the task")
        return False, None
    if hashlib.sha256(data).hexdigest() != pointer.get("sha256"):
        warn(f"Cached result file {path} changed since it was written: running the task")
        return False, None
    try:
        return True, pickle.loads(data)
    except Exception as err:  # noqa: BLE001 - an unreadable pickle (another library version) is a miss
        warn(f"Cached result file {path} could not be read ({type(err).__name__}: {err}): running the task")
        return False, None


def store(scope, key, value, expiration, warn):
    """Stores a result; a result that cannot be stored is returned all the same, with a warning."""
    expires_at = _dt.datetime.now(_dt.timezone.utc) + expiration if expiration else None
    if scope.client is None:
        _local[key] = (value, expires_at)
        return
    if is_plain_json(value):
        stored = value
    else:
        try:
            stored = {POINTER: _write_pickle(value)}
        except Exception as err:  # noqa: BLE001 - e.g. a lock or a generator: not cacheable
            warn(f"Result of {key} was not cached: it is not JSON and cannot be pickled ({type(err).__name__}: {err})")
            return
    body = {"value": stored, "expiresAt": None if expires_at is None else expires_at.isoformat(timespec="milliseconds").replace("+00:00", "Z")}
    try:
        scope.client.request("PUT", _path(key), body, tries=4)
    except Exception as err:  # noqa: BLE001 - the result is there; only the cache missed it
        warn(f"Result of {key} was not cached: {err}")


def _write_pickle(value):
    data = pickle.dumps(value, protocol=4)
    digest = hashlib.sha256(data).hexdigest()
    folder = results_dir()
    os.makedirs(folder, exist_ok=True)
    name = f"{digest}.pickle"
    path = os.path.join(folder, name)
    if not os.path.exists(path):
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    return {"file": name, "sha256": digest, "bytes": len(data), "host": socket.gethostname(), "python": sys.version.split()[0]}
