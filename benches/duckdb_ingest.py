#!/usr/bin/env python3
"""The DuckDB side of the ingest benchmark: the same Fixi-style CSV into Parquet with the same
parsing options (';', decimal comma, Dutch date-times, Windows-1252 read as latin-1, title row
skipped), personal columns left out as datastroom does."""
import sys

import duckdb

src, dst = sys.argv[1], sys.argv[2]
con = duckdb.connect()
con.execute("SET threads = 2")
con.execute(
    f"""
    COPY (
      SELECT "Meldingnummer" AS melding_id, "Datum melding" AS datum_melding,
             "Hoofdcategorie" AS categorie, "Subcategorie" AS subcategorie, "Status" AS status,
             "Datum afgehandeld" AS datum_afgehandeld, "Wijk" AS wijk, "Buurt" AS buurt,
             "Straat" AS adres, "Kanaal" AS kanaal, "X" AS x, "Y" AS y
      FROM read_csv('{src}', delim=';', decimal_separator=',', header=true, skip=1,
                    encoding='latin-1', timestampformat='%d-%m-%Y %H:%M',
                    types={{'X': 'DOUBLE', 'Y': 'DOUBLE', 'Datum melding': 'TIMESTAMP',
                           'Datum afgehandeld': 'TIMESTAMP'}})
    ) TO '{dst}' (FORMAT parquet)
    """
)
