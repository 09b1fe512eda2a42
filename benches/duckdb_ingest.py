#!/usr/bin/env python3
"""The DuckDB side of the ingest benchmark: the same CSV into Parquet with the same parsing
options, personal columns left out as datastroom does.

    duckdb_ingest.py SRC DST          the Fixi-style export (gen_fixi.py): ';', decimal comma,
                                      Dutch date-times, Windows-1252 read as latin-1, title
                                      row skipped
    duckdb_ingest.py SRC DST narrow   the narrow export (gen_narrow.py): ';', Dutch dates,
                                      Windows-1252 read as latin-1
"""
import sys

import duckdb

FIXI = """
  SELECT "Meldingnummer" AS melding_id, "Datum melding" AS datum_melding,
         "Hoofdcategorie" AS categorie, "Subcategorie" AS subcategorie, "Status" AS status,
         "Datum afgehandeld" AS datum_afgehandeld, "Wijk" AS wijk, "Buurt" AS buurt,
         "Straat" AS adres, "Kanaal" AS kanaal, "X" AS x, "Y" AS y
  FROM read_csv('{src}', delim=';', decimal_separator=',', header=true, skip=1,
                encoding='latin-1', timestampformat='%d-%m-%Y %H:%M',
                types={{'X': 'DOUBLE', 'Y': 'DOUBLE', 'Datum melding': 'TIMESTAMP',
                       'Datum afgehandeld': 'TIMESTAMP'}})
"""
NARROW = """
  SELECT "Meldingnummer" AS melding_id, "Datum melding" AS datum_melding,
         "Categorie" AS categorie, "Wijk" AS wijk, "Buurt" AS buurt, "Status" AS status,
         "Omschrijving" AS omschrijving
  FROM read_csv('{src}', delim=';', header=true, encoding='latin-1', dateformat='%d-%m-%Y',
                types={{'Datum melding': 'DATE'}})
"""

src, dst = sys.argv[1], sys.argv[2]
query = NARROW if sys.argv[3:] == ["narrow"] else FIXI
con = duckdb.connect()
con.execute("SET threads = 2")
con.execute(f"COPY ({query.format(src=src)}) TO '{dst}' (FORMAT parquet)")
