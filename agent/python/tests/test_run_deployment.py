import io
import unittest
from contextlib import redirect_stderr

from baton import ChildRunError, ChildRunTimeoutError, flow, run_deployment

from .support import environment, recording_baton


def child_posts(api):
    return [(p, b) for (m, p, b, s) in api.requests if m == "POST" and p.endswith("/children")]


class RunDeployment(unittest.TestCase):
    def test_waits_for_two_children_and_returns_them_completed(self):
        @flow
        def parent():
            a = run_deployment("train/nightly", parameters={"epochs": 2})
            b = run_deployment("evaluate/nightly")
            return a, b

        with recording_baton() as api, redirect_stderr(io.StringIO()):
            api.child_states = [{"type": "RUNNING", "name": "Running", "message": None}, {"type": "COMPLETED", "name": "Completed", "message": None}]
            a, b = parent()
            posts = child_posts(api)
        self.assertEqual((a.state_type, b.state_type), ("COMPLETED", "COMPLETED"))
        self.assertEqual([b["idempotencyKey"] for _p, b in posts], ["0", "1"])
        self.assertEqual(posts[0][1], {"deployment": "train/nightly", "parameters": {"epochs": 2}, "idempotencyKey": "0"})

    def test_a_retried_create_sends_the_same_key(self):
        @flow
        def parent():
            return run_deployment("train/nightly", timeout=0)

        with recording_baton() as api, redirect_stderr(io.StringIO()):
            # The run's creation answers first; then the child's create fails once and is retried.
            original = api.answer

            def answer(method, path, body):
                if method == "POST" and path.endswith("/children") and not api.children and not getattr(api, "failed", False):
                    api.failed = True
                    return 503, {"error": {"code": "unavailable", "message": "down"}}
                return original(method, path, body)

            api.answer = answer
            child = parent()
            keys = [b["idempotencyKey"] for _p, b in child_posts(api)]
        self.assertEqual(keys, ["0", "0"])
        self.assertEqual(len(api.children), 1)
        self.assertEqual(child.state_type, "SCHEDULED")

    def test_timeout_zero_returns_at_once_without_polling(self):
        @flow
        def parent():
            return run_deployment("train/nightly", timeout=0)

        with recording_baton() as api, redirect_stderr(io.StringIO()):
            child = parent()
            gets = [p for (m, p, _b, _s) in api.requests if m == "GET" and "/children/" in p]
        self.assertEqual(child.state["name"], "Scheduled")
        self.assertEqual(gets, [])

    def test_a_failed_child_raises_with_its_message(self):
        @flow
        def parent():
            run_deployment("train/nightly")

        with recording_baton() as api, redirect_stderr(io.StringIO()):
            api.child_states = [{"type": "FAILED", "name": "Failed", "message": "ValueError: no data for 2026-01-01"}]
            with self.assertRaises(ChildRunError) as ctx:
                parent()
        self.assertEqual(str(ctx.exception), "Child run child-0 of train/nightly failed: ValueError: no data for 2026-01-01")
        self.assertEqual(ctx.exception.run.state_type, "FAILED")

    def test_parameters_refused_by_the_childs_schema_raise_with_field_errors(self):
        @flow
        def parent():
            run_deployment("train/nightly", parameters={"epochs": -1})

        with recording_baton(), redirect_stderr(io.StringIO()):
            with self.assertRaises(ChildRunError) as ctx:
                parent()
        self.assertIn("Could not start a child run of train/nightly: The parameters do not match", str(ctx.exception))
        self.assertEqual(ctx.exception.field_errors, {"epochs": ["must be >= 1"]})

    def test_a_timeout_raises_and_leaves_the_child_running(self):
        @flow
        def parent():
            run_deployment("train/nightly", timeout=0.3)

        with recording_baton() as api, redirect_stderr(io.StringIO()):
            api.child_states = [{"type": "RUNNING", "name": "Running", "message": None}]
            with self.assertRaises(ChildRunTimeoutError) as ctx:
                parent()
            cancels = [p for (m, p, _b, _s) in api.requests if p.endswith("/cancel")]
        self.assertIn("did not finish within 0.3 s (it is Running); it keeps running", str(ctx.exception))
        self.assertEqual(cancels, [])

    def test_outside_baton_it_says_where_it_works(self):
        @flow
        def parent():
            run_deployment("train/nightly")

        with environment(), redirect_stderr(io.StringIO()):
            with self.assertRaises(RuntimeError) as ctx:
                parent()
        self.assertIn("call it inside a flow that runs in Baton", str(ctx.exception))


if __name__ == "__main__":
    unittest.main()
