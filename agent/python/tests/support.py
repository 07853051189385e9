"""Helpers of the unit tests: an environment with (or without) a Baton to report to."""
import contextlib
import os
import tempfile

from .recording_api import RecordingApi

_CLEARED = ("BATON_API_URL", "BATON_API_KEY", "BATON_PROFILE", "BATON_RUN_ID", "BATON_RUN_TOKEN", "BATON_RESULTS_DIR", "BATON_LOG_FD")


@contextlib.contextmanager
def environment(**values):
    saved = {k: os.environ.get(k) for k in (*_CLEARED, "BATON_HOME", *values)}
    for k in _CLEARED:
        os.environ.pop(k, None)
    os.environ["BATON_HOME"] = tempfile.mkdtemp(prefix="baton-test-home-")
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@contextlib.contextmanager
def recording_baton(**values):
    """An ad-hoc connection (BATON_API_URL + BATON_API_KEY) to a RecordingApi."""
    api = RecordingApi()
    try:
        with environment(BATON_API_URL=api.url, BATON_API_KEY="key", **values):
            yield api
    finally:
        api.close()
