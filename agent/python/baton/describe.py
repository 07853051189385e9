"""`python3 -m baton.describe path/to/file.py:function`: what `baton deploy` needs to know of a flow.

Prints one JSON object on stdout and exits 0: {"ok": true, "flow": {name, description,
parameterSchema, retries, retryDelay, timeoutSeconds, tags, logPrints}}. When the entrypoint
gives no flow it prints {"ok": false, "error": {kind, message, file, line}} and exits 1; kind is
one of bad_entrypoint, missing_file, syntax_error, import_error, missing_function, not_a_flow,
and message is Python's own (with the line).
"""
import contextlib
import json
import sys

from ._load import EntrypointError, load_flow


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        sys.stderr.write("usage: python3 -m baton.describe path/to/file.py:function\n")
        return 2
    out = sys.stdout
    try:
        # Whatever the module prints at import must not spoil the JSON answer.
        with contextlib.redirect_stdout(sys.stderr):
            target = load_flow(argv[0])
            answer = {"ok": True, "flow": target.describe()}
    except EntrypointError as err:
        out.write(json.dumps({"ok": False, "error": err.to_json()}) + "\n")
        return 1
    out.write(json.dumps(answer) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
