"""DuckDB's side of the peaks benchmark: only the weekly count aggregation per category of
the warehouse's meldingen Parquet files (2 threads).

    python3 benches/duckdb_weekly.py 'WAREHOUSE/meldingen/*.parquet'
"""
import sys

import duckdb

con = duckdb.connect()
con.execute("SET threads = 2")
rows = con.execute(
    f"""SELECT categorie, date_trunc('week', datum_melding) AS week, count(*) AS n
        FROM read_parquet('{sys.argv[1]}') GROUP BY ALL"""
).fetchall()
print(len(rows), "category-weeks")
