import dataclasses
import datetime
import enum
import sys
import typing
import unittest
from typing import Dict, List, Literal, Optional

from baton import flow
from baton._schema import parse_docstring


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


@dataclasses.dataclass
class Window:
    start: datetime.date
    days: int = 7


class Options(typing.TypedDict):
    alpha: float
    tags: List[str]


def props(f):
    return f.parameter_json_schema()["properties"]


class SchemaFromSignature(unittest.TestCase):
    def test_simple_types_defaults_and_required(self):
        @flow
        def train(train_path: str, epochs: int = 3, rate: float = 0.1, verbose: bool = False):
            pass

        s = train.parameter_json_schema()
        self.assertEqual(s["type"], "object")
        self.assertEqual(s["required"], ["train_path"])
        self.assertFalse(s["additionalProperties"])
        p = s["properties"]
        self.assertEqual(p["train_path"], {"title": "train_path", "position": 0, "type": "string"})
        self.assertEqual(p["epochs"]["type"], "integer")
        self.assertEqual(p["epochs"]["default"], 3)
        self.assertEqual(p["rate"], {"title": "rate", "position": 2, "type": "number", "default": 0.1})
        self.assertEqual(p["verbose"]["type"], "boolean")

    def test_containers_optional_literal_enum_dates(self):
        @flow
        def f(
            paths: List[str],
            weights: Dict[str, float],
            plain: dict,
            limit: Optional[int] = None,
            mode: Literal["fast", "slow"] = "fast",
            color: Color = Color.RED,
            day: datetime.date = datetime.date(2024, 1, 31),
            at: Optional[datetime.datetime] = None,
        ):
            pass

        p = props(f)
        self.assertEqual(p["paths"]["type"], "array")
        self.assertEqual(p["paths"]["items"], {"type": "string"})
        self.assertEqual(p["weights"], {"title": "weights", "position": 1, "type": "object", "additionalProperties": {"type": "number"}})
        self.assertEqual(p["plain"]["type"], "object")
        self.assertEqual(p["limit"]["anyOf"], [{"type": "integer"}, {"type": "null"}])
        self.assertIsNone(p["limit"]["default"])
        self.assertEqual(p["mode"]["enum"], ["fast", "slow"])
        self.assertEqual(p["mode"]["type"], "string")
        self.assertEqual(p["color"]["enum"], ["red", "blue"])
        self.assertEqual(p["color"]["default"], "red")
        self.assertEqual(p["day"], {"title": "day", "position": 6, "type": "string", "format": "date", "default": "2024-01-31"})
        self.assertEqual(p["at"]["anyOf"][0], {"type": "string", "format": "date-time"})

    @unittest.skipIf(sys.version_info < (3, 9), "builtin generics need 3.9")
    def test_builtin_generics(self):
        @flow
        def f(xs: list[int], m: dict[str, list[str]], pair: tuple[int, str] = (1, "a")):
            pass

        p = props(f)
        self.assertEqual(p["xs"]["items"], {"type": "integer"})
        self.assertEqual(p["m"]["additionalProperties"], {"type": "array", "items": {"type": "string"}})
        self.assertEqual(p["pair"]["items"], [{"type": "integer"}, {"type": "string"}])
        self.assertEqual(p["pair"]["default"], [1, "a"])

    def test_dataclass_and_typeddict(self):
        @flow
        def f(window: Window, options: Options):
            pass

        p = props(f)
        self.assertEqual(p["window"]["type"], "object")
        self.assertEqual(p["window"]["required"], ["start"])
        self.assertEqual(p["window"]["properties"]["start"]["format"], "date")
        self.assertEqual(p["window"]["properties"]["days"]["default"], 7)
        self.assertEqual(p["options"]["required"], ["alpha", "tags"])
        self.assertEqual(p["options"]["properties"]["tags"]["items"], {"type": "string"})

    def test_no_hint_is_any_and_a_default_without_json_form_is_left_out(self):
        @flow
        def f(anything, thing=object()):
            pass

        p = props(f)
        self.assertEqual(p["anything"], {"title": "anything", "position": 0})
        self.assertNotIn("default", p["thing"])

    def test_kwargs_allow_more_properties(self):
        @flow
        def f(a: int, **rest):
            pass

        s = f.parameter_json_schema()
        self.assertNotIn("additionalProperties", s)
        self.assertEqual(list(s["properties"]), ["a"])

    def test_google_docstring_gives_descriptions_and_the_flow_description(self):
        @flow
        def f(train_path: str, val_path: str = "v"):
            """Trains the model.

            Args:
                train_path: Where the training data is,
                    a parquet file.
                val_path (str): The validation data.

            Returns:
                nothing
            """

        p = props(f)
        self.assertEqual(p["train_path"]["description"], "Where the training data is, a parquet file.")
        self.assertEqual(p["val_path"]["description"], "The validation data.")
        self.assertEqual(f.description, "Trains the model.")

    def test_numpy_and_sphinx_docstrings(self):
        _, numpy = parse_docstring("""Summary.

        Parameters
        ----------
        n : int
            How many.
        label : str
            A name.
        """)
        self.assertEqual(numpy, {"n": "How many.", "label": "A name."})
        _, sphinx = parse_docstring("""Summary.

        :param n: How many.
        :param str label: A name.
        """)
        self.assertEqual(sphinx, {"n": "How many.", "label": "A name."})

    def test_pydantic_model_when_pydantic_is_installed(self):
        try:
            import pydantic  # noqa: F401
        except ImportError:
            self.skipTest("pydantic is not installed here (the SDK needs none)")

        class Cfg(pydantic.BaseModel):
            lr: float
            name: str = "m"

        @flow
        def f(cfg: Cfg):
            return cfg

        self.assertEqual(props(f)["cfg"]["properties"]["lr"]["type"], "number")
        self.assertIsInstance(f(cfg={"lr": 0.5}), Cfg)


if __name__ == "__main__":
    unittest.main()
