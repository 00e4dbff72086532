"""Offline reveal.js decks: every asset is local, each deck works from file:// with no network,
and every slide fits a 1280x720 screen.

The decks are exported from the lectures executed in static mode (the session fixture `executed`),
with the same exporter settings as ``make slides``. In offline Chromium at 1280x720, every slide
and subslide is visited once MathJax's queue is empty and measured; the test prints, per deck,
how many are taller than the screen (run with ``-s`` or ``-rP`` to see the counts) and fails if
any is. Screenshots of each deck's title, first figure and tallest slide, and of the speaker
view, go to ``build/screenshots/``.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from browser_util import CHROMIUM, CHROMIUM_ARGS
from conftest import SAMPLE_LECTURE

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


# One leaf <section> per slide or subslide; nbconvert nests every slide's subslides in it.
SLIDE_INFO_JS = """([h, v]) => {
  const s = Reveal.getCurrentSlide();
  const title = s.querySelector('h1, h2, h3');
  return {h, v, height: s.scrollHeight, limit: Math.floor(0.95 * Reveal.getConfig().height),
          title: title ? title.textContent.trim() : '',
          figure: !!s.querySelector('img[src^="data:image"]')};
}"""
# Resolves once MathJax 2 has done everything queued so far (the deck typesets the page, then
# re-renders the current slide on every slide change), and the browser has laid the page out.
MATHJAX_IDLE_JS = """() => new Promise(resolve => MathJax.Hub.Queue(
  () => requestAnimationFrame(() => requestAnimationFrame(() => resolve(true)))))"""


def visit_all_slides(page, shots_dir: Path | None = None, stem: str = "deck") -> list[dict]:
    """Visit every slide and subslide of the reveal.js deck open in ``page``.

    Each slide is measured after MathJax's queue is empty. Returns one dict per slide: ``h``,
    ``v`` (reveal.js indices), ``height`` (the content's height in slide pixels), ``limit``
    (95% of the configured 720 px: nbconvert's reveal template gives a taller slide a scroll bar,
    so its bottom is off screen), ``title`` and ``figure`` (holds an embedded image). With
    ``shots_dir``, saves a screenshot of the title slide, of the first slide with a figure and
    of the tallest slide.
    """
    page.wait_for_selector(".reveal.ready", state="attached", timeout=30_000)
    # The deck loads reveal.js as a require.js module (no global): ask require.js for it.
    page.evaluate(
        "url => new Promise(resolve => require([url], R => { window.Reveal = R; resolve(); }))",
        f"{build.ASSET_URLS['reveal_url_prefix']}/dist/reveal.js",
    )
    page.wait_for_function("window.MathJax && MathJax.Hub && MathJax.isReady === true",
                           timeout=60_000)
    page.evaluate(MATHJAX_IDLE_JS)
    page.evaluate("Reveal.configure({transition: 'none', backgroundTransition: 'none'})")
    counts = page.evaluate(
        "Reveal.getHorizontalSlides().map(s => s.querySelectorAll(':scope > section').length)"
    )
    slides, shots = [], {}
    for h, n in enumerate(counts):
        for v in range(max(n, 1)):
            page.evaluate("([h, v]) => Reveal.slide(h, v)", [h, v])
            page.evaluate(MATHJAX_IDLE_JS)
            info = page.evaluate(SLIDE_INFO_JS, [h, v])
            slides.append(info)
            if shots_dir is None:
                continue
            if not shots:
                shots["title"] = info
                page.screenshot(path=str(shots_dir / f"{stem}_title.png"))
            if info["figure"] and "figure" not in shots:
                shots["figure"] = info
                page.screenshot(path=str(shots_dir / f"{stem}_figure.png"))
            if info["height"] > shots.get("tallest", {"height": 0})["height"]:
                shots["tallest"] = info
                page.screenshot(path=str(shots_dir / f"{stem}_tallest.png"))
    return slides


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


def _offline_page(browser):
    ctx = browser.new_context(offline=True, viewport={"width": 1280, "height": 720})
    page = ctx.new_page()
    log = {"errors": [], "remote": []}
    page.on("console", lambda m: log["errors"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: log["errors"].append(str(e)))
    page.on("request", lambda r: None if r.url.startswith(("file:", "data:", "about:"))
            else log["remote"].append(r.url))
    return ctx, page, log


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Debian's chromium is needed: apt-get install chromium"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("path", LECTURES, ids=IDS)
def test_deck_in_offline_chromium(decks, browser, path):
    """Every slide of the deck, visited at 1280x720 once MathJax is done, fits the screen."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    ctx, page, log = _offline_page(browser)
    try:
        page.goto(decks[path.stem].as_uri())
        slides = visit_all_slides(page, shots_dir=SCREENSHOTS, stem=path.stem)
        n_sections = page.evaluate("document.querySelectorAll('.reveal .slides > section').length")
        n_notes = page.evaluate("document.querySelectorAll('.reveal aside.notes').length")
    finally:
        ctx.close()
    tall = [s for s in slides if s["height"] > s["limit"]]
    print(f"\n{path.stem}: {len(tall)} of {len(slides)} slides taller than the screen "
          f"(content > {slides[0]['limit']} px of 720)")
    assert n_sections == _slide_cells(path), "one reveal.js section per 'slide' cell"
    assert any(s["figure"] for s in slides), "no slide with an embedded figure"
    assert n_notes >= 4, f"{n_notes} slides with speaker notes, expected at least 4"
    assert not tall, "slides taller than the screen:\n" + "\n".join(
        f"  #/{s['h']}/{s['v']} {s['height']} px {s['title'][:60]!r}" for s in tall)
    assert not log["errors"], f"console errors: {log['errors']}"
    assert not log["remote"], f"network requests: {log['remote']}"


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("path", [p for p in LECTURES if p.stem == SAMPLE_LECTURE],
                         ids=[SAMPLE_LECTURE])
def test_speaker_view_shows_notes_offline(decks, browser, path):
    """S opens reveal.js's speaker view (the notes plugin from the local assets), with notes."""
    stem = path.stem
    ctx, page, log = _offline_page(browser)
    try:
        page.goto(decks[stem].as_uri())
        visit_all_slides(page)
        index = page.evaluate(
            """(() => { const s = Reveal.getSlides().findIndex(e => e.querySelector('aside.notes'));
                      const i = Reveal.getIndices(Reveal.getSlides()[s]);
                      Reveal.slide(i.h, i.v); return s; })()"""
        )
        assert index >= 0, f"no slide with speaker notes in {stem}"
        expected = page.evaluate(
            "Reveal.getCurrentSlide().querySelector('aside.notes').textContent.trim()")
        with ctx.expect_page(timeout=30_000) as popup_info:
            page.keyboard.press("s")
        popup = popup_info.value
        popup.wait_for_function(
            "t => { const n = document.querySelector('.speaker-controls-notes .value');"
            " return n && n.textContent.includes(t); }",
            arg=expected[:40], timeout=30_000,
        )
        popup.set_viewport_size({"width": 1280, "height": 720})
        popup.wait_for_timeout(1500)
        popup.screenshot(path=str(SCREENSHOTS / f"{stem}_speaker_view.png"))
    finally:
        ctx.close()
    assert not log["remote"], f"network requests: {log['remote']}"
