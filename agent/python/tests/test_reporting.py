import io
import os
import re
import subprocess
import sys
import textwrap
import unittest
from contextlib import redirect_stderr

from baton import flow, get_run_logger, task

from .support import recording_baton

HERE = os.path.dirname(os.path.abspath(__file__))


@task
def step(i):
    get_run_logger().info(f"step {i}")
    return i


class Reporting(unittest.TestCase):
    def test_an_outage_loses_and_doubles_no_line_and_no_task_run(self):
        @flow
        def f():
            api.fail_next(4)  # from here the next requests, whatever they are, answer 503
            return sum(step(i) for i in range(50))

        with recording_baton() as api, redirect_stderr(io.StringIO()):
            self.assertEqual(f(), sum(range(50)))
            lines = [line for line in api.logs() if line["message"].startswith("step ")]
            self.assertEqual([line["message"] for line in lines], [f"step {i}" for i in range(50)])
            seqs = [line["seq"] for line in api.logs()]
            self.assertEqual(seqs, sorted(set(seqs)))
            created = api.task_runs()
            self.assertEqual(len(created), 50)
            self.assertEqual(len({t["id"] for t in created}), 50)
            self.assertTrue(any(s == 503 for (_m, _p, _b, s) in api.requests))
            # The run's end is reported after its task runs and lines were sent.
            order = [p for (_m, p, _b, s) in api.requests if s == 200]
            end = max(i for i, p in enumerate(order) if p.endswith("/state"))
            self.assertLess(max(i for i, p in enumerate(order) if p in ("/logs", "/task-runs/states")), end)

    def test_reports_are_batched(self):
        @flow
        def f():
            for i in range(300):
                step(i)

        with recording_baton() as api, redirect_stderr(io.StringIO()):
            f()
            self.assertLessEqual(len(api.bodies("/task-runs/batch")), 3)
            self.assertLessEqual(len(api.bodies("/logs")), 3)

    def test_the_ad_hoc_run_reports_its_end_and_parameters(self):
        @flow(tags=["nightly"])
        def g(n: int = 1):
            return n

        with recording_baton() as api, redirect_stderr(io.StringIO()):
            g(n="2")
            created = api.bodies("/flow-runs")[0]
            self.assertEqual((created["flowName"], created["parameters"], created["tags"]), ("g", {"n": 2}, ["nightly"]))
            self.assertEqual([b["state"]["type"] for b in api.bodies(next(p for (_m, p, _b, _s) in api.requests if p.endswith("/state")))], ["COMPLETED"])

    def test_a_script_flushes_what_it_logged_before_it_exits(self):
        script = textwrap.dedent("""
            import sys
            from baton import flow, get_run_logger
            @flow
            def f():
                for i in range(200):
                    get_run_logger().info(f"line {i}")
                sys.exit(0)  # leaves the flow at once
            f()
        """)
        with recording_baton() as api:
            env = {**os.environ, "PYTHONPATH": os.path.dirname(HERE)}
            done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
            self.assertEqual(done.returncode, 0, done.stderr)
            messages = [line["message"] for line in api.logs()]
            self.assertEqual([m for m in messages if re.match(r"line \d+", m)], [f"line {i}" for i in range(200)])

    def test_under_an_agent_without_a_log_channel_lines_go_to_stdout_and_stderr_and_no_run_state_is_reported(self):
        script = textwrap.dedent("""
            import logging
            from baton import flow, get_run_logger, task
            @task
            def work():
                logging.warning("careful")
                return 1
            @flow
            def f():
                get_run_logger().info("hello")
                return work()
            f()
        """)
        with recording_baton() as api:
            env = {**os.environ, "PYTHONPATH": os.path.dirname(HERE), "BATON_RUN_ID": "0190a000-0000-7000-8000-000000000001", "BATON_RUN_TOKEN": "t", "BATON_RUN_ATTEMPT": "1"}
            env.pop("BATON_API_KEY")
            done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertEqual(done.stdout, "hello\n")
            self.assertEqual(done.stderr, "WARNING:baton:careful\n")
            self.assertEqual([t["name"] for t in api.task_runs()], ["work"])
            paths = {p for (_m, p, _b, _s) in api.requests}
            self.assertNotIn("/flow-runs", paths)
            self.assertFalse(any(p.endswith("/state") for p in paths))


if __name__ == "__main__":
    unittest.main()
