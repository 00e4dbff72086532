"""Accessibility (WCAG 2.1 AA) of figures, built pages and decks (issue 19).

Fast tests check the mechanism: ``helpers.describe`` puts a figure's description into the
output (``text/plain`` and ``metadata["image/png"]["alt"]``) in a real kernel, explorers
update it, and the course's HTML and slides exporters write it into ``<img alt=...>`` with
the accessible syntax colours. The browser test runs axe-core (npm, pinned by
``coursetools/a11y/package-lock.json``) in Chromium on every page in ``build/html`` and on
every slide of every deck in ``build/slides`` (run ``python -m coursetools.build lectures
slides`` first) and prints the violations per page: no serious or critical violation, and
no image without a real description, are allowed.
"""

from __future__ import annotations

import copy
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import nbformat  # noqa: E402
import pytest  # noqa: E402

from coursetools import a11y  # noqa: E402
from coursetools.build import ASSET_URLS  # noqa: E402
from coursetools.notebooks import ROOT, execute_notebook  # noqa: E402
from helpers.accessibility import (  # noqa: E402
    AUTO_PREFIX,
    PALETTE,
    describe,
    description_of,
    method_style,
)

BUILD = ROOT / "build"


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# --- helpers.accessibility -----------------------------------------------------------------
def test_describe_stores_normalized_text_and_validates():
    fig, ax = plt.subplots()
    assert describe(ax, "  Two\n lines:  one text. ") is None
    assert description_of(fig) == "Two lines: one text."
    describe(fig, "replaced")
    assert description_of(ax) == "replaced"
    with pytest.raises(TypeError, match="Figure"):
        describe("not a figure", "x")
    with pytest.raises(TypeError, match="str"):
        describe(fig, 3)
    with pytest.raises(ValueError, match="describe"):
        describe(fig, "   ")


def test_generated_summary_names_panels_labels_and_curves():
    fig, (a, b) = plt.subplots(1, 2)
    a.plot([1, 2], label="GD")
    a.plot([2, 1], label="Newton")
    a.set_title("Convergence")
    b.set_xlabel("$x_1$")
    text = description_of(fig)
    assert text.startswith(AUTO_PREFIX)
    assert "2 panels" in text and "'Convergence'" in text and "GD, Newton" in text
    assert "x_1 from" in text


def test_palette_is_the_default_cycle_and_styles_differ():
    import helpers  # noqa: F401  (sets the cycle)

    cycle = [c.lower() for c in matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]]
    assert cycle == [c.lower() for c in PALETTE]
    styles = [method_style(i) for i in range(len(PALETTE))]
    assert len({(s["linestyle"], s["marker"]) for s in styles}) == len(PALETTE)
    assert method_style(len(PALETTE)) == method_style(0)
    with pytest.raises(ValueError):
        method_style(-1)


# --- the description in a real kernel and in the exported HTML / deck ---------------------
CELLS = [
    """\
import matplotlib.pyplot as plt
import helpers
fig, ax = plt.subplots()
ax.plot([3, 2, 1], label="GD")
helpers.describe(fig, "The loss falls from 3 to 1 <quickly> & steadily.")""",
    """\
fig, ax = plt.subplots()
ax.plot([1, 2], label="undescribed")""",
    """\
def draw(lr=0.5):
    fig, ax = plt.subplots()
    ax.plot([(1 - lr) ** k for k in range(5)])
    return f"Geometric decay with factor {1 - lr:.2f}."
helpers.interactive_plot(draw, lr=(0.1, 0.9))""",
]


@pytest.fixture(scope="module")
def described_nb(tmp_path_factory):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(src) for src in CELLS]
    for cell in nb.cells:
        cell.metadata["slideshow"] = {"slide_type": "slide"}
    path = tmp_path_factory.mktemp("a11y") / "described.ipynb"
    nbformat.write(nb, path)
    res = execute_notebook(path, static=True)
    assert res.ok, (res.error, res.stderr)
    return res.nb


def _image_outputs(cell):
    return [o for o in cell.outputs if "image/png" in o.get("data", {})]


def test_kernel_output_carries_the_description(described_nb):
    (out,) = _image_outputs(described_nb.cells[0])
    text = "The loss falls from 3 to 1 <quickly> & steadily."
    assert out.metadata["image/png"]["alt"] == text
    assert out.data["text/plain"] == text
    (auto,) = _image_outputs(described_nb.cells[1])
    assert auto.metadata["image/png"]["alt"].startswith(AUTO_PREFIX)
    assert "undescribed" in auto.metadata["image/png"]["alt"]


def test_explorer_description_follows_the_controls(described_nb):
    (out,) = _image_outputs(described_nb.cells[2])
    assert out.metadata["image/png"]["alt"] == "Geometric decay with factor 0.50."


def _alts(body: str) -> list[str]:
    return re.findall(r'<img [^>]*alt="([^"]*)"', body)


def test_html_and_slides_exports_write_the_alt_text(described_nb):
    from nbconvert import HTMLExporter

    from coursetools.build import slides_html

    nb = copy.deepcopy(described_nb)
    body, _ = a11y.configure_exporter(HTMLExporter()).from_notebook_node(nb)
    alts = _alts(body)
    assert "The loss falls from 3 to 1 &lt;quickly&gt; &amp; steadily." in alts
    assert "Geometric decay with factor 0.50." in alts
    assert not any(a.startswith("No description") for a in alts)
    assert described_nb.cells[0].outputs[0].data.keys() == nb.cells[0].outputs[0].data.keys() - {
        "text/html"}, "the preprocessor must not change the source notebook"
    # the accessible pygments style replaces the lab theme's low-contrast colours
    assert ".highlight .m { color: #008800" not in body
    deck = slides_html(described_nb, "described")
    assert "Geometric decay with factor 0.50." in _alts(deck)
    assert 'id="optml-a11y"' in deck and 'id="optml-a11y"' not in body  # css added by build


def test_describe_images_skips_outputs_without_description():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"image/png": "AAAA"})]
    nb.cells = [cell]
    assert a11y.describe_images(nb) == 0 and "text/html" not in cell.outputs[0].data
    cell.outputs[0].metadata = {"image/png": {"alt": 'a "b"', "width": 300}}
    assert a11y.describe_images(nb) == 1
    assert cell.outputs[0].data["text/html"] == (
        '<img src="data:image/png;base64,AAAA" alt="a &quot;b&quot;" width="300">')


# --- axe-core on the built pages and decks ---------------------------------------------------
PAGES = sorted((BUILD / "html").glob("[0-9][0-9]_*.html"))
DECKS = sorted((BUILD / "slides").glob("[0-9][0-9]_*.slides.html"))
BAD = ("serious", "critical")


def _report(rows):
    print("\n| page | serious/critical violations x nodes | images without a written "
          "description (generated summary) | images without any description |")
    print("|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(str(c) for c in row) + " |")


def _generated_summaries(page) -> int:
    return page.evaluate(
        "(p) => Array.from(document.querySelectorAll('img')).filter("
        "i => (i.getAttribute('alt') || '').startsWith(p)).length", AUTO_PREFIX)


def audit_page(page, path: Path, axe: Path):
    """axe on one HTML page: (serious/critical violations, images without description)."""
    page.goto(path.resolve().as_uri(), wait_until="load")
    bad = [v for v in a11y.axe_violations(page, axe) if v["impact"] in BAD]
    return bad, a11y.image_alt_problems(page)


def audit_deck(page, path: Path, axe: Path):
    """axe on every slide of a deck, each visited: (violations, missing alts, slides, keys ok)."""
    page.goto(path.resolve().as_uri(), wait_until="load")
    page.wait_for_selector(".reveal.ready", state="attached", timeout=60_000)
    # reveal.js is a require.js module in the deck (no global): ask require.js for it
    page.evaluate("url => new Promise(resolve => require([url], R => {"
                  " window.Reveal = R; resolve(); }))",
                  f"{ASSET_URLS['reveal_url_prefix']}/dist/reveal.js")
    page.wait_for_function("window.MathJax && MathJax.Hub && MathJax.isReady === true",
                           timeout=120_000)
    page.evaluate("Reveal.configure({transition: 'none', backgroundTransition: 'none'})")
    n = page.evaluate("Reveal.getSlides().length")
    found: dict[str, dict] = {}

    def add(violations):
        for v in violations:
            if v["impact"] in BAD:
                found.setdefault(v["id"], dict(v, nodes=[]))["nodes"] += v["nodes"]

    # every slide visited (the state a viewer sees): all rules but colour contrast, which is
    # the slow one and is checked below on all slides at once
    for k in range(n):
        page.evaluate("(k) => { const s = Reveal.getSlides()[k];"
                      " const i = Reveal.getIndices(s); Reveal.slide(i.h, i.v); }", k)
        page.wait_for_timeout(50)
        add(a11y.axe_violations(page, axe, ".reveal .slides section.present",
                                skip=["color-contrast"]))
    missing = a11y.image_alt_problems(page)
    # keyboard: the right arrow moves on; the notes plugin ("s", speaker view) is loaded
    page.evaluate("Reveal.slide(0, 0)")
    page.locator(".reveal").click(position={"x": 5, "y": 5})
    page.keyboard.press("ArrowRight")
    moved = page.evaluate("Reveal.getIndices().h + Reveal.getIndices().v") > 0 or n == 1
    notes = page.evaluate("Reveal.hasPlugin('notes') && Reveal.getConfig().keyboard !== false")
    # colour contrast of every slide: lay all slides out visible, one run
    page.add_style_tag(content=a11y.SHOW_ALL_SLIDES_CSS)
    page.wait_for_timeout(200)
    add(v for v in a11y.axe_violations(page, axe, ".reveal .slides") if v["id"] == "color-contrast")
    return list(found.values()), missing, n, bool(moved and notes)


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.skipif(not PAGES and not DECKS, reason="run `python -m coursetools.build "
                    "lectures slides` first (no build/html, build/slides)")
def test_axe_finds_no_serious_violation_on_pages_and_decks():
    """Pages and decks are audited by :data:`AUDIT_THREADS` browsers at once (one Chromium and
    one playwright per thread: the sync API is per thread), every page in its own tab."""
    axe = a11y.install_axe(BUILD)
    items = [("page", p) for p in PAGES] + [("deck", p) for p in DECKS]
    # biggest first (decks), dealt round-robin, so both threads finish at about the same time
    order = sorted(range(len(items)), key=lambda i: -items[i][1].stat().st_size)
    shares = [order[k::AUDIT_THREADS] for k in range(AUDIT_THREADS)]
    with ThreadPoolExecutor(max_workers=AUDIT_THREADS) as pool:
        done = [pool.submit(_audit_share, [(i, *items[i]) for i in share], axe)
                for share in shares if share]
        results = dict(kv for future in done for kv in future.result().items())
    rows, failures = [], []
    for i in sorted(results):
        row, failure = results[i]
        rows.append(row)
        if failure:
            failures.append(failure)
    _report(rows)
    assert not failures, failures


#: browsers auditing at once (the machine's two cores)
AUDIT_THREADS = 2


def _audit_share(share, axe: Path) -> dict:
    """{index: (report row, failure or None)} for (index, kind, path) items, in one browser."""
    from browser_util import chromium
    from playwright.sync_api import sync_playwright

    out = {}
    with sync_playwright() as p, chromium(p) as browser:
        for i, kind, path in share:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.set_default_timeout(300_000)
            try:
                if kind == "page":
                    bad, missing = audit_page(page, path, axe)
                    row = (path.name, a11y.summarize(bad), _generated_summaries(page),
                           len(missing))
                    failure = (path.name, bad[:3], missing[:3]) if bad or missing else None
                else:
                    bad, missing, n, keys = audit_deck(page, path, axe)
                    row = (f"{path.name} ({n} slides)", a11y.summarize(bad),
                           _generated_summaries(page), len(missing))
                    failure = ((path.name, bad[:3], missing[:3], f"keyboard/notes {keys}")
                               if bad or missing or not keys else None)
            finally:
                page.close()
            print(row, flush=True)
            out[i] = (row, failure)
    return out


# --- JupyterLab: the description as the alt of a text/html <img> (live kernels) --------------
LIVE_CELL = """\
import matplotlib.pyplot as plt
from matplotlib.backend_bases import FigureCanvasBase
from IPython.display import display
import helpers
renders = []
_print_figure = FigureCanvasBase.print_figure
def counting(self, *args, **kwargs):
    renders.append(1)
    return _print_figure(self, *args, **kwargs)
FigureCanvasBase.print_figure = counting
fig, ax = plt.subplots()
ax.plot([3, 2, 1])
helpers.describe(fig, 'Falls "fast" & <far>.')
display(fig)
plt.close(fig)
print("renders", len(renders))"""


@pytest.mark.parametrize("static", [False, True], ids=["live", "static"])
def test_figure_html_carries_the_description_in_live_kernels(tmp_path, static):
    """JupyterLab ignores the image/png alt metadata and prefers text/html: a live kernel adds
    an <img alt> of the same PNG (rendered once); headless builds keep one copy of the image."""
    import html

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(LIVE_CELL)]
    path = tmp_path / "live.ipynb"
    nbformat.write(nb, path)
    res = execute_notebook(path, static=static)
    assert res.ok, (res.error, res.stderr)
    (out,) = _image_outputs(res.nb.cells[0])
    text = 'Falls "fast" & <far>.'
    assert out.metadata["image/png"]["alt"] == out.data["text/plain"] == text
    printed = "".join(o.get("text", "") for o in res.nb.cells[0].outputs if "text" in o)
    assert "renders 1" in printed, printed  # one PNG, not one per mime type
    if static:
        assert "text/html" not in out.data
    else:
        assert _alts(out.data["text/html"]) == [html.escape(text, quote=True)]
        assert f'src="data:image/png;base64,{out.data["image/png"]}"' in out.data["text/html"]
