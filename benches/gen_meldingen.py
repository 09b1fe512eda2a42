"""Writes N public-space reports over 5 years (2021-2025) for the peaks benchmark: 40
categories x 10 wijken, 5 subcategories per category, days and times uniform; CSV with ';'
and Dutch date-times, as a Fixi export.

    python3 benches/gen_meldingen.py 10000000 benches/data/meldingen_10000000.csv

DuckDB (pip install duckdb) writes it; fixed seed.
"""
import sys

import duckdb

n, out = int(sys.argv[1]), sys.argv[2]
con = duckdb.connect()
con.execute("SELECT setseed(0.2026)")
con.execute(f"""
COPY (
  WITH r AS (
    SELECT i, random() AS u, random() AS v, random() AS s
    FROM range({n}) t(i)
  ), d AS (
    SELECT i, u, v, CAST(floor(1826 * s) AS INTEGER) AS day FROM r
  )
  SELECT 'M' || lpad(CAST(i AS VARCHAR), 9, '0') AS Meldingnummer,
         strftime(TIMESTAMP '2021-01-04 00:00' + INTERVAL (day) DAY + INTERVAL (CAST(u * 86399 AS INTEGER)) SECOND,
                  '%-d-%-m-%Y %-H:%M') AS "Datum melding",
         'Categorie ' || lpad(CAST(CAST(floor(u * 40) AS INTEGER) AS VARCHAR), 2, '0') AS Hoofdcategorie,
         'Sub ' || CAST(CAST(floor(v * 5) AS INTEGER) AS VARCHAR) AS Subcategorie,
         'Wijk ' || CAST(CAST(floor(v * 10 * 7) AS INTEGER) % 10 AS VARCHAR) AS Wijk
  FROM d
) TO '{out}' (HEADER, DELIMITER ';')
""")
