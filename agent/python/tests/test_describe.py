import json
import os
import re
import subprocess
import sys
import tempfile
import textwrap
import unittest

PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LEASES_TS = os.path.join(PACKAGE, "..", "protocol", "leases.ts")


def describe(entrypoint, cwd):
    env = {**os.environ, "PYTHONPATH": PACKAGE}
    done = subprocess.run([sys.executable, "-m", "baton.describe", entrypoint], cwd=cwd, env=env, capture_output=True, text=True, timeout=60)
    return done.returncode, json.loads(done.stdout), done.stderr


def project(files):
    folder = tempfile.mkdtemp(prefix="baton-describe-")
    for name, text in files.items():
        with open(os.path.join(folder, name), "w") as f:
            f.write(textwrap.dedent(text))
    return folder


FLOW = """
    import datetime
    from baton import flow, exponential_backoff
    from helpers import DEFAULT_DAYS

    print("imported")  # must not spoil the JSON

    @flow(name="train", retries=2, retry_delay_seconds=exponential_backoff(5), timeout_seconds=600, tags=["ml"])
    def main_flow(train_path: str, days: int = DEFAULT_DAYS, start: datetime.date = datetime.date(2024, 1, 1)):
        '''Trains the model.

        Args:
            train_path: the training data
        '''

    def plain():
        pass

    if __name__ == "__main__":
        raise SystemExit("describe must not run the script's main")
"""


class Describe(unittest.TestCase):
    def test_a_flow_is_described_for_baton_deploy(self):
        folder = project({"train.py": FLOW, "helpers.py": "DEFAULT_DAYS = 7\n"})
        code, out, _ = describe("train.py:main_flow", folder)
        self.assertEqual(code, 0)
        flow = out["flow"]
        self.assertEqual(flow["name"], "train")
        self.assertEqual(flow["description"], "Trains the model.")
        self.assertEqual(flow["retries"], 2)
        self.assertEqual(flow["retryDelay"], {"kind": "exponential", "baseSeconds": 5, "jitter": 0.0})
        self.assertEqual(flow["timeoutSeconds"], 600)
        self.assertEqual(flow["tags"], ["ml"])
        props = flow["parameterSchema"]["properties"]
        self.assertEqual(props["train_path"]["description"], "the training data")
        self.assertEqual(props["days"]["default"], 7)
        self.assertEqual(flow["parameterSchema"]["required"], ["train_path"])

    def test_what_gives_no_flow_is_refused_with_pythons_message_and_line(self):
        folder = project({"train.py": FLOW, "helpers.py": "DEFAULT_DAYS = 7\n", "broken.py": "from baton import flow\n\n@flow\ndef f(:\n    pass\n", "raises.py": "x = 1\nraise RuntimeError('no config')\n"})
        code, out, _ = describe("broken.py:f", folder)
        self.assertEqual(code, 1)
        self.assertEqual(out["error"]["kind"], "syntax_error")
        self.assertEqual(out["error"]["line"], 4)
        self.assertRegex(out["error"]["message"], r"^SyntaxError: .*line 4")

        code, out, _ = describe("missing.py:f", folder)
        self.assertEqual((code, out["error"]["kind"]), (1, "missing_file"))
        self.assertIn("No such file", out["error"]["message"])

        code, out, _ = describe("train.py:renamed", folder)
        self.assertEqual(out["error"]["kind"], "missing_function")
        self.assertEqual(out["error"]["message"], "train.py has no function named 'renamed'. Flows in it: main_flow.")

        code, out, _ = describe("train.py:plain", folder)
        self.assertEqual(out["error"]["kind"], "not_a_flow")
        self.assertIn("plain in train.py is not a flow: decorate it with @flow", out["error"]["message"])

        code, out, _ = describe("raises.py:f", folder)
        self.assertEqual((out["error"]["kind"], out["error"]["line"]), ("import_error", 2))
        self.assertIn("RuntimeError: no config", out["error"]["message"])

        code, out, _ = describe("train.py", folder)
        self.assertEqual(out["error"]["kind"], "bad_entrypoint")


class LeaseConstants(unittest.TestCase):
    def test_the_sdk_uses_the_protocols_lease_numbers(self):
        from baton import _lease

        if not os.path.exists(LEASES_TS):
            self.skipTest("agent/protocol is not beside this package (an installed copy)")
        with open(LEASES_TS) as f:
            text = f.read()
        for name in ("HEARTBEAT_SECONDS", "KILL_GRACE_SECONDS"):
            value = int(re.search(rf"export const {name} = (\d+);", text).group(1))
            self.assertEqual(getattr(_lease, name), value, name)


if __name__ == "__main__":
    unittest.main()
