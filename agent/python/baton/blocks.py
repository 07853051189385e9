"""Workspace secrets and variables, read from a run's code, as Prefect names them.

    from baton import Secret, Variable

    key = Secret.load("aws-key").get()
    bucket = Variable.get("bucket")

On an agent, the run reads with its run token: only the secrets and variables its deployment
declares (its env references and its `secrets:` list). Elsewhere (an ad-hoc run, a script), with
the person's key (`baton login`, or BATON_API_URL and BATON_API_KEY): a developer's or owner's key
reads any secret. See docs/secrets.md.
"""
import os
from urllib.parse import quote

from ._connection import resolve_connection
from ._context import current_flow
from ._wire import ApiClient, ApiError

_MISSING = object()


def _client(what):
    scope = current_flow()
    if scope is not None and scope.mode == "agent" and scope.client is not None:
        return scope.client
    token, url = os.environ.get("BATON_RUN_TOKEN"), os.environ.get("BATON_API_URL")
    if token and url:
        return ApiClient(url.rstrip("/"), token)
    connection = resolve_connection()
    if connection is None:
        raise RuntimeError(f"{what} needs Baton: run it on an agent, or log in (`baton login`) or set BATON_API_URL and BATON_API_KEY.")
    return ApiClient(connection["url"], connection["key"])


def _read(what, path):
    try:
        return _client(what).request("GET", path, tries=8)
    except ApiError as err:
        if err.status == 404:
            raise LookupError(
                f"{what}: not found, or not declared by this run's deployment (a run reads the secrets and variables its env references or its `secrets:` list names)."
            ) from None
        raise


class Secret:
    """A workspace secret. `Secret.load(name)` fetches it; `.get()` is its value."""

    def __init__(self, name, value):
        self.name = name
        self._value = value

    @classmethod
    def load(cls, name):
        answer = _read(f'Secret.load("{name}")', f"/secrets/{quote(name, safe='')}/value")
        value = answer["value"]
        # Under an agent, the value joins those masked in this run's logs.
        scope = current_flow()
        send = getattr(getattr(scope, "logs", None), "send", None)
        if send is not None:
            send({"t": "mask", "value": value})
        return cls(name, value)

    def get(self):
        return self._value

    def __repr__(self):
        return f"Secret({self.name!r}, value=***)"


class Variable:
    """A workspace variable: any JSON value."""

    @staticmethod
    def get(name, default=_MISSING):
        try:
            return _read(f'Variable.get("{name}")', f"/variables/{quote(name, safe='')}")["value"]
        except LookupError:
            if default is _MISSING:
                raise
            return default
