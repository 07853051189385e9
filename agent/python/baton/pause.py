"""Pausing a run for a person's input (Prefect's pause_flow_run with wait_for_input), reported to Baton.

    from baton import flow, pause_flow_run

    @flow
    def train():
        answer = pause_flow_run(wait_for_input={"type": "object", "properties": {"approve": {"type": "boolean"}}, "required": ["approve"]},
                                timeout=3600, message="Look at the metrics: ship this model?")
        if answer["approve"]:
            ...

The process waits in place: it keeps its agent slot and its lease (the agent keeps renewing it),
see docs/states.md#paused.
"""
import time
import uuid

from . import _logs
from ._context import current_flow
from ._schema import type_schema
from ._types import is_dataclass_type, is_pydantic_model, is_typeddict

_FIRST_POLL = 0.25
_MAX_POLL = 3.0


class PauseTimeoutError(RuntimeError):
    """Nobody answered the pause within its timeout: Baton failed the run, and the flow stops here."""


def input_schema(wait_for_input):
    """The JSON Schema of what a person fills in: given as a dict, or made from a dataclass, TypedDict or pydantic model; None asks for no fields (an approve button)."""
    if wait_for_input is None:
        return {"type": "object", "properties": {}}
    if isinstance(wait_for_input, dict):
        return wait_for_input
    if isinstance(wait_for_input, type) and (is_dataclass_type(wait_for_input) or is_typeddict(wait_for_input) or is_pydantic_model(wait_for_input)):
        return type_schema(wait_for_input, {})
    raise TypeError("pause_flow_run(wait_for_input=...): give a JSON Schema dict, a dataclass, a TypedDict or a pydantic model class")


def pause_flow_run(wait_for_input=None, timeout=3600, message=None):
    """Pauses the run until a person answers on its page (or POST /flow-runs/{id}/resume); returns their input as a dict.

    Raises PauseTimeoutError when nobody answered within `timeout` seconds (the run is failed with
    "Nobody answered within …"). A person's cancel stops the process as for a running run.
    """
    scope = current_flow()
    if scope is None or scope.client is None or scope.run_id is None:
        raise RuntimeError("pause_flow_run needs a run in Baton: call it inside a flow run by an agent or started with a Baton profile (there is nobody to ask when the flow runs locally).")
    if not isinstance(timeout, int) or isinstance(timeout, bool) or timeout < 1:
        raise ValueError("pause_flow_run(timeout=...): a whole number of seconds, at least 1")
    schema = input_schema(wait_for_input)
    # What the flow reported so far shows on the page before it waits.
    if scope.tasks is not None:
        scope.tasks.flush()
    scope.logs.flush()
    body = {"transitionId": str(uuid.uuid4()), "schema": schema, "message": message, "timeoutSeconds": timeout}
    pause = scope.client.request("POST", f"/flow-runs/{scope.run_id}/pause", body, tries=8)
    _logs.write("info", f"Paused for input{': ' + message if message else ''} (until {pause['timeoutAt']})", scope=scope)
    delay = _FIRST_POLL
    deadline = time.monotonic() + timeout
    while pause["status"] == "waiting":
        # Never much later than the deadline: that read fails the run with Baton's message.
        time.sleep(max(0.0, min(delay, deadline - time.monotonic() + 0.05)))
        delay = min(delay * 2, _MAX_POLL)
        pause = scope.client.request("GET", f"/flow-runs/{scope.run_id}/pauses/{pause['id']}", tries=8)
    state = pause["runState"]
    if pause["status"] == "timed_out":
        raise PauseTimeoutError(state.get("message") or "Nobody answered the pause within its timeout.")
    if pause["status"] == "ended":
        detail = f": {state['message']}" if state.get("message") else ""
        raise RuntimeError(f"The run stopped while paused ({state['name']}{detail}).")
    _logs.write("info", f"Resumed by {pause.get('submittedBy') or 'a person'}", scope=scope)
    return dict(pause["input"] or {})


__all__ = ["PauseTimeoutError", "input_schema", "pause_flow_run"]
