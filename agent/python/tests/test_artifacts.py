import io
import unittest
from contextlib import redirect_stderr, redirect_stdout

from baton import create_link_artifact, create_markdown_artifact, create_table_artifact, flow, task

from .support import environment, recording_baton


@task
def publish():
    create_link_artifact("https://example.com/model", link_text="the model", key="model-link")


@flow
def f():
    create_markdown_artifact("# hi", key="report", description="A report")
    create_table_artifact({"name": ["a", "b"], "rmse": [1.5, float("nan")]}, key="by-column")
    create_table_artifact([[1, 2], [3, 4]])
    publish()


class Artifacts(unittest.TestCase):
    def test_the_three_kinds_and_the_three_table_shapes(self):
        with recording_baton() as api, redirect_stderr(io.StringIO()):
            f()
            bodies = api.bodies("/artifacts")
            task_run = api.task_runs()[0]["id"]
        self.assertEqual(bodies[0]["type"], "markdown")
        self.assertEqual((bodies[0]["data"], bodies[0]["key"], bodies[0]["description"]), ({"markdown": "# hi"}, "report", "A report"))
        self.assertNotIn("taskRunId", bodies[0])
        self.assertEqual(bodies[1]["data"], {"columns": ["name", "rmse"], "rows": [["a", 1.5], ["b", None]]})
        self.assertEqual(bodies[2]["data"], {"rows": [[1, 2], [3, 4]]})
        self.assertEqual(bodies[3]["data"], {"url": "https://example.com/model", "title": "the model"})
        self.assertEqual(bodies[3]["taskRunId"], task_run)

    def test_run_locally_they_are_printed(self):
        out = io.StringIO()
        with environment(), redirect_stderr(io.StringIO()), redirect_stdout(out):
            f()
        self.assertIn('[artifact markdown report] {"markdown": "# hi"}', out.getvalue())
        self.assertIn("[artifact link model-link]", out.getvalue())


if __name__ == "__main__":
    unittest.main()
