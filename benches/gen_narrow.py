#!/usr/bin/env python3
"""Writes a narrow export of N rows with much non-ASCII text for the ingest benchmark (issue
14): 7 columns, Windows-1252, ';' separated, Dutch dates (d-m-yyyy), category, wijk and
buurt names with accents, and a short free-text description (which the personal-data check
reads). The second shape beside gen_fixi.py's wide Fixi export.

    python3 benches/gen_narrow.py 10000000 benches/data/narrow_10000000.csv

Deterministic (fixed seed).
"""
import random
import sys

CATEGORIEËN = ["Café-overlast", "Groen en bomen", "Wegen/trottoirs", "Rioléring", "Verlichting",
               "Zwerfvuil & dumping", "Ongedierte", "Speeltoestellen", "Gladheidsbestrijding"]
WIJKEN = [("Gaanderen", "Zuïd"), ("Zevenaar-Centrum", "Oud Zevenaar"), ("Babberich", "Één"),
          ("Lobith-Tolkamer", "Spijk"), ("Giesbeek", "Café-buurt"), ("Duiven-Oost", "Rozenhof"),
          ("Westervoort", "Hof van Holland"), ("Pannerden", "Aerdt")]
STATUS = ["Open", "In behandeling", "Afgehandeld", "Afgehandeld", "Geannuleerd"]
WOORDEN = ["één", "keer", "per", "week", "bij", "het", "café", "naast", "de", "brug", "overlast",
           "geluid", "tegel", "los", "perceel", "hoek", "ruïne", "coöperatie", "zeer", "vies"]


def main(n, path, seed=20240314):
    rnd = random.Random(seed)
    with open(path, "w", encoding="cp1252", newline="") as f:
        f.write("Meldingnummer;Datum melding;Categorie;Wijk;Buurt;Status;Omschrijving\r\n")
        for i in range(1, n + 1):
            d, m, y = rnd.randint(1, 28), rnd.randint(1, 12), rnd.randint(2019, 2024)
            wijk, buurt = rnd.choice(WIJKEN)
            text = " ".join(rnd.choice(WOORDEN) for _ in range(rnd.randint(3, 8)))
            f.write(f"{i};{d}-{m}-{y};{rnd.choice(CATEGORIEËN)};{wijk};{buurt};"
                    f"{rnd.choice(STATUS)};{text}\r\n")


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2], *(int(a) for a in sys.argv[3:4]))
