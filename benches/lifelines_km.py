"""The lifelines side of the waitlist benchmark: the same Kaplan-Meier fits as
`datastroom waitlist --preset jeugd --section by --by team` plus `--section survival --by
team` (one curve per team and one over all, with the median and its interval, p75, p90 and
the survival table), on the same cases, read from the same warehouse Parquet files.

Prints the time of each phase: starting Python and importing pandas and lifelines, reading
the Parquet files, preparing the waits (as-of, suspension, withdrawn), and the fits alone.

    python3 benches/lifelines_km.py 2025-01-31 WAREHOUSE/zaken_sociaal/*.parquet
"""
import time

T0 = time.perf_counter()
import sys  # noqa: E402
import warnings  # noqa: E402

import pandas as pd  # noqa: E402
from lifelines import KaplanMeierFitter  # noqa: E402
from lifelines.utils import median_survival_times  # noqa: E402

warnings.simplefilter("ignore")
T1 = time.perf_counter()
as_of, files = pd.Timestamp(sys.argv[1]), sys.argv[2:]
cols = ["wet", "team", "datum_aanvraag", "datum_beschikking", "opschorting_dagen", "uitkomst"]
df = pd.concat([pd.read_parquet(f, columns=cols) for f in files])
T2 = time.perf_counter()
df = df[df["wet"].str.contains("jeugd", case=False, na=False)]
start = pd.to_datetime(df["datum_aanvraag"])
end = pd.to_datetime(df["datum_beschikking"])
end = end.where(end <= as_of)
susp = df["opschorting_dagen"].fillna(0).clip(lower=0)
gross = (end.fillna(as_of) - start).dt.days
net = (gross - susp.clip(upper=gross)).astype(int)
withdrawn = df["uitkomst"].fillna("").str.contains("ingetrokken|intrekking|withdrawn", case=False)
cases = pd.DataFrame({"team": df["team"], "net": net, "event": end.notna() & ~withdrawn})
T3 = time.perf_counter()
result = {}
for team, part in [("totaal", cases), *cases.groupby("team")]:
    kmf = KaplanMeierFitter().fit(part["net"], part["event"])
    ci = median_survival_times(kmf.confidence_interval_)
    table = kmf.event_table.join(kmf.survival_function_).join(kmf.confidence_interval_)
    result[team] = (kmf.median_survival_time_, ci.iloc[0, 0], ci.iloc[0, 1],
                    kmf.percentile(0.25), kmf.percentile(0.10), len(table))
T4 = time.perf_counter()
print(f"lifelines: {len(result)} curves over {len(cases)} cases")
print(f"  python start + imports {T1 - T0:6.2f} s (interpreter start not included)")
print(f"  read parquet           {T2 - T1:6.2f} s")
print(f"  prepare waits          {T3 - T2:6.2f} s")
print(f"  Kaplan-Meier fits      {T4 - T3:6.2f} s")
print("  totaal (median, lower, upper, p75, p90, rows):", tuple(float(v) for v in result["totaal"]))
