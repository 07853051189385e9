"""Writes data.csv: 200 trips, duration ≈ 2.5 min + 3.4 min per mile + noise. Deterministic.

    python3 make_data.py
"""
import random

random.seed(2021)
with open("data.csv", "w", encoding="utf-8") as out:
    out.write("trip_distance,duration_minutes\n")
    for _ in range(200):
        distance = round(random.uniform(0.3, 12.0), 2)
        duration = 2.5 + 3.4 * distance + random.gauss(0, 0.5)
        out.write(f"{distance},{duration:.3f}\n")
