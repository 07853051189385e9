"""Baton's Python SDK: Prefect 2's decorators and helpers, reporting to Baton.

    from baton import flow, task, get_run_logger

See docs/python.md.
"""
from ._cache import TaskRunContext, task_input_hash
from ._convert import ParameterError
from ._logs import get_run_logger
from ._retry import TaskTimeoutError, exponential_backoff
from .blocks import Secret, Variable
from .deployments import ChildRunError, ChildRunTimeoutError, FlowRun, run_deployment
from .artifacts import create_link_artifact, create_markdown_artifact, create_table_artifact
from .flows import Flow, flow
from .pause import PauseTimeoutError, pause_flow_run
from .tasks import BatonFuture, FlowCancelledError, Task, UpstreamTaskError, task, unmapped

__version__ = "0.1.0"

__all__ = [
    "BatonFuture",
    "ChildRunError",
    "ChildRunTimeoutError",
    "Flow",
    "FlowCancelledError",
    "FlowRun",
    "ParameterError",
    "PauseTimeoutError",
    "Secret",
    "Task",
    "TaskRunContext",
    "TaskTimeoutError",
    "UpstreamTaskError",
    "Variable",
    "create_link_artifact",
    "create_markdown_artifact",
    "create_table_artifact",
    "exponential_backoff",
    "flow",
    "get_run_logger",
    "run_deployment",
    "pause_flow_run",
    "task",
    "task_input_hash",
    "unmapped",
]
