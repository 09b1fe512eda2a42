#!/usr/bin/env python3
"""The DuckDB side of the narrow-export benchmark (benches/gen_narrow.py): the same CSV into
Parquet with the same parsing options (';', Dutch dates, Windows-1252 read as latin-1)."""
import sys

import duckdb

src, dst = sys.argv[1], sys.argv[2]
con = duckdb.connect()
con.execute("SET threads = 2")
con.execute(
    f"""
    COPY (
      SELECT "Meldingnummer" AS melding_id, "Datum melding" AS datum_melding,
             "Categorie" AS categorie, "Wijk" AS wijk, "Buurt" AS buurt, "Status" AS status,
             "Omschrijving" AS omschrijving
      FROM read_csv('{src}', delim=';', header=true, encoding='latin-1', dateformat='%d-%m-%Y',
                    types={{'Datum melding': 'DATE'}})
    ) TO '{dst}' (FORMAT parquet)
    """
)
