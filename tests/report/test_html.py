"""The HTML page: self-contained, every claim with its verdict. Checked with html.parser always,
and in a real headless browser (Chromium through Playwright) when one is installed."""
from __future__ import annotations

import base64
import os
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from robustsuite.report.build import build_report

PNG = b"\x89PNG\r\n\x1a\n"


class _Page(HTMLParser):
    """Claims-table rows (claim id -> verdict), images, links and ids of the page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids, self.links, self.images, self.claims = set(), [], [], {}
        self._table = self._row = None
        self._cells: list[str] = []
        self._verdict = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        if tag == "img":
            self.images.append(a["src"])
        if tag == "table":
            self._table = a.get("class")
        if tag == "tr":
            self._cells, self._verdict = [], None
        if tag == "td":
            self._cells.append("")
        if tag == "span" and "data-verdict" in a and self._verdict is None:
            self._verdict = a["data-verdict"]

    def handle_data(self, data):
        if self._cells:
            self._cells[-1] += data

    def handle_endtag(self, tag):
        if tag == "tr" and self._table == "claims" and self._cells:
            self.claims[self._cells[0].strip()] = self._verdict


@pytest.fixture(scope="module")
def report(shared_run, tmp_path_factory):
    return build_report(shared_run, tmp_path_factory.mktemp("html") / "report")


def _expected(report):
    return {s.id: s.verdict for s in report.statuses}


def test_html_lists_every_claim_with_its_verdict_and_is_self_contained(report):
    page = _Page()
    page.feed(report.files["html"].read_text())
    expected = _expected(report)
    assert page.claims == expected
    assert expected["C003-7.01"] == "refuted" and expected["C003-4.04"] == "reproduced"
    assert len(page.images) == len(report.plots) == 3
    for src in page.images:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1]).startswith(PNG)
    for href in page.links:
        if href.startswith("#"):
            assert href[1:] in page.ids, href
        else:
            assert (report.out_dir / href).is_file(), href


def _browser() -> str | None:
    for name in (os.environ.get("ROBUSTSUITE_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


def test_html_in_a_real_headless_browser(report):
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed "
                                   "(pip install playwright; a Chromium from `apt-get install chromium`)")
    path = _browser()
    with sync_api.sync_playwright() as p:
        if path is None and not Path(p.chromium.executable_path).exists():
            pytest.skip("no Chromium found: apt-get install chromium (or `playwright install chromium`), "
                        "or set ROBUSTSUITE_CHROMIUM")
        browser = p.chromium.launch(executable_path=path, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            errors = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(report.files["html"].resolve().as_uri())
            page.wait_for_load_state("load")
            assert page.title().startswith("robustsuite report")
            shown = page.evaluate("""() => Object.fromEntries(Array.from(
                document.querySelectorAll('table.claims tbody tr')).map(r => [
                    r.cells[0].innerText.trim(), r.querySelector('[data-verdict]').innerText.trim()]))""")
            assert shown == _expected(report)
            images = page.evaluate("() => Array.from(document.images).map(i => [i.complete, i.naturalWidth])")
            assert len(images) == 3 and all(done and width > 100 for done, width in images), images
            assert page.locator("table.claims").is_visible() and page.locator("#plots").is_visible()
            page.click("a[href='#res-C003-4.04']")
            assert page.evaluate("() => location.hash") == "#res-C003-4.04"
            assert not errors, errors
        finally:
            browser.close()
