#!/usr/bin/env python3
"""Writes the sample exports in testdata/. Run from the repository root:

    python3 testdata/make_testdata.py

Needs openpyxl and xlwt (pip install openpyxl xlwt). The files are committed, so tests do not
need Python; rerun this only to change the samples, and update the expected counts in
tests/ingest.rs and testdata/README.md by hand.
"""
import datetime as dt
import json
import pathlib

import openpyxl
import xlwt

HERE = pathlib.Path(__file__).parent


def meldingen_fixi():
    """Fixi-style export: Windows-1252, ';', Dutch date-times, personal melder columns."""
    header = ["Meldingnummer", "Datum melding", "Hoofdcategorie", "Subcategorie", "Status",
              "Datum afgehandeld", "Wijk", "Buurt", "Straat", "Kanaal", "Naam melder",
              "E-mail melder", "Telefoon melder"]
    rows = [
        ["M-2024-0001", "1-3-2024 08:05", "Groen", "Boom omgevallen", "Afgehandeld", "4-3-2024 14:00", "Centrum", "Oud Zevenaar", "Kerkstraat 1", "App", "Jan de Vries", "jan@example.nl", "0612345678"],
        ["M-2024-0002", "1-3-2024 09:31", "Afval", "Zwerfvuil", "Afgehandeld", "2-3-2024 10:00", "Centrum", "Oud Zevenaar", "Grietsestraat 12", "Web", "Fatma Yılmaz", "f.y@example.nl", ""],
        ["M-2024-0003", "2-3-2024 17:45", "Wegen", "Losse tegel", "In behandeling", "", "Noord", "Hengelder", "Café de Gouden Leeuw, Markt 3", "Telefoon", "", "", "0316123456"],
        ["M-2024-0004", "3-3-2024 23:59", "Groen", "Eikenprocessierups", "Open", "", "Babberich", "Babberich", "Heuvelsestraat 4", "App", "Zoë Élan", "", ""],
        ["M-2024-0005", "13-3-2024 07:00", "Verlichting", "Lantaarnpaal defect", "Afgehandeld", "20-3-2024 09:15", "Noord", "Hengelder", "Één-tweestraat 8", "App", "", "", ""],
        ["M-2024-0006", "14-3-2024 0:00", "Afval", "Container vol", "Open", "", "Centrum", "Oud Zevenaar", "Markt 1", "Balie", "", "", ""],
        ["M-2024-0007", "31-02-2024 10:00", "Afval", "Container vol", "Open", "", "Centrum", "Oud Zevenaar", "Markt 1", "Balie", "", "", ""],
        ["M-2024-0008", "15-3-2024 11:11", "", "Onbekend", "Open", "", "Noord", "Hengelder", "Stationsweg 2", "Web", "", "", ""],
        ["M-2024-0009", "16-3-2024 12:00", "Riolering", "Verstopping", "Afgehandeld", "18-3-2024 08:30", "Giesbeek", "Giesbeek", "Dorpsstraat 5", "App", "", "", ""],
        ["M-2024-0009", "16-3-2024 12:00", "Riolering", "Verstopping", "Afgehandeld", "18-3-2024 08:30", "Giesbeek", "Giesbeek", "Dorpsstraat 5", "App", "", "", ""],
        ["M-2024-0010", "17-3-2024 13:00", "Wegen", "Gat in de weg", "Open", "", "Lobith", "Lobith", "Dijk 10", "Web", "", "", ""],
        ["M-2024-0010", "17-3-2024 13:00", "Wegen", "Gat in de weg", "Afgehandeld", "19-3-2024 10:00", "Lobith", "Lobith", "Dijk 10", "Web", "", "", ""],
        ["M-2024-0011", "18-3-2024 06:30", "Groen", "Boom omgevallen", "Open", "", "Centrum", "Oud Zevenaar", "Kerkstraat 9", "App", "", "", ""],
        ["M-2024-0012", "18-3-2024 06:45", "Groen", "Boom omgevallen", "Open", "", "Centrum", "Oud Zevenaar", "Kerkstraat 11", "App", "", "", ""],
    ]
    lines = ["Export meldingen openbare ruimte;;;;;;;;;;;;", "", ";".join(header)]
    lines += [";".join(r) for r in rows]
    (HERE / "meldingen_fixi.csv").write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252", errors="replace"))


def meldingen_historie():
    """Three years of Fixi reports of one municipality (28-6-2021 to 28-7-2024), for `peaks` and
    the weekly example: seasonal rates per category (Groen in summer, Verlichting in the dark
    months, Wegen after frost) drawn from a Poisson distribution with a fixed seed, and two
    planted peaks: Riolering/Wateroverlast in Lobith in week 24 of 2024 (10-16 June, +14) and
    Groen/Boom omgevallen in Giesbeek in week 26 (24-30 June, +22). Windows-1252, ';', melder
    names in some rows."""
    import math
    import random

    rnd = random.Random(20240630)
    header = ["Meldingnummer", "Datum melding", "Hoofdcategorie", "Subcategorie", "Status",
              "Datum afgehandeld", "Wijk", "Buurt", "Straat", "Kanaal", "Naam melder",
              "E-mail melder", "Telefoon melder"]
    subs = {
        "Groen": ["Boom omgevallen", "Snoeien", "Onkruid", "Eikenprocessierups", "Gras maaien"],
        "Afval": ["Zwerfvuil", "Container vol", "Dumping", "Grofvuil"],
        "Wegen": ["Losse tegel", "Gat in de weg", "Verzakking", "Stoep beschadigd"],
        "Riolering": ["Verstopping", "Wateroverlast", "Put kapot"],
        "Verlichting": ["Lantaarnpaal defect", "Lamp brandt overdag"],
    }
    places = {
        "Centrum": ("Oud Zevenaar", ["Kerkstraat", "Grietsestraat", "Markt", "Hof van Zevenaar"]),
        "Noord": ("Hengelder", ["Stationsweg", "Hengelderweg", "Beukenlaan"]),
        "Babberich": ("Babberich", ["Heuvelsestraat", "Kerkweg", "Babberichseweg"]),
        "Giesbeek": ("Giesbeek", ["Dorpsstraat", "Rivierweg", "Kerklaan", "Bosweg"]),
        "Lobith": ("Lobith", ["Dijk", "Tolkamerweg", "Molenstraat"]),
    }
    kanalen = ["App"] * 10 + ["Web"] * 6 + ["Telefoon"] * 3 + ["Balie"]
    names = ["Jan de Vries", "Fatma Öztürk", "Piet Jansen", "Anouk Bakker", "Zoë Élan",
             "Mohamed El Amrani", "Ria Hendriks"]

    def season(week, top):
        return max(0.0, math.cos(2 * math.pi * (week - top) / 52))

    def poisson(lam):
        l, k, p = math.exp(-lam), 0, 1.0
        while True:
            p *= rnd.random()
            if p <= l:
                return k
            k += 1

    rows = []
    seq = {}
    monday = dt.date(2021, 6, 28)
    while monday <= dt.date(2024, 7, 22):
        week = monday.isocalendar()[1]
        rates = {
            "Groen": 3 + 4 * season(week, 25),
            "Afval": 4 + 1 * season(week, 30),
            "Wegen": 2 + 2 * season(week, 6),
            "Riolering": 1.2,
            "Verlichting": 0.8 + 2.5 * season(week, 50),
        }
        planned = [(cat, None, None) for cat, lam in rates.items() for _ in range(poisson(lam))]
        if monday == dt.date(2024, 6, 10):
            planned += [("Riolering", "Wateroverlast", "Lobith")] * 14
        if monday == dt.date(2024, 6, 24):
            planned += [("Groen", "Boom omgevallen", "Giesbeek")] * 18
            planned += [("Groen", "Boom omgevallen", "Babberich")] * 4
        for cat, sub, wijk in planned:
            when = dt.datetime.combine(monday + dt.timedelta(days=rnd.randrange(7)), dt.time(0)) \
                + dt.timedelta(minutes=rnd.randrange(7 * 60, 22 * 60))
            sub = sub or rnd.choice(subs[cat])
            wijk = wijk or rnd.choice(list(places))
            buurt, streets = places[wijk]
            kanaal = rnd.choice(kanalen)
            seq[when.year] = seq.get(when.year, 0) + 1
            done = when + dt.timedelta(days=rnd.randrange(1, 15), hours=rnd.randrange(0, 6))
            closed = done.date() <= dt.date(2024, 7, 28)
            named = rnd.random() < 0.15
            name = rnd.choice(names) if named else ""
            rows.append((when, [
                f"Z-{when.year}-{seq[when.year]:05d}",
                f"{when.day}-{when.month}-{when.year} {when.hour}:{when.minute:02d}",
                cat, sub, "Afgehandeld" if closed else "Open",
                f"{done.day}-{done.month}-{done.year} {done.hour}:{done.minute:02d}" if closed else "",
                wijk, buurt, f"{rnd.choice(streets)} {rnd.randrange(1, 80)}", kanaal,
                name, (name.split()[0].lower() + "@example.nl") if named and rnd.random() < 0.5 else "",
                f"06{rnd.randrange(10**7, 10**8)}" if named and rnd.random() < 0.5 else "",
            ]))
        monday += dt.timedelta(days=7)
    rows.sort(key=lambda r: r[0])
    lines = ["Export meldingen openbare ruimte;;;;;;;;;;;;", "", ";".join(header)]
    lines += [";".join(r) for _, r in rows]
    (HERE / "meldingen_historie.csv").write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))


def meldingen_signalen():
    """Signalen-style JSON (as the public API gives it): UTC time stamps, English keys."""
    rows = [
        {"id": "a1", "category": "Afval", "subcategory": "Dumping", "created_at": "2025-01-15T07:26:07.228597+00:00", "wijk": "Centrum", "address": "Markt 1", "lat": 51.92, "lng": 6.07},
        {"id": "a2", "category": "Groen", "subcategory": "Boom", "created_at": "2025-07-01T22:30:00+00:00", "wijk": "Noord", "address": "Kerkstraat 1", "lat": 51.93, "lng": 6.08},
        {"id": "a3", "category": "Wegen", "subcategory": None, "created_at": "2025-03-30T00:59:59Z", "wijk": "Noord", "address": None, "lat": None, "lng": None},
        {"id": "a4", "category": "Wegen", "subcategory": "Tegel", "created_at": "gisteren", "wijk": "Noord", "address": "Dijk 2", "lat": 51.9, "lng": 6.1},
    ]
    (HERE / "meldingen_signalen.json").write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def zaken_sociaal():
    """Wmo/Jeugd case export as .xlsx: title rows above the header, BSN and client names."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Zaken"
    ws.append(["Overzicht Wmo- en Jeugdzaken"])
    ws.append(["Peildatum: 31-03-2024"])
    ws.append([])
    ws.append(["Zaaknummer", "BSN", "Naam client", "Adres", "Wet", "Product", "Team", "Behandelaar",
               "Datum melding", "Datum aanvraag", "Datum beschikking", "Opschorting", "Verdaagd", "Uitkomst"])
    d = dt.datetime
    rows = [
        ["Z-001", "123456782", "A. Jansen", "Kerkstraat 1, Zevenaar", "Wmo", "Huishoudelijke hulp", "Team Noord", "P. Bakker", d(2024, 1, 8), d(2024, 2, 1), d(2024, 2, 12), 0, "nee", "toegekend"],
        ["Z-002", 111222333, "B. de Boer", "Markt 2", "Wmo", "Woonvoorziening", "Team Zuid", "P. Bakker", d(2024, 1, 15), d(2024, 2, 20), None, 5, "ja", None],
        ["Z-003", 12345672, "C. Smit", "Dijk 3", "Jeugdwet", "Jeugdhulp ambulant", "Team Noord", "K. Visser", None, d(2024, 1, 10), d(2024, 3, 4), None, "nee", "toegekend"],
        ["Z-004", "123456782", "A. Jansen", "Kerkstraat 1, Zevenaar", "Wmo", "Vervoer", "Team Noord", "K. Visser", "14-3-2024", "18-3-2024", None, None, None, None],
        ["Z-005", "", "", "", "Jeugdwet", "Jeugdhulp verblijf", "Team Zuid", "K. Visser", None, d(2024, 2, 2), None, None, "nee", None],
        ["Z-006", "999999990", "D. Mulder", "Laan 6", "Wmo", "Hulpmiddel", "Team Zuid", "P. Bakker", "onbekend", d(2024, 3, 1), None, None, None, None],
        ["Z-007", "123456782", "A. Jansen", "Kerkstraat 1", "", "Vervoer", "Team Noord", "P. Bakker", d(2024, 3, 5), None, None, None, None, None],
    ]
    for r in rows:
        ws.append(r)
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, dt.datetime):
                cell.number_format = "dd-mm-yyyy"
    wb.save(HERE / "zaken_sociaal.xlsx")


def inhuur_contracten():
    """Hired staff contracts as .xlsx: money as numbers, a worker's name (pseudonymised)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Contracten"
    ws.append(["Contractnummer", "Leverancier", "Naam", "Functie", "Afdeling", "Startdatum",
               "Einddatum", "Uurtarief", "Max uren", "Contractwaarde", "Procedure"])
    d = dt.datetime
    rows = [
        ["C-2023-01", "Interim BV", "Piet Pieters", "Projectleider", "Ruimte", d(2023, 1, 1), d(2024, 12, 31), 125.5, 1600, 200800, "meervoudig onderhands"],
        ["C-2023-02", "Detacheer & Co", "Anna Ali", "Beleidsadviseur Wmo", "Sociaal Domein", d(2023, 6, 1), d(2024, 5, 31), 98, 1000, 98000, "enkelvoudig"],
        ["C-2024-01", "Interim BV", "Karin Kok", "Jurist VTH", "Ruimte", d(2024, 2, 1), d(2025, 1, 31), 110, 800, 88000, "enkelvoudig"],
        ["C-2024-02", "", "Tom Tak", "ICT", "Bedrijfsvoering", d(2024, 3, 1), d(2024, 8, 31), 90, 500, 45000, "enkelvoudig"],
        ["C-2024-03", "Data BV", "Els Eik", "BI-specialist", "Bedrijfsvoering", d(2024, 4, 1), "tot nader order", 105, 400, 42000, "enkelvoudig"],
    ]
    for r in rows:
        ws.append(r)
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, dt.datetime):
                cell.number_format = "dd-mm-yyyy"
    wb.save(HERE / "inhuur_contracten.xlsx")


def inhuur_facturen():
    """Invoices from the finance system: UTF-8 with BOM, ';', decimal comma, thousands dots."""
    lines = [
        "Factuurnummer;Contractnummer;Crediteur;Factuurdatum;Bedrag excl. btw;Uren;Kostenplaats",
        "F-1001;C-2023-01;Interim BV;31-01-2024;20.080,00;160;Ruimte",
        "F-1002;C-2023-01;Interim BV;29-02-2024;EUR 18.825,00;150;Ruimte",
        "F-1003;C-2023-02;Detacheer & Co;31-01-2024;9.800,00;100;Sociaal Domein",
        "F-1004;C-2023-02;Detacheer & Co;30-06-2024;4.900,00;50;Sociaal Domein",
        "F-1005;C-2023-02;Detacheer & Co;15-07-2024;(980,00);-10;Sociaal Domein",
        "F-1006;;Adviesbureau Zonder Contract;15-03-2024;1.234,56;;Bedrijfsvoering",
        "F-1007;C-2024-01;Interim BV;;5.500,00;50;Ruimte",
        "F-1008;C-2024-01;Interim BV;31-03-2024;n.v.t.;;Ruimte",
        "F-1009;C-2024-01;Interim BV;30-04-2024;12,5;0,5;Ruimte",
    ]
    (HERE / "inhuur_facturen.csv").write_bytes(b"\xef\xbb\xbf" + ("\n".join(lines) + "\n").encode("utf-8"))


def reisdocumenten():
    """Issued ID documents: ',' separator, ISO dates, document numbers (pseudonymised)."""
    lines = [
        "Documentnummer,Soort document,Uitgiftedatum,Geldig tot,Leeftijd",
        "NX1234567,paspoort,2014-03-10,2024-03-10,34",
        "IX7654321,identiteitskaart,2014-03-21,2024-03-21,41",
        "IX1111111,identiteitskaart,2019-05-02,2024-05-02,12",
        "NX2222222,paspoort,2016-11-30,2026-11-30,55",
        "IX3333333,identiteitskaart,2015-13-01,2025-13-01,23",
        "IX4444444,identiteitskaart,2021-08-15,2031-08-15,onbekend",
    ]
    (HERE / "reisdocumenten.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def projecten():
    """Project list as an old .xls, dates written out ("14 maart 2024"), budgets as numbers."""
    wb = xlwt.Workbook()
    ws = wb.add_sheet("Projecten")
    rows = [
        ["Projectnummer", "Projectnaam", "Start", "Eind", "Status", "Projectleider", "Begroting", "Besteed"],
        ["P-01", "Herinrichting Markt", "14 maart 2024", "31 december 2025", "Uitvoering", "M. de Wit", 1250000, 310000.5],
        ["P-02", "Nieuw zwembad", "1 januari 2023", "1 juli 2026", "Ontwerp", "S. Groen", 8500000, 120000],
        ["P-03", "Digitaal loket", "3 okt 2023", "Q3 2024", "Uitvoering", "M. de Wit", 250000, 199000],
        ["P-04", "Wijkvisie Giesbeek", "1 februari 2024", "30 november 2024", "Afgerond", "R. Berg", 40000, 41250.75],
    ]
    for i, r in enumerate(rows):
        for j, v in enumerate(r):
            ws.write(i, j, v)
    wb.save(str(HERE / "projecten.xls"))


def zaken_wachtlijst():
    """Wmo/Jeugd waiting-list export of a case system: ';', UTF-8, d-m-yyyy, BSN. The waitlist
    figures of tests/waitlist.rs are computed by hand from these rows (as-of 30-6-2024)."""
    lines = [
        "Zaaknummer;BSN;Wet;Product;Team;Behandelaar;Datum melding;Einde onderzoek;Datum aanvraag;Datum beschikking;Opschorting;Verdaagd;Uitkomst",
        "W01;123456782;Wmo;Hulpmiddel;Team Noord;P. Bakker;2-1-2024;1-2-2024;5-2-2024;15-2-2024;0;nee;toegekend",
        "W02;111222333;Wmo;Woonvoorziening;Team Noord;P. Bakker;8-1-2024;4-3-2024;6-3-2024;27-3-2024;0;nee;toegekend",
        "W03;;Wmo;Vervoer;Team Zuid;K. Visser;15-1-2024;15-1-2024;15-1-2024;22-1-2024;;nee;toegekend",
        "W04;999999990;Wmo;Huishoudelijke hulp;Team Zuid;K. Visser;1-2-2024;10-4-2024;;;30;nee;geen aanvraag",
        "W05;;Wmo;Huishoudelijke hulp;Team Noord;P. Bakker;1-3-2024;;;;;;",
        "W06;;Wmo;Hulpmiddel;Team Zuid;K. Visser;3-6-2024;;;;;;",
        "W07;;Wmo;Begeleiding;Team Noord;P. Bakker;10-4-2024;20-5-2024;21-5-2024;;;nee;",
        "W08;;Wmo;Begeleiding;Team Zuid;K. Visser;15-5-2024;5-7-2024;8-7-2024;;;;",
        "W09;;Wmo;Woonvoorziening;Team Noord;P. Bakker;20-2-2024;20-3-2024;25-3-2024;1-5-2024;0;ja;afgewezen",
        "W10;;Wmo;Hulpmiddel;Team Zuid;K. Visser;4-3-2024;25-3-2024;;;;;ingetrokken",
        "W11;;Wmo;Vervoer;Team Zuid;K. Visser;2-4-2024;10-6-2024;11-6-2024;20-6-2024;;nee;toegekend",
        "W12;;Wmo;Begeleiding;Team Zuid;K. Visser;6-5-2024;3-5-2024;;;;;",
        "W13;;Wmo;Vervoer;Team Noord;P. Bakker;3-6-2024;;31-6-2024;;;;",
        "J01;;Jeugdwet;Jeugdhulp ambulant;Team Noord;L. de Vries;;;8-1-2024;4-3-2024;0;nee;toegekend",
        "J02;;Jeugdwet;Jeugdhulp ambulant;Team Noord;L. de Vries;;;15-1-2024;2-4-2024;14;nee;toegekend",
        "J03;;Jeugdwet;Jeugdhulp verblijf;Team Zuid;M. Jansen;;;1-3-2024;15-4-2024;;nee;toegekend",
        "J04;;Jeugdwet;Jeugdhulp verblijf;Team Zuid;M. Jansen;;;1-4-2024;;;;",
        "J05;;Jeugdwet;Jeugdhulp ambulant;Team Zuid;M. Jansen;;;20-5-2024;;10;;",
        "J06;;Jeugdwet;Jeugdhulp ambulant;Team Noord;L. de Vries;;;5-2-2024;1-3-2024;;;ingetrokken",
    ]
    (HERE / "zaken_wachtlijst.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def vth_vergunningen():
    """Permit cases from a VTH system: other headers (Zaaktype, Wettelijk kader, Besluitdatum)."""
    lines = [
        "Zaaknummer;Zaaktype;Wettelijk kader;Aanvraagdatum;Besluitdatum;Verdaagd;Opschorting;Resultaat",
        "V01;Omgevingsvergunning regulier;Omgevingswet;8-1-2024;26-2-2024;nee;0;verleend",
        "V02;Omgevingsvergunning regulier;Omgevingswet;15-1-2024;8-4-2024;ja;0;verleend",
        "V03;Omgevingsvergunning regulier;Omgevingswet;1-2-2024;15-4-2024;nee;7;geweigerd",
        "V04;Omgevingsvergunning regulier;Omgevingswet;1-4-2024;;nee;;",
        "V05;Omgevingsvergunning uitgebreid;Omgevingswet;4-1-2024;;ja;;",
        "V06;Omgevingsvergunning uitgebreid;Omgevingswet;2-10-2023;3-5-2024;nee;0;verleend",
        "V07;Omgevingsvergunning regulier;Omgevingswet;10-6-2024;;nee;;",
        "V08;Omgevingsvergunning regulier;;12-6-2024;;nee;;",
    ]
    (HERE / "vth_vergunningen.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def inhuur_2026():
    """Contracts (xlsx, HR/inkoop) and invoices (CSV, finance) built so that every inhuur rule
    fires, with a clean contract (K10); the expected findings and totals are computed by hand
    in tests/inhuur.rs (as-of 31-3-2026). Plus a budget file per department."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Inhuur"
    ws.append(["Contractnummer", "Leverancier", "Naam inhuurkracht", "Functie", "Afdeling",
               "Startdatum", "Einddatum", "Uurtarief", "Max uren", "Contractwaarde", "Procedure"])
    d = dt.datetime
    enk, mvo = "enkelvoudig onderhands", "meervoudig onderhands"
    rows = [
        ["K01", "Interim Partners B.V.", "Piet Pieters", "Projectleider", "Ruimte", d(2023, 1, 1), d(2024, 12, 31), 120, 3000, 360000, "Europees aanbesteed"],
        ["K02", "Detacheer & Co", "Anna Ali", "Beleidsadviseur Wmo", "Sociaal Domein", d(2025, 6, 1), d(2025, 12, 31), 95, 700, 66500, enk],
        ["K03", "Interim Partners BV", "Karin Kok", "Jurist VTH", "Ruimte", d(2025, 3, 1), d(2026, 2, 28), 110, 800, None, mvo],
        ["K04", "Data BV", "Tom Tak", "ICT-architect", "Bedrijfsvoering", d(2025, 4, 1), d(2027, 3, 31), 125, 800, 100000, mvo],
        ["K05", "interim partners  bv", "Bram Berg", "Programmamanager", "Ruimte", d(2024, 1, 1), d(2025, 12, 31), 130, 1200, 156000, mvo],
        ["K06", "Bureau Groot B.V.", "Lisa Lam", "Adviseur bedrijfsvoering", "Bedrijfsvoering", d(2022, 1, 1), d(2025, 12, 31), 130, 2000, 260000, mvo],
        ["K07", "Detacheer & Co", "Mark Mol", "Consulent Jeugd", "Sociaal Domein", d(2023, 1, 1), d(2024, 12, 31), 90, 2800, 252000, mvo],
        ["K08", "Data B.V.", "Mark Mol", "Consulent Jeugd", "Sociaal Domein", d(2025, 1, 1), "tot nader order", 95, None, None, enk],
        ["K09", "Nieuwe Inzet BV", "Sara Stam", "Communicatieadviseur", "Bedrijfsvoering", d(2025, 12, 1), d(2026, 11, 30), 85, 600, 51000, enk],
        ["K10", "Adviesbureau Helder", "Els Eik", "BI-specialist", "Bedrijfsvoering", d(2026, 1, 1), d(2026, 12, 31), 100, 500, 50000, enk],
        ["K11", "Adviesbureau Helder", "Joost Jong", "Data-engineer", "Bedrijfsvoering", d(2026, 3, 15), d(2026, 5, 15), 100, 300, 30000, enk],
        ["K12", "Nieuwe Inzet BV", "Piet Pieters", "Projectleider", "Ruimte", d(2026, 5, 1), d(2026, 10, 31), 110, 360, 39600, enk],
    ]
    for r in rows:
        ws.append(r)
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, dt.datetime):
                cell.number_format = "dd-mm-yyyy"
    wb.save(HERE / "inhuur_contracten_2026.xlsx")

    lines = ["Factuurnummer;Contractnummer;Crediteur;Factuurdatum;Periode van;Periode tot;Bedrag excl. btw;Kostenplaats"]
    inv = [
        ("F101", "K01", "Interim Partners B.V.", "31-12-2023", "1-1-2023", "31-12-2023", "150.000,00", "Ruimte"),
        ("F102", "K01", "Interim Partners B.V.", "31-12-2024", "1-1-2024", "31-12-2024", "150.000,00", "Ruimte"),
        ("F103", "K01", "Interim Partners B.V.", "31-1-2025", "1-1-2025", "31-1-2025", "2.000,00", "Ruimte"),
        ("F201", "K02", "Detacheer & Co", "31-12-2025", "1-12-2025", "31-12-2025", "9.000,00", "Sociaal Domein"),
        ("F202", "K02", "Detacheer & Co", "31-1-2026", "1-1-2026", "31-1-2026", "9.000,00", "Sociaal Domein"),
        ("F203", "K02", "Detacheer & Co", "20-1-2026", "15-12-2025", "14-1-2026", "6.200,00", "Sociaal Domein"),
        ("F301", "K03", "Interim Partners BV", "30-6-2025", "1-3-2025", "30-6-2025", "30.000,00", "Ruimte"),
        ("F302", "K03", "Interim Partners BV", "31-10-2025", "1-7-2025", "31-10-2025", "30.000,00", "Ruimte"),
        ("F303", "K03", "Interim Partners BV", "28-2-2026", "1-11-2025", "28-2-2026", "30.000,00", "Ruimte"),
        ("F304", "K03", "Interim Partners BV", "15-3-2026", "", "", "-1.500,00", "Ruimte"),
        ("F401", "K04", "Data BV", "30-9-2025", "1-4-2025", "30-9-2025", "45.000,00", "Bedrijfsvoering"),
        ("F402", "K04", "Data BV", "28-2-2026", "1-10-2025", "28-2-2026", "47.000,00", "Bedrijfsvoering"),
        ("F501", "K05", "Interim Partners", "30-6-2024", "1-1-2024", "30-6-2024", "70.000,00", "Ruimte"),
        ("F502", "K05", "Interim Partners", "31-12-2024", "1-7-2024", "31-12-2024", "70.000,00", "Ruimte"),
        ("F601", "K06", "Bureau Groot", "31-3-2022", "1-1-2022", "31-3-2022", "40.000,00", "Bedrijfsvoering"),
        ("F602", "K06", "Bureau Groot", "31-12-2023", "1-1-2023", "31-12-2023", "60.000,00", "Bedrijfsvoering"),
        ("F603", "K06", "Bureau Groot", "31-12-2024", "1-1-2024", "31-12-2024", "60.000,00", "Bedrijfsvoering"),
        ("F604", "K06", "Bureau Groot", "31-12-2025", "1-1-2025", "31-12-2025", "60.000,00", "Bedrijfsvoering"),
        ("F701", "K07", "Detacheer & Co", "30-6-2023", "1-1-2023", "30-6-2023", "45.000,00", "Sociaal Domein"),
        ("F702", "K07", "Detacheer & Co", "31-12-2023", "1-7-2023", "31-12-2023", "45.000,00", "Sociaal Domein"),
        ("F703", "K07", "Detacheer & Co", "30-6-2024", "1-1-2024", "30-6-2024", "45.000,00", "Sociaal Domein"),
        ("F704", "K07", "Detacheer & Co", "31-12-2024", "1-7-2024", "31-12-2024", "45.000,00", "Sociaal Domein"),
        ("F705", "K07", "Detacheer & Co", "31-1-2025", "1-1-2025", "31-1-2025", "5.000,00", "Sociaal Domein"),
        ("F801", "K08", "Data B.V.", "31-3-2025", "1-1-2025", "31-3-2025", "15.000,00", "Sociaal Domein"),
        ("F802", "K08", "Data B.V.", "30-6-2025", "1-4-2025", "30-6-2025", "15.000,00", "Sociaal Domein"),
        ("F803", "K08", "Data B.V.", "30-9-2025", "1-7-2025", "30-9-2025", "15.000,00", "Sociaal Domein"),
        ("F804", "K08", "Data B.V.", "31-12-2025", "1-10-2025", "31-12-2025", "15.000,00", "Sociaal Domein"),
        ("F805", "K08", "Data B.V.", "31-3-2026", "1-1-2026", "31-3-2026", "15.000,00", "Sociaal Domein"),
        ("F1001", "K10", "Adviesbureau Helder", "31-1-2026", "1-1-2026", "31-1-2026", "8.000,00", "Bedrijfsvoering"),
        ("F1002", "K10", "Adviesbureau Helder", "28-2-2026", "1-2-2026", "28-2-2026", "8.000,00", "Bedrijfsvoering"),
        ("F901", "", "Adviesbureau Zonder Contract", "15-3-2026", "", "", "1.234,56", "Bedrijfsvoering"),
        ("F902", "K99", "Onbekend Bureau", "20-2-2026", "", "", "2.500,00", "Ruimte"),
        ("F903", "K10", "Adviesbureau Helder", "31-3-2026", "1-3-2026", "31-3-2026", "n.v.t.", "Bedrijfsvoering"),
    ]
    lines += [";".join(r) for r in inv]
    (HERE / "inhuur_facturen_2026.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")

    budget = ["afdeling;jaar;budget", "Bedrijfsvoering;2026;200.000,00", "Sociaal Domein;2026;150.000,00",
              "Ruimte;2026;100.000,00", "Ruimte;2025;90.000,00"]
    (HERE / "inhuur_budget.csv").write_text("\n".join(budget) + "\n", encoding="utf-8")


if __name__ == "__main__":
    meldingen_fixi()
    meldingen_historie()
    meldingen_signalen()
    zaken_sociaal()
    inhuur_contracten()
    inhuur_facturen()
    reisdocumenten()
    projecten()
    zaken_wachtlijst()
    vth_vergunningen()
    inhuur_2026()
