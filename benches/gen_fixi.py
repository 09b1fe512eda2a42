#!/usr/bin/env python3
"""Writes a Fixi-style export of N rows for the ingest benchmark: Windows-1252, ';' separated,
Dutch date-times (d-m-yyyy h:mm, not padded), Dutch headers, a title row, personal melder
columns, decimal-comma coordinates.

    python3 benches/gen_fixi.py 1000000 benches/data/fixi_1m.csv

Deterministic (fixed seed), so runs are comparable. `gen_fixi.py N PATH SEED` writes the same
melding ids with other contents (a later export of the same reports).
"""
import random
import sys

CATEGORIES = [
    ("Afval", ["Zwerfvuil", "Container vol", "Dumping", "Grofvuil"]),
    ("Groen", ["Boom omgevallen", "Eikenprocessierups", "Snoeien", "Onkruid"]),
    ("Wegen", ["Losse tegel", "Gat in de weg", "Verkeersbord", "Gladheid"]),
    ("Verlichting", ["Lantaarnpaal defect"]),
    ("Riolering", ["Verstopping", "Wateroverlast", "Stank"]),
    ("Overlast", ["Geluid", "Hondenpoep", "Vuurwerk"]),
]
WIJKEN = [("Centrum", "Oud Zevenaar"), ("Noord", "Hengelder"), ("Babberich", "Babberich"),
          ("Giesbeek", "Giesbeek"), ("Lobith", "Lobith"), ("Duiven-Oost", "Rozenhof")]
STRATEN = ["Kerkstraat", "Grietsestraat", "Markt", "Heuvelsestraat", "Één-tweestraat",
           "Café-plein", "Dorpsstraat", "Stationsweg", "Dijk", "Rijksweg"]
KANALEN = ["App", "Web", "Telefoon", "Balie"]
STATUS = ["Open", "In behandeling", "Afgehandeld", "Afgehandeld", "Afgehandeld"]


def main(n, path, seed=20240314):
    rnd = random.Random(seed)
    header = ("Meldingnummer;Datum melding;Hoofdcategorie;Subcategorie;Status;Datum afgehandeld;"
              "Wijk;Buurt;Straat;Kanaal;X;Y;Naam melder;E-mail melder;Telefoon melder")
    with open(path, "w", encoding="cp1252", newline="\r\n") as f:
        f.write("Export meldingen openbare ruimte;;;;;;;;;;;;;;\n")
        f.write(header + "\n")
        for i in range(n):
            cat, subs = CATEGORIES[rnd.randrange(len(CATEGORIES))]
            sub = subs[rnd.randrange(len(subs))]
            wijk, buurt = WIJKEN[rnd.randrange(len(WIJKEN))]
            y, m, d = 2018 + rnd.randrange(7), 1 + rnd.randrange(12), 1 + rnd.randrange(28)
            h, mi = rnd.randrange(24), rnd.randrange(60)
            status = STATUS[rnd.randrange(len(STATUS))]
            closed = f"{min(d + 3, 28)}-{m}-{y} {h}:{mi:02d}" if status == "Afgehandeld" else ""
            melder = "J. Jansen" if i % 7 == 0 else ""
            f.write(
                f"M-{i + 1:08d};{d}-{m}-{y} {h}:{mi:02d};{cat};{sub};{status};{closed};{wijk};{buurt};"
                f"{STRATEN[i % len(STRATEN)]} {1 + i % 120};{KANALEN[i % 4]};"
                f"{200000 + rnd.random() * 9000:.2f}".replace(".", ",")
                + f";{440000 + rnd.random() * 9000:.2f}".replace(".", ",")
                + f";{melder};{'j@example.nl' if melder else ''};\n"
            )


if __name__ == "__main__":
    # A third argument, another seed: the same melding ids with other contents (newer
    # versions of the same reports, for the upsert benchmark).
    main(int(sys.argv[1]), sys.argv[2], *(int(a) for a in sys.argv[3:4]))
