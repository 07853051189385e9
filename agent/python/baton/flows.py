"""@flow: the function a deployment runs (Prefect 2's names and signature).

Under an agent (BATON_RUN_ID, BATON_RUN_TOKEN and BATON_API_URL set) it reports to the claimed
run, and the agent reports the run's final state. Called with a `baton login` profile or
BATON_API_URL + BATON_API_KEY, it creates an ad-hoc run in the workspace, keeps its lease and
reports its states. With neither it runs locally and logs to the console. A flow called from a
flow is part of the same run (as in the TypeScript SDK): its tasks are the outer run's tasks.
"""
import functools
import inspect
import os
import socket
import sys
import time
import uuid

from . import _logs
from ._connection import resolve_connection, take_agent_run
from ._context import FlowScope, activate, current_flow, current_flow_var, deactivate
from ._convert import ParameterError, convert_parameters
from ._lease import AdhocLease
from ._retry import TaskTimeoutError, call_with_timeout, retry_delay, to_wire_retry_delay, validate_retry_options
from ._schema import parameter_schema, parse_docstring, to_json
from ._sinks import ApiLogSink, ConsoleLogSink, TaskReporter, agent_log_sink_from_env
from ._wire import ApiClient, now_iso
from .tasks import FlowCancelledError, _error_message

FLUSH_SECONDS = float(os.environ.get("BATON_FLUSH_TIMEOUT") or 60)


class Flow:
    def __init__(self, fn, name=None, description=None, retries=None, retry_delay_seconds=None, retry_jitter_factor=None,
                 timeout_seconds=None, log_prints=False, tags=None, validate_parameters=True):
        if not callable(fn):
            raise TypeError("@flow decorates a function")
        if inspect.iscoroutinefunction(fn):
            raise TypeError(f"@flow {fn.__name__}: async functions are not supported yet; make it a plain def (docs/python.md)")
        self.fn = fn
        # Prefect's default name: the function's, with dashes for underscores.
        self.name = name or fn.__name__.replace("_", "-")
        validate_retry_options(f"@flow {self.name}", retries, retry_delay_seconds, retry_jitter_factor)
        if timeout_seconds is not None and (isinstance(timeout_seconds, bool) or not isinstance(timeout_seconds, (int, float)) or timeout_seconds <= 0):
            raise ValueError(f"@flow {self.name}: timeout_seconds must be a number of seconds above 0 (got {timeout_seconds!r})")
        self.description = description or parse_docstring(inspect.getdoc(fn))[0]
        self.retries = retries or 0
        self.retry_delay_seconds = retry_delay_seconds
        self.retry_jitter_factor = retry_jitter_factor
        self.timeout_seconds = timeout_seconds
        self.log_prints = bool(log_prints)
        self.tags = list(tags or [])
        self.should_validate_parameters = validate_parameters
        functools.update_wrapper(self, fn)

    def parameter_json_schema(self):
        """The JSON Schema of the flow's parameters (what `baton deploy` stores for the Run form)."""
        return parameter_schema(self.fn)

    def describe(self):
        """What `baton deploy` needs to know of the flow (`python -m baton.describe` prints it)."""
        return {
            "name": self.name,
            "description": self.description,
            "parameterSchema": self.parameter_json_schema(),
            "retries": self.retries,
            "retryDelay": to_wire_retry_delay(self.retry_delay_seconds, self.retries, self.retry_jitter_factor),
            "timeoutSeconds": self.timeout_seconds,
            "tags": self.tags,
            "logPrints": self.log_prints,
        }

    def _parameters(self, args, kwargs):
        sig = inspect.signature(self.fn)
        try:
            bound = sig.bind(*args, **kwargs)
        except TypeError as err:
            if not self.should_validate_parameters:
                raise
            # Named in the same way as a value that does not fit: missing or unknown parameters.
            given = dict(zip(sig.parameters, args), **kwargs)
            convert_parameters(self.name, self.fn, given)
            raise ParameterError(f'Invalid parameters for flow "{self.name}": {err}') from None
        params = {}
        for name, value in bound.arguments.items():
            kind = sig.parameters[name].kind
            if kind == inspect.Parameter.VAR_KEYWORD:
                params.update(value)
            elif kind != inspect.Parameter.VAR_POSITIONAL:
                params[name] = value
        if not self.should_validate_parameters:
            return params
        return convert_parameters(self.name, self.fn, params)

    def __call__(self, *args, **kwargs):
        params = self._parameters(args, kwargs)
        if current_flow() is not None:
            return self.fn(**params)
        agent_run = take_agent_run()
        if agent_run:
            client = ApiClient(agent_run["url"], agent_run["token"])
            scope = FlowScope("agent", self.name, agent_run["run_id"], client, TaskReporter(client, agent_run["run_id"]), agent_log_sink_from_env(), self.log_prints)
            return self._run_in_scope(scope, params, retry_here=False)
        connection = resolve_connection()
        if connection is None:
            return self._run_in_scope(FlowScope("local", self.name, None, None, None, ConsoleLogSink(), self.log_prints), params, retry_here=True)
        return self._run_adhoc(connection, params)

    def _run_in_scope(self, scope, params, retry_here):
        """Runs the function in its scope and flushes what it reported. Retries happen here only for
        local and ad-hoc runs: runs of a deployment retry through it, as new attempts."""
        _logs.install()
        activate(scope)
        token = current_flow_var.set(scope)
        cancelled = False
        try:
            retries = self.retries if retry_here else 0
            attempt = 0
            while True:
                try:
                    result = call_with_timeout(lambda: self.fn(**params), self.timeout_seconds, f"Flow {self.name}")
                    _drain(scope, cancel=False)
                    return result
                except FlowCancelledError:
                    cancelled = True
                    raise
                except Exception as err:  # noqa: BLE001
                    if attempt >= retries or isinstance(err, ParameterError) or scope.cancelled():
                        raise
                    attempt += 1
                    delay = retry_delay(self.retry_delay_seconds, retries, attempt, self.retry_jitter_factor)
                    _logs.write("warning", f"Flow {self.name} failed ({_error_message(err)}); retry {attempt} of {retries} in {delay:g} s", scope=scope)
                    time.sleep(delay)
        finally:
            current_flow_var.reset(token)
            _drain(scope, cancel=cancelled)
            if scope.tasks is not None and not scope.tasks.flush(FLUSH_SECONDS):
                sys.stderr.write(f"baton: some task run reports could not be sent to Baton within {FLUSH_SECONDS:g} s.\n")
            if not scope.logs.flush(FLUSH_SECONDS):
                sys.stderr.write(f"baton: some log lines could not be sent to Baton within {FLUSH_SECONDS:g} s.\n")
            deactivate(scope)

    def _run_adhoc(self, connection, params):
        key_client = ApiClient(connection["url"], connection["key"])
        body = {"flowName": self.name, "parameters": _json_parameters(params), "tags": self.tags, "name": f"{self.name} on {socket.gethostname()}"[:200]}
        created = key_client.request("POST", "/flow-runs", body, tries=6)
        run, run_token = created["run"], created["runToken"]
        client = ApiClient(connection["url"], run_token)
        echo = ConsoleLogSink()
        echo.write({"level": "info", "message": f"Created flow run {run['name']!r} ({run['id']}) for flow {self.name!r}", "timestamp": now_iso()})
        logs = ApiLogSink(client, run["id"], run["attempt"], echo=echo)
        scope = FlowScope("adhoc", self.name, run["id"], client, TaskReporter(client, run["id"]), logs, self.log_prints)

        def report(state, tries=8):
            try:
                client.request("POST", f"/flow-runs/{run['id']}/state", {"state": state, "transitionId": str(uuid.uuid4())}, tries=tries)
            except Exception as err:  # noqa: BLE001 - the flow's own outcome matters more than this report
                sys.stderr.write(f"baton: could not report the run {state['type']} to Baton: {err}\n")

        def forced_exit():
            logs.flush(2)
            report({"type": "CANCELLED", "message": "Cancelled: the flow was stopped"}, tries=2)

        lease = AdhocLease(client, run["id"], self.name, logs, forced_exit)
        scope.cancelled = lambda: lease.is_cancelled
        try:
            result = self._run_in_scope(scope, params, retry_here=True)
        except FlowCancelledError:
            lease.stop()
            report({"type": "CANCELLED", "message": "Cancelled: the flow was stopped"})
            raise
        except KeyboardInterrupt:
            lease.stop()
            report({"type": "CRASHED", "message": "Interrupted (KeyboardInterrupt)"})
            raise
        except BaseException as err:
            lease.stop()
            name = "TimedOut" if isinstance(err, TaskTimeoutError) else "Failed"
            report({"type": "FAILED", "name": name, "message": _error_message(err)[:4000]})
            raise
        lease.stop()
        report({"type": "COMPLETED"})
        return result

    def __repr__(self):
        return f"Flow(name={self.name!r})"


def _drain(scope, cancel):
    """Waits for the flow's submitted tasks (as Prefect does before a flow ends); a cancel drops those not started."""
    if scope.executor is not None:
        scope.executor.shutdown(wait=True, cancel_futures=cancel)


def _json_parameters(params):
    out = {}
    for k, v in params.items():
        try:
            out[k] = to_json(v)
        except TypeError:
            out[k] = repr(v)
    return out


def flow(__fn=None, **options):
    """`@flow` or `@flow(name=, description=, retries=, retry_delay_seconds=, timeout_seconds=, log_prints=, tags=)`, as in Prefect 2."""
    if __fn is not None:
        return Flow(__fn, **options)
    return lambda fn: Flow(fn, **options)
