import dataclasses
import datetime
import enum
import typing
import unittest
from typing import Dict, List, Literal, Optional, Tuple, Union

from baton import ParameterError
from baton._convert import convert_parameters


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


@dataclasses.dataclass
class Window:
    start: datetime.date
    days: int = 7


class Options(typing.TypedDict):
    alpha: float


def fn(n: int, rate: float = 1.0, on: bool = False, name: str = "x", day: Optional[datetime.date] = None, at: Optional[datetime.datetime] = None,
       color: Color = Color.RED, mode: Literal["a", "b"] = "a", xs: List[int] = (), pair: Tuple[int, str] = (0, ""), m: Dict[str, float] = None,
       window: Optional[Window] = None, options: Optional[Options] = None, either: Union[int, str] = 0):
    pass


def conv(**params):
    return convert_parameters("f", fn, {"n": 1, **params})


class Conversions(unittest.TestCase):
    def test_json_forms_become_the_hinted_types(self):
        out = conv(n="4", rate=2, on="true", day="2024-05-06", at="2024-05-06T07:08:09Z", color="blue", mode="b", xs=["1", 2],
                   pair=[3, "c"], m={"a": 1}, window={"start": "2024-01-02"}, options={"alpha": 1}, either="3")
        self.assertEqual(out["n"], 4)
        self.assertEqual(out["rate"], 2.0)
        self.assertIsInstance(out["rate"], float)
        self.assertIs(out["on"], True)
        self.assertEqual(out["day"], datetime.date(2024, 5, 6))
        self.assertEqual(out["at"], datetime.datetime(2024, 5, 6, 7, 8, 9, tzinfo=datetime.timezone.utc))
        self.assertIs(out["color"], Color.BLUE)
        self.assertEqual(out["xs"], [1, 2])
        self.assertEqual(out["pair"], (3, "c"))
        self.assertEqual(out["m"], {"a": 1.0})
        self.assertEqual(out["window"], Window(datetime.date(2024, 1, 2), 7))
        self.assertEqual(out["options"], {"alpha": 1.0})
        # An exact type wins in a union: "3" stays a string.
        self.assertEqual(out["either"], "3")

    def test_python_values_pass_as_they_are(self):
        w = Window(datetime.date(2024, 1, 1))
        out = conv(day=datetime.date(2024, 1, 1), color=Color.RED, window=w)
        self.assertIs(out["window"], w)
        self.assertEqual(out["day"], datetime.date(2024, 1, 1))

    def test_an_enum_by_name(self):
        self.assertIs(conv(color="BLUE")["color"], Color.BLUE)

    def test_misfits_name_their_parameter(self):
        with self.assertRaises(ParameterError) as cm:
            conv(n="three", day="tuesday", color="green", mode="c", on="maybe")
        msg = str(cm.exception)
        self.assertTrue(msg.startswith('Invalid parameters for flow "f": '), msg)
        self.assertIn("n: expected an integer, got 'three'", msg)
        self.assertIn("day: expected a date (YYYY-MM-DD) or null, got 'tuesday'", msg)
        self.assertIn("color: expected one of 'red', 'blue', got 'green'", msg)
        self.assertIn("mode: expected one of 'a', 'b', got 'c'", msg)
        self.assertIn("on: expected true or false, got 'maybe'", msg)

    def test_nested_misfits_have_a_path(self):
        with self.assertRaises(ParameterError) as cm:
            conv(xs=[1, "x"], window={"start": "2024-01-01", "days": "many"})
        self.assertIn("xs[1]: expected an integer, got 'x'", str(cm.exception))
        self.assertIn("window.days: expected an integer", str(cm.exception))

    def test_missing_and_unknown_parameters(self):
        with self.assertRaises(ParameterError) as cm:
            convert_parameters("f", fn, {"nn": 1})
        self.assertIn("nn: not a parameter of this flow", str(cm.exception))
        self.assertIn("n: required", str(cm.exception))

    def test_a_string_is_not_an_int_list_and_a_number_not_a_string(self):
        with self.assertRaises(ParameterError):
            conv(xs="123")
        with self.assertRaises(ParameterError):
            conv(name=5)


if __name__ == "__main__":
    unittest.main()
