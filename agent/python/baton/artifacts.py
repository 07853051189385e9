"""Results a flow publishes with its run: markdown reports, tables and links (Prefect 2's functions)."""
import json
import sys

from ._context import current_flow, current_task


def _jsonable(value):
    """Table cells from numpy or pandas (numpy.float64, Timestamp, …) as plain JSON; NaN and infinities as null."""
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else None
    if value is None or isinstance(value, (str, int, bool)):
        return value
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "item"):
        try:
            return _jsonable(value.item())
        except (TypeError, ValueError):
            pass
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _create(kind, data, key, description):
    scope = current_flow()
    if scope is None or scope.client is None or scope.run_id is None:
        # Run locally: show what would have been published.
        label = f" {key}" if key else ""
        sys.stdout.write(f"[artifact {kind}{label}] {json.dumps(data, default=str)}\n")
        return None
    body = {"runId": scope.run_id, "type": kind, "data": data}
    t = current_task()
    if t is not None and t.task_run_id:
        # The task run must exist before an artifact names it.
        scope.tasks.flush()
        body["taskRunId"] = t.task_run_id
    if key is not None:
        body["key"] = key
    if description is not None:
        body["description"] = description
    created = scope.client.request("POST", "/artifacts", body, tries=8)
    return created.get("id") if isinstance(created, dict) else None


def create_markdown_artifact(markdown, key=None, description=None):
    """Publishes a markdown report with the run; returns the artifact's id (None when run locally)."""
    return _create("markdown", {"markdown": str(markdown)}, key, description)


def create_table_artifact(table, key=None, description=None):
    """Publishes a table: a list of dicts (one per row), a dict of lists (one per column) or a list of lists."""
    if isinstance(table, dict):
        columns = [str(c) for c in table]
        cols = [list(v) for v in table.values()]
        lengths = {len(c) for c in cols}
        if len(lengths) > 1:
            raise ValueError("create_table_artifact: the columns of a dict of lists must have the same length")
        data = {"columns": columns, "rows": [list(r) for r in zip(*cols)]}
    elif isinstance(table, (list, tuple)):
        rows = list(table)
        if all(isinstance(r, dict) for r in rows):
            columns = list(dict.fromkeys(str(k) for r in rows for k in r))
            data = {"columns": columns, "rows": [{str(k): v for k, v in r.items()} for r in rows]}
        elif all(isinstance(r, (list, tuple)) for r in rows):
            data = {"rows": [list(r) for r in rows]}
        else:
            raise TypeError("create_table_artifact: give a list of dicts, a dict of lists or a list of lists")
    else:
        raise TypeError("create_table_artifact: give a list of dicts, a dict of lists or a list of lists")
    return _create("table", _jsonable(data), key, description)


def create_link_artifact(link, link_text=None, key=None, description=None):
    """Publishes a link (http or https) with the run."""
    data = {"url": str(link)}
    if link_text is not None:
        data["title"] = str(link_text)
    return _create("link", data, key, description)
