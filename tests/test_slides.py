"""Offline reveal.js decks: every asset is local, and each deck works from file:// with no network.

The decks are exported from the lectures executed in static mode (the session fixture `executed`),
with the same exporter settings as ``make slides``.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from browser_util import CHROMIUM, CHROMIUM_ARGS

from coursetools import build
from coursetools.notebooks import ROOT, lecture_paths

LECTURES = lecture_paths()
IDS = [p.stem for p in LECTURES]
SCREENSHOTS = ROOT / "build" / "screenshots"
# Assets the page would load from the network: src= of script/img/iframe/media, href= of
# <link>, CSS url(...) and @import, ES module imports. (A hyperlink <a href="https://..."> to a
# reference is not an asset: the deck works without following it.)
REMOTE_ASSET = re.compile(
    r"""(?:<(?:script|img|iframe|source|video|audio|embed)\b[^>]*?\bsrc\s*=\s*["']"""
    r"""|<link\b[^>]*?\bhref\s*=\s*["']|url\(\s*["']?|@import\s+["']"""
    r"""|import\s+\w+\s+from\s+["'])https?://"""
    # ... and any quoted script or style sheet URL, e.g. one a script injects
    r"""|["']https?://[^"'\s]+\.(?:m?js|css)\b""",
    re.I,
)


@pytest.fixture(scope="session")
def decks(executed, tmp_path_factory):
    """{stem: path of the exported deck} in a temporary folder beside a copy of the assets."""
    out = tmp_path_factory.mktemp("slides")
    assets = build.install_slide_assets()
    shutil.copytree(assets / "node_modules", out / "assets" / "node_modules", symlinks=True)
    paths = {}
    for path in LECTURES:
        if (path.stem, "static") not in executed:  # deselected (pytest -k)
            continue
        body = build.slides_html(executed[(path.stem, "static")].nb, path.stem)
        paths[path.stem] = out / f"{path.stem}.slides.html"
        paths[path.stem].write_text(body, encoding="utf-8")
    return paths


def _slide_cells(path: Path) -> int:
    import nbformat

    nb = nbformat.read(path, as_version=4)
    return sum(1 for c in nb.cells if c.metadata.get("slideshow", {}).get("slide_type") == "slide")


def test_remote_asset_pattern_catches_cdn_links():
    """The pattern used below must flag the CDN references nbconvert emits by default."""
    assert REMOTE_ASSET.search('<script src="https://cdn.jsdelivr.net/npm/reveal.js@4/dist/reveal.js">')
    assert REMOTE_ASSET.search("@import url(https://fonts.googleapis.com/css?family=Lato);")
    assert REMOTE_ASSET.search('<link rel="stylesheet" href="https://unpkg.com/x/reveal.css">')
    assert REMOTE_ASSET.search("<script>var s = 'x';</script><script src='https://unpkg.com/a.js'>")
    assert not REMOTE_ASSET.search('<script src="assets/node_modules/requirejs/require.js">')
    assert REMOTE_ASSET.search("var src = 'https://unpkg.com/@jupyter-widgets/html-manager@*/dist/embed-amd.js';")
    assert not REMOTE_ASSET.search('<a href="https://arxiv.org/abs/1609.04747">Ruder</a>')


@pytest.mark.slow
@pytest.mark.parametrize("path", LECTURES, ids=IDS)
def test_deck_has_no_remote_assets(decks, path):
    html = decks[path.stem].read_text(encoding="utf-8")
    remote = REMOTE_ASSET.findall(html)
    assert not remote, f"remote asset references in {path.stem}: {remote[:5]}"
    assert "data:image/png;base64" in html, "figures must be embedded"
    # Every local asset the deck names exists.
    for ref in re.findall(r'(?:src|href)="(assets/[^"?#]+)', html):
        assert (decks[path.stem].parent / ref).exists(), f"missing asset {ref}"


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("path", LECTURES, ids=IDS)
def test_deck_in_offline_chromium(decks, path):
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Debian's chromium is needed: apt-get install chromium"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    errors, remote = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            ctx = browser.new_context(offline=True, viewport={"width": 1280, "height": 720})
            page = ctx.new_page()
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on(
                "request",
                lambda r: None if r.url.startswith(("file:", "data:")) else remote.append(r.url),
            )
            page.goto(decks[path.stem].as_uri())
            page.wait_for_selector(".reveal.ready", state="attached", timeout=30_000)
            page.wait_for_function(
                "document.querySelectorAll('.MathJax_CHTML, mjx-container').length > 0",
                timeout=30_000,
            )
            n_slides = page.evaluate(
                "document.querySelectorAll('.reveal .slides > section').length"
            )
            page.screenshot(path=str(SCREENSHOTS / f"{path.stem}_title.png"))
            # First slide whose content holds a figure: navigate there and screenshot it.
            index = page.evaluate(
                """[...document.querySelectorAll('.reveal .slides > section')]
                   .findIndex(s => s.querySelector('img[src^="data:image"]'))"""
            )
            if index >= 0:
                page.evaluate(f"location.hash = '#/{index}'")
                page.wait_for_timeout(800)
                page.screenshot(path=str(SCREENSHOTS / f"{path.stem}_figure.png"))
        finally:
            browser.close()
    assert n_slides == _slide_cells(path), "one reveal.js section per 'slide' cell"
    assert index >= 0, "no slide with an embedded figure"
    assert not errors, f"console errors: {errors}"
    assert not remote, f"network requests: {remote}"
