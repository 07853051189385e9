"""run_deployment: a run of another deployment, started from inside a flow as the current run's child.

Prefect's name and arguments. The child runs on whatever agent serves its deployment's pool, with
its own retries and state; cancelling the parent cancels it (docs/child-runs.md).
"""
import time
from dataclasses import dataclass, field
from typing import Any, Dict, Optional

from ._context import current_flow
from ._wire import ApiError
from .tasks import FlowCancelledError

_FINAL = ("COMPLETED", "FAILED", "CRASHED", "CANCELLED")
_POLL_FIRST = 0.5
_POLL_MAX = 5.0


@dataclass
class FlowRun:
    """A child run as Baton answered it: `state` is {"type", "name", "message", "timestamp"}; `raw` is the whole FlowRun."""

    id: str
    name: str
    state: Dict[str, Any]
    deployment_name: Optional[str] = None
    parameters: Dict[str, Any] = field(default_factory=dict)
    raw: Dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def state_type(self):
        return self.state.get("type")

    @classmethod
    def from_wire(cls, data):
        if not isinstance(data, dict) or not isinstance(data.get("id"), str) or not isinstance(data.get("state"), dict):
            raise ValueError(f"Baton answered something that is not a flow run: {data!r:.200}")
        return cls(data["id"], data.get("name") or "", data["state"], data.get("deploymentName"), data.get("parameters") or {}, data)


class ChildRunError(Exception):
    """The child ended Failed, Crashed or Cancelled (`run` is the child as it ended), or could not be started (`field_errors` when its parameters did not fit)."""

    def __init__(self, message, run=None, field_errors=None):
        super().__init__(message)
        self.run = run
        self.field_errors = field_errors


class ChildRunTimeoutError(Exception):
    """The child did not end within `timeout` seconds; it was not cancelled and keeps running."""

    def __init__(self, message, run):
        super().__init__(message)
        self.run = run


def run_deployment(name, parameters=None, timeout=None):
    """Starts a run of deployment `name` ("flow/deployment" or its id) as a child of the current run.

    timeout=None waits until the child is final; timeout=0 returns at once (the child Scheduled);
    otherwise waits up to `timeout` seconds and raises ChildRunTimeoutError (the child keeps
    running). A Completed child is returned as a FlowRun; Failed, Crashed or Cancelled raises
    ChildRunError with the child's state message.
    """
    scope = current_flow()
    if scope is None or scope.client is None or scope.run_id is None:
        raise RuntimeError(
            f'run_deployment("{name}") starts a child of the current run: call it inside a flow that runs in Baton (by an agent, or ad hoc with a Baton profile).'
        )
    # The call's number in this run: the same on an HTTP retry, so Baton answers with the same child.
    seq = scope.next_dynamic_key("\0run_deployment")
    body = {"deployment": name, "parameters": parameters or {}, "idempotencyKey": seq}
    try:
        answer = scope.client.request("POST", f"/flow-runs/{scope.run_id}/children", body, tries=8)
    except ApiError as err:
        details = err.details if isinstance(err.details, dict) else {}
        raise ChildRunError(f"Could not start a child run of {name}: {err}", None, details.get("fieldErrors")) from None
    child = FlowRun.from_wire((answer or {}).get("run"))
    if timeout == 0:
        return child
    label = f"Child run {child.name} of {name}"
    deadline = None if timeout is None else time.monotonic() + timeout
    polls = 0
    while child.state_type not in _FINAL:
        if scope.cancelled():
            raise FlowCancelledError(f"Flow {scope.flow_name} was cancelled in Baton")
        wait = min(_POLL_FIRST * 1.5 ** min(polls, 10), _POLL_MAX)
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise ChildRunTimeoutError(
                    f"{label} did not finish within {timeout:g} s (it is {child.state.get('name')}); it keeps running. Cancel it on its page if it should stop.", child
                )
            wait = min(wait, left)
        time.sleep(wait)
        polls += 1
        child = FlowRun.from_wire(scope.client.request("GET", f"/flow-runs/{scope.run_id}/children/{child.id}", tries=8))
    if child.state_type == "COMPLETED":
        return child
    how = {"CANCELLED": "was cancelled", "CRASHED": "crashed"}.get(child.state_type, "failed")
    raise ChildRunError(f"{label} {how}: {child.state.get('message') or child.state.get('name')}", child)
