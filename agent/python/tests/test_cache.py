import datetime
import io
import os
import tempfile
import threading
import unittest
from contextlib import redirect_stderr

from baton import TaskRunContext, flow, task, task_input_hash
from baton._cache import POINTER, is_plain_json

from .support import environment, recording_baton


def add(a, b):
    return a + b


def sub(a, b):
    return a - b


def ctx(fn, name="t"):
    return TaskRunContext(task=task(name=name)(fn), task_run_id=None, flow_run_id=None, parameters={})


class CacheKeys(unittest.TestCase):
    def test_task_input_hash_is_stable_and_depends_on_inputs_task_and_code(self):
        k = task_input_hash(ctx(add), {"a": 1, "b": {"y": 2, "x": 1}})
        self.assertEqual(k, task_input_hash(ctx(add), {"b": {"x": 1, "y": 2}, "a": 1}))
        self.assertTrue(k.startswith("t-"))
        self.assertNotEqual(k, task_input_hash(ctx(add), {"a": 2, "b": {"y": 2, "x": 1}}))
        self.assertNotEqual(k, task_input_hash(ctx(sub), {"a": 1, "b": {"y": 2, "x": 1}}))

    def test_inputs_that_are_not_json_are_hashed_by_pickle_or_not_at_all(self):
        self.assertIsNotNone(task_input_hash(ctx(add), {"a": datetime.date(2024, 1, 1)}))
        self.assertIsNone(task_input_hash(ctx(add), {"a": threading.Lock()}))

    def test_what_counts_as_plain_json(self):
        self.assertTrue(is_plain_json({"a": [1, 2.5, None, True, "x"]}))
        self.assertFalse(is_plain_json((1, 2)))  # would come back a list
        self.assertFalse(is_plain_json({1: "a"}))  # would come back with a str key
        self.assertFalse(is_plain_json(float("nan")))
        self.assertFalse(is_plain_json({1, 2}))


class CachedResults(unittest.TestCase):
    def test_local_runs_cache_in_the_process_and_honour_the_expiration(self):
        calls = []

        @task(cache_key_fn=lambda c, p: f"local-{p['x']}", cache_expiration=datetime.timedelta(hours=1))
        def twice(x):
            calls.append(x)
            return x * 2

        @task(cache_key_fn=lambda c, p: "expired", cache_expiration=datetime.timedelta(microseconds=1))
        def stale():
            calls.append("stale")

        @flow
        def f():
            return twice(2), twice(2), twice(3), stale(), stale()

        with environment(), redirect_stderr(io.StringIO()):
            self.assertEqual(f()[:3], (4, 4, 6))
        self.assertEqual(calls, [2, 3, "stale", "stale"])

    def test_json_results_go_to_the_workspace_cache_and_others_are_pickled_with_a_pointer(self):
        results = tempfile.mkdtemp(prefix="baton-results-")

        @task(cache_key_fn=task_input_hash)
        def as_json(x):
            return {"x": x}

        @task(cache_key_fn=task_input_hash)
        def as_tuple(x):
            return (x, datetime.date(2024, 1, x))

        @flow
        def f():
            return as_json(1), as_tuple(2)

        with recording_baton(BATON_RESULTS_DIR=results) as api, redirect_stderr(io.StringIO()):
            self.assertEqual(f(), ({"x": 1}, (2, datetime.date(2024, 1, 2))))
            saved = dict(api.cache)
            values = list(saved.values())
            self.assertIn({"x": 1}, values)
            pointer = next(v[POINTER] for v in values if isinstance(v, dict) and POINTER in v)
            self.assertTrue(os.path.exists(os.path.join(results, pointer["file"])))
            # Again: both hits, the tuple read back from its file with its types.
            self.assertEqual(f(), ({"x": 1}, (2, datetime.date(2024, 1, 2))))
            cached = [t["name"] for t in api.task_runs() if t["state"].get("name") == "Cached"]
            self.assertEqual(sorted(cached), ["as_json", "as_tuple"])

        # Another machine (an empty results folder), the same workspace cache: the pointer misses and the task runs.
        err = io.StringIO()
        with recording_baton(BATON_RESULTS_DIR=tempfile.mkdtemp()) as api, redirect_stderr(err):
            api.cache.update(saved)
            self.assertEqual(f(), ({"x": 1}, (2, datetime.date(2024, 1, 2))))
            states = {t["name"]: t["state"] for t in api.task_runs()}
        self.assertEqual(states["as_json"].get("name"), "Cached")
        self.assertEqual(states["as_tuple"], {"type": "RUNNING"})
        self.assertIn("that this machine does not have", err.getvalue())

    def test_a_pointer_to_a_missing_file_is_a_miss_not_a_failure(self):
        calls = []

        @task(cache_key_fn=lambda c, p: "model")
        def fit():
            calls.append(1)
            return {"weights"}

        @flow
        def f():
            return fit()

        err = io.StringIO()
        with recording_baton(BATON_RESULTS_DIR=tempfile.mkdtemp()) as api, redirect_stderr(err):
            api.cache["model"] = {POINTER: {"file": "0" * 64 + ".pickle", "sha256": "0" * 64, "host": "gpu-box"}}
            self.assertEqual(f(), {"weights"})
        self.assertEqual(calls, [1])
        self.assertIn("is a file on gpu-box that this machine does not have", err.getvalue())

    def test_a_result_that_cannot_be_cached_is_returned_with_a_warning(self):
        lock = threading.Lock()

        @task(cache_key_fn=lambda c, p: "lock")
        def make():
            return lock

        @flow
        def f():
            return make()

        err = io.StringIO()
        with recording_baton(BATON_RESULTS_DIR=tempfile.mkdtemp()) as api, redirect_stderr(err):
            self.assertIs(f(), lock)
            self.assertEqual(api.cache, {})
        self.assertIn("Result of lock was not cached: it is not JSON and cannot be pickled (TypeError", err.getvalue())


if __name__ == "__main__":
    unittest.main()
