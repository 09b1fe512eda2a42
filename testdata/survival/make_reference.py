"""Reference values for the Kaplan-Meier parity tests (src/analysis/survival.rs).

Reads the survival sets in ../shared/data/survival (lifelines and R survival test data), writes
each as a small `<set>.csv` (group,time,event) next to this script, and the curves and
quantiles that lifelines (KaplanMeierFitter, log-log band) and R (survival::survfit, log and
log-log bands; run through Rscript with make_reference.R) compute for them:
  <set>-lifelines.csv  group,time,at_risk,events,censored,survival,lower,upper
  <set>-r-log.csv      group,time,at_risk,events,censored,survival,lower,upper
  <set>-r-loglog.csv   the same with conf.type = "log-log"
  quantiles.csv        set,group,source,ci,p,value,lower,upper   (empty = not reached / NA)
Run: python3 testdata/survival/make_reference.py [path/to/shared/data/survival]
Needs: pip install lifelines; apt install r-cran-survival. The outputs are committed, so
`cargo test` needs neither.
"""
import csv
import math
import subprocess
import sys
from pathlib import Path

import pandas as pd
from lifelines import KaplanMeierFitter
from lifelines.utils import median_survival_times, qth_survival_time

HERE = Path(__file__).resolve().parent
SRC = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parents[2] / "shared" / "data" / "survival"


def load_sets():
    """Each set as a frame with group (text), time (number), event (0/1)."""
    aml = pd.read_csv(SRC / "aml.csv")
    g3 = pd.read_csv(SRC / "g3.csv")
    gehan = pd.read_csv(SRC / "gehan.dat", sep=r"\s+", header=None, names=["group", "time", "event"])
    waltons = pd.read_csv(SRC / "waltons_dataset.csv")
    lung = pd.read_csv(SRC / "lung.csv").dropna(subset=["ph.ecog"])
    rossi = pd.read_csv(SRC / "rossi.csv")
    return {
        "aml": pd.DataFrame({"group": aml["x"], "time": aml["time"], "event": aml["status"].astype(int)}),
        "g3": pd.DataFrame({"group": g3["group"], "time": g3["time"], "event": g3["event"].astype(bool).astype(int)}),
        "gehan": pd.DataFrame({"group": gehan["group"].map({1: "control", 2: "6-MP"}), "time": gehan["time"], "event": gehan["event"]}),
        "waltons": pd.DataFrame({"group": waltons["group"], "time": waltons["T"], "event": waltons["E"]}),
        "lung": pd.DataFrame({"group": "ph.ecog=" + lung["ph.ecog"].astype(int).astype(str), "time": lung["time"], "event": (lung["status"] == 2).astype(int)}),
        "rossi": pd.DataFrame({"group": "all", "time": rossi["week"], "event": rossi["arrest"]}),
    }


def num(x):
    if x is None or (isinstance(x, float) and (math.isnan(x) or math.isinf(x))):
        return ""
    return repr(float(x))


def lifelines_tables(name, df, quantiles):
    rows = []
    for g, part in df.groupby("group", sort=True):
        kmf = KaplanMeierFitter().fit(part["time"], part["event"])
        et = kmf.event_table
        sf = kmf.survival_function_.iloc[:, 0]
        ci = kmf.confidence_interval_
        for t in et.index:
            if t == 0 and et.loc[t, "removed"] == 0:
                continue
            rows.append([g, num(t), int(et.loc[t, "at_risk"]), int(et.loc[t, "observed"]),
                         int(et.loc[t, "censored"]), num(sf.loc[t]), num(ci.iloc[:, 0].loc[t]), num(ci.iloc[:, 1].loc[t])])
        med_ci = median_survival_times(ci)
        for p in (0.5, 0.75, 0.9):
            v = qth_survival_time(1 - p, kmf.survival_function_)
            lo = qth_survival_time(1 - p, ci.iloc[:, [0]]) if p != 0.5 else med_ci.iloc[0, 0]
            hi = qth_survival_time(1 - p, ci.iloc[:, [1]]) if p != 0.5 else med_ci.iloc[0, 1]
            quantiles.append([name, g, "lifelines", "log-log", p, num(v), num(lo), num(hi)])
    with open(HERE / f"{name}-lifelines.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["group", "time", "at_risk", "events", "censored", "survival", "lower", "upper"])
        w.writerows(rows)


def main():
    quantiles = []
    for name, df in load_sets().items():
        df.to_csv(HERE / f"{name}.csv", index=False)
        lifelines_tables(name, df, quantiles)
    with open(HERE / "quantiles-lifelines.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["set", "group", "source", "ci", "p", "value", "lower", "upper"])
        w.writerows(quantiles)
    subprocess.run(["Rscript", str(HERE / "make_reference.R"), str(HERE)], check=True)


if __name__ == "__main__":
    main()
