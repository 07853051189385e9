import io
import logging
import time
import unittest
from contextlib import redirect_stderr

from baton import TaskTimeoutError, UpstreamTaskError, flow, get_run_logger, task, unmapped

from .support import environment, recording_baton


@task
def one():
    return [1]


@task
def plus(xs, n=1):
    return [x + n for x in xs]


@task
def add(a, b):
    return a + b


class LocalRuns(unittest.TestCase):
    def test_calling_submit_map_and_wait_for(self):
        order = []

        @task
        def mark(name, delay=0.0):
            time.sleep(delay)
            order.append(name)
            return name

        @flow
        def f():
            slow = mark.submit("slow", 0.1)
            after = mark.submit("after", wait_for=[slow])
            mapped = add.map([1, 2, 3], unmapped(10))
            return after.result(), [m.result() for m in mapped], plus(one())

        with environment(), redirect_stderr(io.StringIO()):
            self.assertEqual(f(), ("after", [11, 12, 13], [2]))
        self.assertEqual(order, ["slow", "after"])

    def test_a_task_outside_a_flow_is_a_plain_call(self):
        self.assertEqual(add(1, 2), 3)
        self.assertEqual(add.submit(1, 2).result(), 3)

    def test_map_refuses_lists_of_different_lengths(self):
        @flow
        def f():
            return add.map([1, 2], [1])

        with environment(), redirect_stderr(io.StringIO()), self.assertRaisesRegex(ValueError, "different lengths"):
            f()

    def test_retries_then_success_and_then_failure(self):
        calls = {"n": 0}

        @task(retries=2)
        def flaky():
            calls["n"] += 1
            if calls["n"] < 3:
                raise RuntimeError("not yet")
            return "ok"

        @task(retries=1)
        def broken():
            raise KeyError("gone")

        @flow
        def f():
            return flaky()

        @flow
        def g():
            return broken()

        err = io.StringIO()
        with environment(), redirect_stderr(err):
            self.assertEqual(f(), "ok")
            with self.assertRaises(KeyError):
                g()
        self.assertEqual(calls["n"], 3)
        self.assertIn("Task flaky failed (RuntimeError: not yet); retry 2 of 2 in 0 s", err.getvalue())

    def test_a_failed_upstream_future_stops_its_downstream(self):
        @task
        def fails():
            raise ValueError("bad input")

        @flow
        def f():
            return add.submit(fails.submit(), 1).result()

        with environment(), redirect_stderr(io.StringIO()), self.assertRaisesRegex(UpstreamTaskError, "Upstream task fails failed: ValueError: bad input"):
            f()

    def test_timeout(self):
        @task(timeout_seconds=0.1)
        def sleepy():
            time.sleep(2)

        @flow
        def f():
            sleepy()

        with environment(), redirect_stderr(io.StringIO()), self.assertRaisesRegex(TaskTimeoutError, "Task sleepy timed out after 0.1 s"):
            f()

    def test_logs_print_and_python_logging_reach_the_console_with_their_level(self):
        @task(log_prints=True)
        def talk():
            print("hello", 42)
            logging.getLogger("lib").warning("careful")
            get_run_logger().debug("hidden at INFO")

        @flow
        def f():
            get_run_logger().info("from the flow")
            talk()
            print("not logged: the flow has no log_prints")

        err, out = io.StringIO(), io.StringIO()
        with environment(), redirect_stderr(err):
            from contextlib import redirect_stdout

            with redirect_stdout(out):
                f()
        self.assertRegex(err.getvalue(), r"\| INFO +\| from the flow")
        self.assertRegex(err.getvalue(), r"\| INFO +\| hello 42")
        self.assertRegex(err.getvalue(), r"\| WARNING +\| careful")
        self.assertNotIn("hidden", err.getvalue())
        self.assertIn("not logged", out.getvalue())

    def test_a_flow_called_from_a_flow_is_part_of_the_same_run(self):
        @flow
        def inner(x: int):
            return add(x, 1)

        @flow
        def outer():
            return inner(x="1")

        with recording_baton() as api, redirect_stderr(io.StringIO()):
            self.assertEqual(outer(), 2)
        self.assertEqual(len(api.bodies("/flow-runs")), 1)
        self.assertEqual([t["name"] for t in api.task_runs()], ["add"])

    def test_async_functions_are_refused_when_decorating(self):
        async def fetch():
            pass

        with self.assertRaisesRegex(TypeError, "@task fetch: async functions are not supported yet"):
            task(fetch)
        with self.assertRaisesRegex(TypeError, "@flow fetch: async functions are not supported yet"):
            flow(fetch)

    def test_default_name_and_description(self):
        @flow
        def train_model():
            """Trains it."""

        self.assertEqual((train_model.name, train_model.description), ("train-model", "Trains it."))


@task
def pick(*parts):
    return list(parts)


class Edges(unittest.TestCase):
    def test_results_futures_collections_and_wait_for_become_upstream_task_runs(self):
        @flow
        def f():
            a = one()
            b = plus.submit(a)
            c = plus.submit([b.result(), a][0])  # the object b returned, taken out of a list
            d = pick.submit({"x": b}, {"y": 1}, wait_for=[c])
            return d.result()

        with recording_baton() as api, redirect_stderr(io.StringIO()):
            self.assertEqual(f(), [{"x": [2]}, {"y": 1}])
        by = {}
        for t in api.task_runs():
            by.setdefault(t["name"], []).append(t)
        one_id = by["one"][0]["id"]
        plus_b, plus_c = by["plus"]
        self.assertEqual(by["one"][0]["upstreamTaskRunIds"], [])
        self.assertEqual(plus_b["upstreamTaskRunIds"], [one_id])
        self.assertEqual(plus_c["upstreamTaskRunIds"], [plus_b["id"]])
        self.assertEqual(sorted(by["pick"][0]["upstreamTaskRunIds"]), sorted([plus_b["id"], plus_c["id"]]))
        self.assertEqual([t["dynamicKey"] for t in by["plus"]], ["0", "1"])
        self.assertEqual(len({t["taskKey"] for t in by["plus"]}), 1)


if __name__ == "__main__":
    unittest.main()
