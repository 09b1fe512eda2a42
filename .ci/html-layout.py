#!/usr/bin/env python3
"""Layout check of every example report in headless Chromium (Debian's chromium, driven by
Playwright): on a laptop screen (1280 x 800) and on A4 paper (print media, 794 px wide) no
page is wider than the window (no table or chart runs off the page), every chart's legend
lies below its plot, and the page loads without errors. Screenshots go to $HTML_SHOTS when
set. Run by .ci/html-check when chromium and the playwright package are there.

Usage: html-layout.py REPORT.html...
"""
import os
import sys

from playwright.sync_api import sync_playwright

failures = []
shots = os.environ.get("HTML_SHOTS")
with sync_playwright() as p:
    browser = p.chromium.launch(
        executable_path="/usr/bin/chromium",
        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
              "--disable-component-update", "--disable-sync"],
    )
    for path in sys.argv[1:]:
        name = os.path.basename(path)
        for label, width, media in [("scherm", 1280, "screen"), ("A4", 794, "print")]:
            page = browser.new_page(viewport={"width": width, "height": 800})
            errors = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("requestfailed", lambda r: errors.append(f"request {r.url}"))
            page.emulate_media(media=media)
            page.goto("file://" + os.path.abspath(path))
            scroll = page.evaluate("document.documentElement.scrollWidth")
            if scroll > width:
                failures.append(f"{name} ({label}): {scroll} px wide, the window {width}")
            # Every table fits its box (wide ones scroll only inside their own box on screen).
            wide = page.evaluate("""() => [...document.querySelectorAll('table')]
                .filter(t => t.getBoundingClientRect().right > window.innerWidth + 1).length""")
            if wide:
                failures.append(f"{name} ({label}): {wide} table(s) run off the page")
            # A legend below its plot: the lowest legend text under the x-axis title.
            bad = page.evaluate("""() => [...document.querySelectorAll('svg')].filter(svg => {
                const texts = [...svg.querySelectorAll('text')];
                // Not the rotated y-axis title, which may read 'aantal' too.
                const legend = texts.filter(t => !(t.getAttribute('transform') || '')
                    .includes('rotate') && ['aantal','verwacht','bovengrens','piek',
                    'count','expected','upper bound','peak'].includes(t.textContent.trim()));
                const axis = texts.filter(t => /^week|^maand|^dag|^month|^day/.test(
                    t.textContent.trim()));
                if (!legend.length || !axis.length) return false;
                const top = Math.min(...legend.map(t => t.getBoundingClientRect().top));
                const bottom = Math.max(...axis.map(t => t.getBoundingClientRect().bottom));
                return top < bottom;
            }).length""")
            if bad:
                failures.append(f"{name} ({label}): {bad} chart legend(s) inside the plot")
            if errors:
                failures.append(f"{name} ({label}): {errors}")
            if shots:
                os.makedirs(shots, exist_ok=True)
                page.screenshot(path=os.path.join(shots, f"{name}-{label}.png"), full_page=True)
            page.close()
    browser.close()
for f in failures:
    print("html-layout: " + f)
if failures:
    sys.exit(1)
print(f"html-layout: {len(sys.argv) - 1} reports fit a laptop screen and A4, legends below plots")
