"""The HTML report, opened in a real browser (Debian's headless chromium): it renders from
a small run with scenarios, programmes and ledgers; every image is an inline PNG that
decodes, every table has rows, nothing refers outside the page, the page loads without
console errors, and its screenshot is not blank.

    scripts/py tests/report/report_test.py --bin build/hscsim
"""
import argparse
import base64
import html.parser
import os
import shutil
import subprocess
import sys
import tempfile

SRC = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.path.insert(0, os.path.join(SRC, "python"))


class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.images, self.tables, self.rows, self.refs, self.h2 = [], 0, [], [], []
        self._rows = 0
        self._in_h2 = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "img":
            self.images.append(a)
        if tag == "table":
            self.tables += 1
            self._rows = 0
        if tag == "tr":
            self._rows += 1
        if tag == "h2":
            self._in_h2 = True
        for k in ("src", "href"):
            if k in a and not str(a[k]).startswith("data:"):
                self.refs.append(a[k])
        if tag in ("script", "link", "iframe"):
            self.refs.append(tag)

    def handle_endtag(self, tag):
        if tag == "table":
            self.rows.append(self._rows)
        if tag == "h2":
            self._in_h2 = False

    def handle_data(self, data):
        if self._in_h2:
            self.h2.append(data.strip())


def check_page(out, want, min_images, min_tables, fails):
    """The page's sections, inline images, tables and references, then the same page in
    headless Chromium: no console errors, a non-blank screenshot, the same images."""
    page = Page()
    with open(out, encoding="utf-8") as f:
        page.feed(f.read())
    name = os.path.basename(out)
    for w in want:
        if not any(h.startswith(w) for h in page.h2):
            fails.append(f"{name}: section {w!r} missing (have {page.h2})")
    if len(page.images) < min_images:
        fails.append(f"{name}: only {len(page.images)} images")
    for img in page.images:
        src = img.get("src", "")
        if not src.startswith("data:image/png;base64,"):
            fails.append(f"{name}: image not inline: {src[:40]}")
            continue
        if not base64.b64decode(src.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n":
            fails.append(f"{name}: an image does not decode to a PNG")
        if not img.get("alt"):
            fails.append(f"{name}: an image has no alt text")
    if page.tables < min_tables or min(page.rows or [0]) < 2:
        fails.append(f"{name}: {page.tables} tables, rows {page.rows}: a table is missing or empty")
    if page.refs:
        fails.append(f"{name}: references outside the page: {page.refs[:5]}")

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        fails.append("no chromium (scripts/setup installs Debian's chromium)")
        return page
    shot = out + ".png"
    r = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        "--enable-logging=stderr", "--v=0", "--window-size=1200,3000", f"--screenshot={shot}",
                        "file://" + out], capture_output=True, text=True, timeout=120)
    console = [l for l in r.stderr.splitlines() if "CONSOLE" in l or "Uncaught" in l or "Failed to load" in l]
    if console:
        fails.append(f"{name}: console errors: {console[:3]}")
    if not os.path.exists(shot):
        fails.append(f"{name}: no screenshot (chromium exit {r.returncode}): {r.stderr[-300:]}")
    else:
        import matplotlib.image as mpimg
        px = mpimg.imread(shot)[..., :3]
        dark = float((px.mean(axis=2) < 0.5).mean())
        if px.std() < 0.05 or dark < 0.005:
            fails.append(f"{name}: the screenshot looks blank (std {px.std():.3f}, dark share {dark:.4f})")
    dom = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", "file://" + out],
                         capture_output=True, text=True, timeout=120).stdout
    if want[0] not in dom or dom.count("<img") != len(page.images):
        fails.append(f"{name}: the browser's page differs from the file (sections or images missing)")
    return page


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    a = ap.parse_args()
    fails = []
    tmp = tempfile.mkdtemp(prefix="hscsim-report-")
    # A study with a programme, replicates and one uncertain parameter (cost-effectiveness).
    cfg = os.path.join(tmp, "study.yaml")
    with open(cfg, "w") as f:
        f.write(f"extends: {SRC}/configs/tests/tiny.yaml\n"
                "time: {years: 2}\n"
                "run: {replicates: 3}\n"
                "uncertainty:\n  parameters:\n"
                "    - {key: unit_costs.excess_bed_day_gbp, distribution: gamma, mean: 562, sd: 56}\n"
                "scenarios:\n  - name: baseline\n  - name: prevention\n"
                f"    include: {SRC}/configs/interventions/falls_prevention.yaml\n"
                "    set: {interventions.falls_prevention_exercise.start_year: 2025}\n")
    h5 = os.path.join(tmp, "study.h5")
    subprocess.run([a.bin, "run", cfg, "-o", h5, "--quiet"], check=True)
    # A sensitivity analysis of it (Morris, two parameters).
    params = os.path.join(tmp, "params.yaml")
    with open(params, "w") as f:
        f.write("method: morris\ntrajectories: 3\nbootstrap_resamples: 100\nparameters:\n"
                "  - {key: care.hospital.post_discharge_event_rr, lower: 3, upper: 7}\n"
                "  - {key: unit_costs.gp_appointment_gbp, lower: 20, upper: 40}\n"
                "outputs:\n  - {metric: emergency_admissions}\n"
                "  - {metric: cost_total_gbp, scenario: prevention, versus: baseline}\n")
    sens = os.path.join(tmp, "sens.h5")
    subprocess.run([a.bin, "sensitivity", cfg, "--params", params, "--replicates", "1", "-o", sens, "--quiet"], check=True)

    out = os.path.join(tmp, "study.html")
    subprocess.run([os.path.join(SRC, "scripts", "report"), h5, "-o", out, "--sensitivity", sens], check=True)
    page = check_page(out, ["Provenance", "Headline results", "Time series", "Cumulative differences from the baseline",
                            "Money: costs, payers and providers", "Inequality", "Programmes and capacity",
                            "Cost-effectiveness", "Sensitivity: sens.h5"], 12, 9, fails)
    sens_out = os.path.join(tmp, "sens.html")
    subprocess.run([os.path.join(SRC, "scripts", "report"), sens, "-o", sens_out], check=True)
    sens_page = check_page(sens_out, ["Provenance", "Sensitivity"], 2, 4, fails)
    # A results file given as --sensitivity is refused (exit 2), and nothing is written.
    bad = subprocess.run([os.path.join(SRC, "scripts", "report"), h5, "-o", os.path.join(tmp, "bad.html"),
                          "--sensitivity", h5], capture_output=True, text=True)
    if bad.returncode != 2 or os.path.exists(os.path.join(tmp, "bad.html")):
        fails.append(f"--sensitivity with a results file: exit {bad.returncode}, {bad.stderr.strip()}")
    for f_ in fails:
        print("FAIL:", f_)
    print(f"report: {len(page.images)} images, {page.tables} tables; sensitivity page: {len(sens_page.images)} images, "
          f"{sens_page.tables} tables; {len(fails)} failure(s); {out}")
    shutil.rmtree(tmp, ignore_errors=True) if not fails else None
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
