import dataclasses
import io
import unittest
from contextlib import redirect_stderr
from typing import Literal

from baton import PauseTimeoutError, flow, pause_flow_run
from baton.pause import input_schema

from .support import environment, recording_baton


@dataclasses.dataclass
class Approval:
    approve: bool
    note: str = ""
    env: Literal["staging", "prod"] = "staging"


@flow
def needs_approval():
    answer = pause_flow_run(wait_for_input=Approval, timeout=60, message="Ship it?")
    return answer


class PauseFlowRun(unittest.TestCase):
    def test_a_dataclass_becomes_the_form_schema(self):
        s = input_schema(Approval)
        self.assertEqual(s["type"], "object")
        self.assertEqual(s["required"], ["approve"])
        self.assertEqual(s["properties"]["approve"]["type"], "boolean")
        self.assertEqual(s["properties"]["env"]["enum"], ["staging", "prod"])
        self.assertEqual(s["properties"]["note"]["default"], "")

    def test_a_dict_is_the_schema_as_given_and_none_asks_for_nothing(self):
        given = {"type": "object", "properties": {"n": {"type": "integer"}}}
        self.assertIs(input_schema(given), given)
        self.assertEqual(input_schema(None), {"type": "object", "properties": {}})
        with self.assertRaises(TypeError):
            input_schema(42)

    def test_it_proposes_the_pause_waits_and_returns_the_input_as_a_dict(self):
        with recording_baton() as api, redirect_stderr(io.StringIO()):
            api.pause_input = {"approve": True, "note": "metrics look fine"}
            result = needs_approval()
            body = api.bodies(next(p for (_m, p, _b, _s) in api.requests if p.endswith("/pause")))[0]
        self.assertEqual(result, {"approve": True, "note": "metrics look fine"})
        self.assertEqual((body["message"], body["timeoutSeconds"], body["schema"]["required"]), ("Ship it?", 60, ["approve"]))

    def test_nobody_answering_raises_with_batons_message(self):
        with recording_baton() as api, redirect_stderr(io.StringIO()):
            api.pause_input = None
            with self.assertRaises(PauseTimeoutError) as caught:
                needs_approval()
        self.assertIn("Nobody answered within 1 h", str(caught.exception))

    def test_run_locally_there_is_nobody_to_ask(self):
        with environment(), redirect_stderr(io.StringIO()):
            with self.assertRaises(RuntimeError) as caught:
                needs_approval()
        self.assertIn("needs a run in Baton", str(caught.exception))

    def test_timeout_must_be_whole_seconds(self):
        with recording_baton(), redirect_stderr(io.StringIO()):
            with self.assertRaises(ValueError):
                flow(lambda: pause_flow_run(timeout=0))()


if __name__ == "__main__":
    unittest.main()
