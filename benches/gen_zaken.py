"""Writes N synthetic Jeugd cases in the shape of a case-system export (';', d-m-yyyy) for the
waitlist benchmark: 20 teams, 8 products, 5 years of applications, about 6% open, 3% withdrawn,
waits drawn from a gamma distribution (median about 45 days), some suspension days.

    python3 benches/gen_zaken.py 1000000 benches/data/zaken_1000000.csv

Uses DuckDB (pip install duckdb) so that a million rows take seconds; deterministic (setseed).
"""
import sys

import duckdb

n, out = int(sys.argv[1]), sys.argv[2]
con = duckdb.connect()
con.execute("SELECT setseed(0.42)")
con.execute(f"""
COPY (
  WITH base AS (
    SELECT i,
           DATE '2020-01-01' + CAST(floor(random() * 1826) AS INTEGER) AS aanvraag,
           -- sum of 3 exponentials: gamma(3), mean 48 days
           CAST(-16 * (ln(1 - random()) + ln(1 - random()) + ln(1 - random())) AS INTEGER) AS wacht,
           random() AS u, random() AS v
    FROM range({n}) t(i)
  )
  SELECT 'J' || lpad(CAST(i AS VARCHAR), 8, '0') AS Zaaknummer,
         'Jeugdwet' AS Wet,
         'Product ' || CAST(i % 8 AS VARCHAR) AS Product,
         'Team ' || lpad(CAST(i % 20 AS VARCHAR), 2, '0') AS Team,
         strftime(aanvraag, '%-d-%-m-%Y') AS "Datum aanvraag",
         CASE WHEN u < 0.06 THEN '' ELSE strftime(aanvraag + wacht, '%-d-%-m-%Y') END AS "Datum beschikking",
         CASE WHEN v < 0.1 THEN CAST(floor(v * 200) AS VARCHAR) ELSE '' END AS Opschorting,
         CASE WHEN u < 0.06 THEN '' WHEN u < 0.09 THEN 'ingetrokken' ELSE 'toegekend' END AS Uitkomst
  FROM base
) TO '{out}' (HEADER, DELIMITER ';')
""")
