"""Unit tests of the model's steps (no Baton needed): python3 -m unittest discover -s tests."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import taxi_model  # noqa: E402


def row(pickup, dropoff, pu="1", do="2", distance="1.5"):
    return {"lpep_pickup_datetime": pickup, "lpep_dropoff_datetime": dropoff, "PULocationID": pu, "DOLocationID": do, "trip_distance": distance}


class CleanTrips(unittest.TestCase):
    def test_keeps_one_to_sixty_minutes_and_counts_the_rest(self):
        rows = [
            row("2021-01-01 00:00:00", "2021-01-01 00:10:00"),
            row("2021-01-01 00:00:00", "2021-01-01 00:00:30"),
            row("2021-01-01 00:00:00", "2021-01-01 02:00:00"),
            row("2021-01-01 00:00:00", "", distance="x"),
        ]
        trips, dropped = taxi_model.clean_trips(rows)
        self.assertEqual([t["duration"] for t in trips], [10.0])
        self.assertEqual(dropped, {"too_short": 1, "too_long": 1, "missing_fields": 1})


class Model(unittest.TestCase):
    def test_recovers_a_linear_rule(self):
        # duration = 2 + 3 * distance, plus 4 minutes on the pair 5_6
        trips = []
        for i in range(200):
            d = 0.5 + (i % 20) * 0.25
            pair = ("5", "6") if i % 3 == 0 else ("7", "8")
            trips.append({"pu": pair[0], "do": pair[1], "distance": d, "duration": 2 + 3 * d + (4 if pair == ("5", "6") else 0)})
        features = taxi_model.fit_features(trips, top_pairs=1)
        self.assertEqual(features["pairs"], ["7_8"])
        # A tiny ridge: the intercept and the one-hot columns (every trip has exactly one) are collinear.
        model = taxi_model.fit_model(trips, features, ridge=1e-9)
        self.assertAlmostEqual(model["weights"][0], 3, places=4)
        self.assertLess(taxi_model.rmse(model, trips)["rmse"], 1e-3)

    def test_top_pairs_must_be_positive(self):
        with self.assertRaisesRegex(ValueError, "top_pairs must be at least 1"):
            taxi_model.fit_features([], 0)


if __name__ == "__main__":
    unittest.main()
