"""`python3 -m baton.run path/to/file.py:function`: how an agent runs a Python flow deployment.

Reads the run from the environment the agent sets (BATON_API_URL, BATON_RUN_ID, BATON_RUN_TOKEN,
BATON_RUN_ATTEMPT, BATON_PARAMETERS as a JSON object), loads the flow and calls it with the
parameters converted to its types; its task runs, logs, artifacts and cache go to the run with
the run token, and the agent reports the run's final state from how this process ends:
- exit 0: the flow returned;
- exit 1: it failed; the last line on stderr is the exception's last line (`ValueError: …`),
  the Failed message; with BATON_LOG_FD set, a {"t": "result", ok, message, timedOut} line is
  written there too;
- exit 143 on SIGTERM (the agent stopping the run: cancel, timeout, lost lease).
Log lines travel to the agent on BATON_LOG_FD as JSON when it is set (see _sinks.AgentLogSink).
"""
import json
import os
import signal
import sys
import traceback

from ._load import EntrypointError, load_flow
from ._retry import TaskTimeoutError
from ._sinks import agent_log_sink_from_env


class Terminated(BaseException):
    """SIGTERM: the agent is stopping the run."""


def _on_sigterm(_signum, _frame):
    raise Terminated("Stopped by SIGTERM")


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        sys.stderr.write("usage: python3 -m baton.run path/to/file.py:function\n")
        return 2
    signal.signal(signal.SIGTERM, _on_sigterm)
    channel = agent_log_sink_from_env()
    try:
        raw = os.environ.get("BATON_PARAMETERS") or "{}"
        try:
            parameters = json.loads(raw)
        except ValueError:
            raise ValueError(f"BATON_PARAMETERS is not JSON: {raw[:200]}") from None
        if not isinstance(parameters, dict):
            raise ValueError("BATON_PARAMETERS must be a JSON object of the flow's parameters")
        target = load_flow(argv[0])
        target(**parameters)
    except Terminated:
        return 143
    except EntrypointError as err:
        return _failed(channel, err.message.splitlines()[0], False)
    except BaseException as err:  # noqa: BLE001 - the flow's failure, told the agent's way
        traceback.print_exc()
        text = str(err)
        last = f"{type(err).__name__}: {text}" if text else type(err).__name__
        return _failed(channel, last.strip().splitlines()[-1] if last.strip() else type(err).__name__, isinstance(err, TaskTimeoutError))
    channel.send({"t": "result", "ok": True})
    return 0


def _failed(channel, message, timed_out):
    sys.stderr.write(message + "\n")
    sys.stderr.flush()
    channel.send({"t": "result", "ok": False, "message": message[:4000], "timedOut": timed_out})
    return 1


if __name__ == "__main__":
    sys.exit(main())
