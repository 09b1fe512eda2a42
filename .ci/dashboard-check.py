#!/usr/bin/env python3
"""Browser test of the example dashboards (docs/dashboard.md), in headless Chromium (Debian's
chromium, driven by Playwright for Python; no browser download). For each dashboard:

- it loads with no console error, no page error and no request outside the file (only file:,
  data: and blob: addresses), and is interactive (the script has drawn every panel) within
  1 second;
- a filter changed with the keyboard shows the figures the subcommand gives for that filter
  (`datastroom waitlist --preset jeugd --gemeente Duiven`, `datastroom peaks --filter ...`),
  read from the tiles as a reader sees them;
- legends toggle, tooltips show exact values (and an alarm's drivers), each panel downloads
  its table as CSV for Excel; nothing runs off a 1280 or a 390 pixel wide screen;
- axe-core (WCAG 2.1 A and AA) finds no serious or critical violation;
- screenshots (screen and print) go to $DASH_SHOTS (or a temporary folder) to look at.

Usage: dashboard-check.py BIN WAREHOUSE DASHBOARD_DIR AXE_JS
"""
import datetime
import json
import os
import subprocess
import sys
import tempfile

from playwright.sync_api import sync_playwright

BIN, WAREHOUSE, DIR, AXE = sys.argv[1:5]
AS_OF = "2024-07-01"
SHOTS = os.environ.get("DASH_SHOTS") or tempfile.mkdtemp(prefix="dash-shots-")
failures = []


def sub(*args):
    """The subcommand's JSON for the same filter."""
    out = subprocess.run([BIN, "-q", "--warehouse", WAREHOUSE, "--as-of", AS_OF, *args,
                          "--format", "json"], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def dutch(x, decimals=None):
    """A number as the dashboard writes it in Dutch (1.234 or 12,34)."""
    if x is None:
        return "niet bereikt"
    x = round(float(x), 2)
    if decimals is None:
        decimals = 0 if x == int(x) else 2
    s = f"{x:,.{decimals}f}"
    return s.replace(",", "_").replace(".", ",").replace("_", ".")


def tile(page, key):
    """A tile's number, without its unit."""
    return page.locator(f'.tile[data-key="{key}"] .tile-value').first.evaluate(
        "e => e.firstChild.textContent")


def tile_sub(page, key):
    return page.locator(f'.tile[data-key="{key}"] .tile-sub').all_inner_texts()


def choose(page, label, text):
    """Chooses a filter value with the keyboard: focus the list box, arrow to the value."""
    box = page.get_by_label(label, exact=True)
    options = box.locator("option").all_inner_texts()
    if text not in options:
        failures.append(f"filter {label}: no value {text} (has {options})")
        return
    box.focus()
    current = int(box.input_value())
    target = options.index(text)
    for _ in range(abs(target - current)):
        page.keyboard.press("ArrowDown" if target > current else "ArrowUp")
    if box.input_value() != str(target):
        failures.append(f"filter {label}: the arrow keys did not reach {text}")


def open_page(browser, path, name):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems = []
    page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))

    def request(r):
        if not r.url.startswith(("file:", "data:", "blob:")):
            problems.append(f"request to {r.url}")
    page.on("request", request)
    page.goto("file://" + os.path.abspath(path))
    page.wait_for_selector("html[data-ready]", timeout=10000)
    ready = float(page.get_attribute("html", "data-ready"))
    print(f"{name}: interactive after {ready:.0f} ms, {os.path.getsize(path) / 1e6:.2f} MB")
    if ready > 1000:
        failures.append(f"{name}: interactive after {ready:.0f} ms (more than 1 second)")
    if os.path.getsize(path) > 3_000_000:
        failures.append(f"{name}: {os.path.getsize(path)} bytes (more than 3 MB)")
    return page, problems


def fits(browser, path, name):
    """No part of the page runs off a laptop or a phone screen (wide tables scroll in their box)."""
    for width in (1280, 390):
        page = browser.new_page(viewport={"width": width, "height": 800})
        page.goto("file://" + os.path.abspath(path))
        page.wait_for_selector("html[data-ready]")
        wide = page.evaluate("document.documentElement.scrollWidth")
        if wide > width:
            failures.append(f"{name}: {wide} px wide in a window of {width}")
        page.close()


def axe(page, name):
    page.add_script_tag(path=AXE)
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
        return r.violations.map(v => ({id: v.id, impact: v.impact, n: v.nodes.length,
            help: v.help, target: v.nodes[0].target}));
    }""")
    for v in result:
        print(f"{name}: axe {v['impact']}: {v['id']} ({v['n']}x) {v['help']} {v['target']}")
        if v["impact"] in ("serious", "critical"):
            failures.append(f"{name}: axe {v['id']} ({v['impact']})")
    print(f"{name}: axe-core found {len(result)} violation(s)")


def shots(page, name):
    page.screenshot(path=os.path.join(SHOTS, f"{name}-scherm.png"), full_page=True)
    page.emulate_media(media="print")
    page.screenshot(path=os.path.join(SHOTS, f"{name}-print.png"), full_page=True)
    page.emulate_media(media="screen")


def check_download(page, name):
    with page.expect_download() as d:
        page.locator("button.dl").first.click()
    data = open(d.value.path(), "rb").read()
    if not data.startswith(b"\xef\xbb\xbf") or b";" not in data.split(b"\n")[0]:
        failures.append(f"{name}: the download is not CSV for Excel: {data[:80]!r}")


def check_waitlist(browser):
    name = "wachtlijsten"
    page, problems = open_page(browser, os.path.join(DIR, "wachtlijsten.html"), name)
    fits(browser, os.path.join(DIR, "wachtlijsten.html"), name)
    choose(page, "Wet en termijn", "Jeugd: beschikking (8 weken)")
    choose(page, "Gemeente", "Duiven")
    page.wait_for_function("document.getElementById('status').textContent.includes('Duiven')")
    want = sub("waitlist", "--preset", "jeugd", "--gemeente", "Duiven")[0]
    got = {k: tile(page, k) for k in ["open", "open_past_term", "within_term_pct_3m",
                                      "median_days"]}
    expect = {"open": dutch(want["open"]), "open_past_term": dutch(want["open_past_term"]),
              "within_term_pct_3m": dutch(want["within_term_pct_3m"]),
              "median_days": dutch(want["median_days"])}
    for k in expect:
        if got[k] != expect[k]:
            failures.append(f"{name}: tile {k} shows {got[k]}, the subcommand gives {expect[k]}")
    interval = tile_sub(page, "median_days")[0]
    lo, hi = dutch(want["median_ci_lower"]), dutch(want["median_ci_upper"])
    if f"{lo} \u2013 {hi}" not in interval:
        failures.append(f"{name}: median interval '{interval}', the subcommand {lo} - {hi}")
    print(f"{name}: Jeugd, Duiven: tiles {got} = waitlist --preset jeugd --gemeente Duiven")
    # The previous quarter: the subcommand at the as-of date minus 3 months.
    before = subprocess.run([BIN, "-q", "--warehouse", WAREHOUSE, "--as-of", "2024-04-01",
                             "waitlist", "--preset", "jeugd", "--gemeente", "Duiven",
                             "--format", "json"], check=True, capture_output=True, text=True)
    prev = json.loads(before.stdout)[0]["open"]
    if f"vorig kwartaal: {dutch(prev)}" not in " ".join(tile_sub(page, "open")):
        failures.append(f"{name}: open a quarter earlier is not {prev}: {tile_sub(page, 'open')}")
    # A legend toggles its line; the chart answers the arrow keys with a tooltip.
    button = page.locator("#p2 .legend button").first
    button.click()
    if button.get_attribute("aria-pressed") != "false":
        failures.append(f"{name}: the legend button did not toggle")
    button.click()
    page.locator("#p1 svg[role=group]").first.focus()
    page.keyboard.press("End")
    text = page.inner_text("#tip")
    if "01-07-2024" not in text or "mediaan" not in text:
        failures.append(f"{name}: the trend's tooltip at the end shows '{text}'")
    check_download(page, name)
    shots(page, name)
    axe(page, name)
    failures.extend(f"{name}: {p}" for p in problems)


def check_peaks(browser):
    name = "meldingen"
    page, problems = open_page(browser, os.path.join(DIR, "meldingen.html"), name)
    fits(browser, os.path.join(DIR, "meldingen.html"), name)
    choose(page, "Gemeente", "Zevenaar")
    choose(page, "Categorie", "Groen")
    page.wait_for_function("document.getElementById('status').textContent.includes('Groen')")
    judged = sub("peaks", "--by", "none", "--filter", "gemeente=Zevenaar", "--filter",
                 "categorie=Groen", "--all", "--from", "2024-06-24")
    last = max(judged, key=lambda r: r["period_start"])
    got = tile(page, "this_week")
    if got != dutch(last["observed"]):
        failures.append(f"{name}: this week shows {got}, the subcommand {last['observed']}")
    sub_text = " ".join(tile_sub(page, "this_week"))
    if f"verwacht {dutch(last['expected'])}" not in sub_text:
        failures.append(f"{name}: expected '{sub_text}', the subcommand {last['expected']}")
    print(f"{name}: Zevenaar, Groen: this week {got} (expected {dutch(last['expected'])}) = "
          "peaks --filter gemeente=Zevenaar --filter categorie=Groen")
    # An alarm: hovering its mark shows what drove it.
    mark = page.locator("#p1 circle.mark").last
    if mark.count() == 0:
        failures.append(f"{name}: no alarm marked in Groen")
    else:
        mark.hover()
        text = page.inner_text("#tip")
        if "ALARM" not in text or "verklaring" not in text:
            failures.append(f"{name}: the alarm's tooltip shows '{text}'")
    # The alarms panel shows 104 weeks: from 103 weeks before the last complete week.
    first = (datetime.date(2024, 6, 24) - datetime.timedelta(weeks=103)).isoformat()
    alarms = sub("peaks", "--filter", "gemeente=Zevenaar", "--filter", "categorie=Groen",
                 "--from", first)
    rows = page.locator("#p3 tbody tr").count()
    if rows != len(alarms):
        failures.append(f"{name}: {rows} alarms in the table, the subcommand {len(alarms)}")
    check_download(page, name)
    choose(page, "Categorie", "alle")
    page.wait_for_function("!document.getElementById('status').textContent.includes('Groen')")
    shots(page, name)
    axe(page, name)
    failures.extend(f"{name}: {p}" for p in problems)


with sync_playwright() as p:
    browser = p.chromium.launch(
        executable_path="/usr/bin/chromium",
        args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--disable-background-networking", "--disable-component-update",
              "--disable-sync", "--no-first-run", "--disable-quic"],
    )
    check_waitlist(browser)
    check_peaks(browser)
    browser.close()

print(f"dashboard-check: screenshots in {SHOTS}")
if failures:
    print("dashboard-check: FAILED\n  " + "\n  ".join(failures))
    sys.exit(1)
print("dashboard-check: both dashboards pass")
