"""Accessibility of the built pages and decks (WCAG 2.1 AA): alt text, contrast, axe-core.

- :class:`FigureDescriptionPreprocessor` / :func:`describe_images`: the description written with
  a figure's code (``helpers.describe``; it is the output's ``metadata["image/png"]["alt"]``)
  becomes the ``alt`` of the exported ``<img>``. nbconvert's templates write no ``alt`` for
  output images (its HTML exporter then fills in "No description has been provided for this
  image"), so the preprocessor adds a ``text/html`` representation ``<img src=... alt=...>``
  next to the PNG, which the HTML and slides exporters prefer. The notebook's own outputs are
  unchanged (the build runs it on a copy).
- :data:`PYGMENTS_STYLE` and :data:`PAGE_CSS`: syntax colours from the ``accessible-pygments``
  package (WCAG AA contrast) and the few page rules the lab theme gets wrong (prompt colour,
  links that differ from text by colour only).
- :func:`install_axe` and :func:`axe_violations`: axe-core from npm (pinned by this folder's
  ``package-lock.json``) installed into ``build/a11y`` and run in a playwright page.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from nbconvert.preprocessors import Preprocessor

from coursetools.npm import install_locked

HERE = Path(__file__).resolve().parent
def _import_styles_quietly() -> None:
    """Import accessible-pygments without letting it reconfigure logging.

    ``a11y_pygments/__init__.py`` (0.0.5) calls ``logging.basicConfig(level=logging.INFO)`` on
    import, which turns every library's INFO messages into console output (the build printed
    nbclient's "Executing notebook with kernel" lines). Import it here, before pygments looks
    the style up, and put the root logger back as it was.
    """
    import logging

    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        import a11y_pygments  # noqa: F401
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


_import_styles_quietly()

PYGMENTS_STYLE = "a11y-high-contrast-light"
"""accessible-pygments style for code cells: every token at least 4.5:1 on its background."""

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
"""The WCAG 2.1 A/AA rule set of axe-core."""

PAGE_CSS = """
/* Accessibility (WCAG 2.1 AA), coursetools.a11y: prompts at 4.5:1 contrast (the lab theme's
   grey #b0b0b0 on white is 2.2:1), links underlined so they differ from text without colour. */
:root {
  --jp-cell-prompt-not-active-font-color: #595959;
  --jp-cell-prompt-not-active-opacity: 1;
  --jp-cell-prompt-opacity: 1;
  --jp-cell-inprompt-font-color: #1a5a96;
  --jp-cell-outprompt-font-color: #a3401f;
}
.jp-Notebook .jp-Cell .jp-InputPrompt, .jp-Notebook .jp-Cell .jp-OutputPrompt {
  opacity: 1;
}
.jp-RenderedHTMLCommon a, .jp-RenderedHTMLCommon a:link, .jp-RenderedHTMLCommon a:visited,
.reveal a, .reveal a:link, .reveal a:visited { text-decoration: underline !important; }
.optml-figure-description { font-size: 0.9em; color: #333; max-width: 60em; }
"""


def _img_html(mime: str, data: str, alt: str, meta: dict) -> str:
    attrs = [f'src="data:{mime};base64,{data.strip()}"', f'alt="{html.escape(alt, quote=True)}"']
    for key in ("width", "height"):
        if isinstance(meta.get(key), int | float):
            attrs.append(f'{key}="{meta[key]}"')
    return f"<img {' '.join(attrs)}>"


def output_alt(output) -> str | None:
    """The description stored with an image output (``metadata[mime]["alt"]``), if any."""
    meta = output.get("metadata", {}) or {}
    for mime in ("image/png", "image/jpeg", "image/svg+xml"):
        alt = (meta.get(mime) or {}).get("alt") if isinstance(meta.get(mime), dict) else None
        if isinstance(alt, str) and alt.strip():
            return alt
    alt = meta.get("alt")
    return alt if isinstance(alt, str) and alt.strip() else None


def describe_images(nb) -> int:
    """Give every described image output a ``text/html`` ``<img alt=...>``; return how many.

    Modifies ``nb`` in place (call it on a copy). Outputs that already have ``text/html``
    (widgets, animations) and images without a stored description are left alone.
    """
    n = 0
    for cell in nb.cells:
        for out in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            data = out.get("data", {})
            if "text/html" in data:
                continue
            mime = next((m for m in ("image/png", "image/jpeg") if m in data), None)
            alt = output_alt(out)
            if mime is None or alt is None:
                continue
            meta = out.get("metadata", {}).get(mime, {}) or {}
            data["text/html"] = _img_html(mime, data[mime], alt, meta)
            n += 1
    return n


class FigureDescriptionPreprocessor(Preprocessor):
    """nbconvert preprocessor running :func:`describe_images` (HTML and slides exporters)."""

    def preprocess(self, nb, resources):
        describe_images(nb)
        return nb, resources


def configure_exporter(exporter):
    """Accessible settings for an nbconvert HTML or slides exporter (returns it).

    Registers :class:`FigureDescriptionPreprocessor` (figure descriptions as ``alt``) and
    the syntax-highlighting style :data:`PYGMENTS_STYLE` (``CSSHTMLHeaderPreprocessor``).
    The page CSS (:data:`PAGE_CSS`) is added by :func:`add_page_css` on the exported HTML.
    """
    exporter.register_preprocessor(FigureDescriptionPreprocessor(), enabled=True)
    for pp in exporter._preprocessors:
        if type(pp).__name__ == "CSSHTMLHeaderPreprocessor":
            pp.style = PYGMENTS_STYLE
    return exporter


def add_page_css(body: str) -> str:
    """Insert :data:`PAGE_CSS` at the end of the page's ``<head>``."""
    tag = f'<style type="text/css" id="optml-a11y">{PAGE_CSS}</style>\n'
    return body.replace("</head>", tag + "</head>", 1) if "</head>" in body else tag + body


# --------------------------------------------------------------------------------------------
# axe-core
# --------------------------------------------------------------------------------------------
def install_axe(build: Path) -> Path:
    """npm-install the pinned axe-core into ``build/a11y``; return the path of ``axe.min.js``."""
    dest = Path(build) / "a11y"
    js = dest / "node_modules" / "axe-core" / "axe.min.js"
    if not js.exists():
        (dest / "node_modules" / ".installed").unlink(missing_ok=True)
    install_locked(HERE, dest, "axe-core")
    return js


def axe_violations(page, axe_js: Path, context=None, skip=()) -> list[dict]:
    """Run axe-core (WCAG 2.1 A/AA rules) in a playwright ``page``; return its violations.

    ``context`` is an axe context (a CSS selector or ``{"include": [...]}``), default the
    whole document; ``skip`` names rules to leave out (e.g. ``["color-contrast"]``). Each
    violation has ``id``, ``impact`` and ``nodes`` (as axe reports).
    """
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=Path(axe_js).read_text(encoding="utf-8"))
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"],
               "rules": {rule: {"enabled": False} for rule in skip}}
    result = page.evaluate(
        "async ([ctx, opts]) => { const r = await axe.run(ctx || document, opts);"
        " return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => ({target: n.target, html: n.html.slice(0, 200),"
        " summary: n.failureSummary}))})); }",
        [context, options],
    )
    return json.loads(json.dumps(result))


SHOW_ALL_SLIDES_CSS = """
.reveal .slides section, .reveal .slides section > section {
  display: block !important; position: relative !important; top: auto !important;
  left: auto !important; opacity: 1 !important; visibility: visible !important;
  transform: none !important; height: auto !important;
}
.reveal .slides { position: static !important; transform: none !important;
  width: auto !important; height: auto !important; overflow: visible !important; }
.reveal, .reveal .slides { overflow: visible !important; }
"""
"""CSS that lays every slide of a reveal.js deck out one below the other (all visible), so
one axe run checks the contrast of every slide against its real background."""


def image_alt_problems(page) -> list[str]:
    """``<img>`` elements of the page without a real description (empty or nbconvert's default).

    Images marked decorative (``role="presentation"``/``aria-hidden``) are not counted.
    """
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('img')).filter(img => {
            if (img.getAttribute('role') === 'presentation' ||
                img.closest('[aria-hidden="true"]')) return false;
            const alt = (img.getAttribute('alt') || '').trim();
            return !alt || alt.startsWith('No description has been provided');
        }).map(img => (img.id || img.src.slice(0, 40)))"""
    )


def summarize(violations: list[dict]) -> str:
    """``"color-contrast (serious) x 286, label (critical) x 1"`` for a table cell."""
    if not violations:
        return "none"
    return ", ".join(f"{v['id']} ({v['impact']}) x {len(v['nodes'])}" for v in violations)
