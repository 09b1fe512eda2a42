"""The lifelines side of the waitlist benchmark: the same Kaplan-Meier fits as
`datastroom waitlist --section by --by team` and `--section survival --by team` (one per team
plus the total, with median and its confidence interval, p75, p90), on the same cases. Only the
fitting is timed; reading and preparing the cases is not (generous to lifelines).

    python3 benches/lifelines_km.py benches/data/zaken_1000000.csv 2026-11-29
"""
import sys
import warnings
import time

import pandas as pd

warnings.simplefilter("ignore")
from lifelines import KaplanMeierFitter
from lifelines.utils import median_survival_times

path, as_of = sys.argv[1], pd.Timestamp(sys.argv[2])
df = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False)
start = pd.to_datetime(df["Datum aanvraag"], format="%d-%m-%Y")
end = pd.to_datetime(df["Datum beschikking"].replace("", None), format="%d-%m-%Y")
end = end.where(end <= as_of)
susp = pd.to_numeric(df["Opschorting"].replace("", "0"))
gross = (end.fillna(as_of) - start).dt.days
net = (gross - susp.clip(upper=gross)).astype(int)
event = end.notna() & (df["Uitkomst"] != "ingetrokken")
cases = pd.DataFrame({"team": df["Team"], "net": net, "event": event})

t0 = time.perf_counter()
medians = {}
for team, part in [("totaal", cases), *cases.groupby("team")]:
    kmf = KaplanMeierFitter().fit(part["net"], part["event"])
    ci = median_survival_times(kmf.confidence_interval_)
    medians[team] = (kmf.median_survival_time_, ci.iloc[0, 0], ci.iloc[0, 1],
                     kmf.percentile(0.25), kmf.percentile(0.10))
    kmf.survival_function_.join(kmf.confidence_interval_).join(kmf.event_table)
elapsed = time.perf_counter() - t0
print(f"lifelines fits: {elapsed:.2f} s for {len(medians)} curves over {len(cases)} cases")
print("totaal", medians["totaal"])
