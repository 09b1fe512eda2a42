"""400 weekly series of 6 years (313 weeks from Monday 2020-01-06) for the Farrington
benchmark: seasonal Poisson counts with means 2..40, written twice:
  counts.csv  week_start,series,count      (R reads this)
  events.csv  datum;categorie              (one row per report; datastroom ingests this)

    python3 benches/gen_weekly_series.py benches/data/weekly400
"""
import math
import os
import random
import sys
from datetime import date, timedelta

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rng = random.Random(400)


def poisson(lam):
    # Knuth for small means, normal approximation above 30.
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


start = date(2020, 1, 6)
with open(os.path.join(out, "counts.csv"), "w") as c, open(os.path.join(out, "events.csv"), "w") as e:
    c.write("week_start,series,count\n")
    e.write("datum;categorie\n")
    for s in range(400):
        base = 2 + 38 * rng.random()
        phase = rng.random() * 2 * math.pi
        name = f"reeks {s:03d}"
        for w in range(313):
            lam = base * (1 + 0.4 * math.sin(2 * math.pi * w / 52 + phase))
            n = poisson(lam)
            d = start + timedelta(weeks=w)
            c.write(f"{d.isoformat()},{name},{n}\n")
            e.write(f"{d.isoformat()};{name}\n" * n)
