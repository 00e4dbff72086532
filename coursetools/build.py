"""Build the course: ``python -m coursetools.build [lectures|slides|release|selfgrade|all]``.

- ``lectures``: execute every ``notebooks/NN_*.ipynb`` headless (``OPTML_STATIC=1``) into
  ``build/executed/`` and export HTML into ``build/html/``.
- ``slides``: export the executed lectures as reveal.js decks into ``build/slides/``, with
  reveal.js, MathJax, require.js, jQuery and Font Awesome installed from npm into
  ``build/slides/assets`` and referenced by relative paths, images embedded: the decks open from
  ``file://`` with no network.
- ``release`` / ``selfgrade``: regenerate ``release/`` with nbgrader and autograde each homework's
  own solution (delegated to :mod:`coursetools.grading`).

Every step prints progress and a summary table, and the command exits non-zero if anything failed.
"""

from __future__ import annotations

import argparse
import copy
import importlib.util
import subprocess
import sys
import time
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter, SlidesExporter

from coursetools import a11y
from coursetools.notebooks import ROOT, empty_notebook_seconds, execute_notebook, lecture_paths
from coursetools.npm import install_locked

BUILD = ROOT / "build"
SLIDE_ASSETS_SRC = Path(__file__).resolve().parent / "slides"
# Relative to build/slides/<deck>.slides.html
ASSET_URLS = {
    "reveal_url_prefix": "assets/node_modules/reveal.js",
    "require_js_url": "assets/node_modules/requirejs/require.js",
    "jquery_url": "assets/node_modules/jquery/dist/jquery.min.js",
    "mathjax_url": "assets/node_modules/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe",
    "font_awesome_url": "assets/node_modules/font-awesome/css/font-awesome.min.css",
}
SLOW_SECONDS = 30.0


def _table(rows: list[tuple], header: tuple) -> str:
    rows = [tuple(str(c) for c in r) for r in rows]
    widths = [max(len(str(h)), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    line = lambda r: "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |"  # noqa: E731
    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(header), sep, *map(line, rows)])


def build_lectures() -> bool:
    """Execute lectures headless into build/executed and export HTML into build/html."""
    paths = lecture_paths()
    if not paths:
        print("lectures: no notebooks/NN_*.ipynb yet - nothing to execute.")
        return True
    (BUILD / "executed").mkdir(parents=True, exist_ok=True)
    (BUILD / "html").mkdir(parents=True, exist_ok=True)
    print("lectures: timing an empty notebook (imports numpy, matplotlib, helpers) ...", flush=True)
    floor = empty_notebook_seconds()
    rows, ok_all = [], True
    exporter = a11y.configure_exporter(HTMLExporter())  # alt text, AA syntax colours
    for i, path in enumerate(paths, 1):
        print(f"[{i}/{len(paths)}] executing {path.name} ...", end=" ", flush=True)
        res = execute_notebook(path, static=True)
        status = "ok" if res.ok else ("error" if res.error else "stderr")
        if res.ok and res.seconds > SLOW_SECONDS:
            status = "slow"
        ok_all &= res.ok
        print(f"{status} ({res.seconds:.1f} s)", flush=True)
        if res.error:
            print(res.error, file=sys.stderr)
        for text in res.stderr:
            print(f"stderr from {path.name}:\n{text}", file=sys.stderr)
        res.nb.metadata.pop("widgets", None)
        nbformat.write(res.nb, BUILD / "executed" / path.name)
        body, _ = exporter.from_notebook_node(res.nb, resources={"metadata": {"name": path.stem}})
        body = a11y.add_page_css(body)  # prompt contrast, underlined links
        (BUILD / "html" / f"{path.stem}.html").write_text(body, encoding="utf-8")
        rows.append((path.name, status, f"{res.seconds:.1f}", f"{res.seconds / floor:.1f}x",
                     res.images()))
    print(f"\nEmpty-notebook floor: {floor:.1f} s")
    print(_table(rows, ("notebook", "status", "seconds", "vs floor", "figures")))
    return ok_all


def install_slide_assets() -> Path:
    """npm-install the pinned reveal.js/MathJax/require.js/jQuery/Font Awesome into build/slides."""
    try:
        return install_locked(SLIDE_ASSETS_SRC, BUILD / "slides" / "assets",
                              "reveal.js 4, MathJax 2.7, require.js, jQuery for offline decks")
    except RuntimeError as exc:
        raise SystemExit(f"slides: {exc}") from None


def slides_exporter() -> SlidesExporter:
    exporter = SlidesExporter(
        extra_template_basedirs=[str(SLIDE_ASSETS_SRC / "templates")],
        template_name="reveal_offline",
        reveal_url_prefix=ASSET_URLS["reveal_url_prefix"],
        font_awesome_url=ASSET_URLS["font_awesome_url"],
        require_js_url=ASSET_URLS["require_js_url"],
        jquery_url=ASSET_URLS["jquery_url"],
        mathjax_url=ASSET_URLS["mathjax_url"],
        embed_images=True,
    )
    exporter.reveal_scroll = True
    exporter.reveal_theme = "white"  # "simple" (the default) imports Google Fonts: not offline
    exporter.reveal_width, exporter.reveal_height = "1280", "720"  # 16:9 lecture-hall projectors
    return a11y.configure_exporter(exporter)  # figure alt text, AA syntax colours


def hide_marked_inputs(nb) -> int:
    """Drop from the slides the code of cells marked ``metadata.jupyter.source_hidden``.

    That is the one convention for "this slide's point is its output" (CONTRIBUTING.md):
    JupyterLab, and so the live deck (jupyterlab-slideshow), shows such a cell collapsed to its
    output, and a student expands the code with a click; here the cell keeps its outputs and
    loses its input, as nbconvert's ``TagRemovePreprocessor`` does for ``remove_input_tags``
    (``metadata.transient.remove_source``, honoured by every nbconvert template). Modifies ``nb`` in
    place and returns the number of cells marked.
    """
    n = 0
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.metadata.get("jupyter", {}).get("source_hidden"):
            cell.metadata.setdefault("transient", {})["remove_source"] = True
            n += 1
    return n


def slides_html(nb, name: str) -> str:
    """One lecture deck as offline HTML (assets referenced under ``assets/`` beside it).

    Widget state is dropped first: with it, nbconvert's template loads the widget manager
    from a CDN, and the static build has nothing interactive to show anyway. The code of cells
    marked ``jupyter.source_hidden`` is left out (:func:`hide_marked_inputs`).
    """
    nb = copy.deepcopy(nb)
    nb.metadata.pop("widgets", None)
    hide_marked_inputs(nb)
    body, _ = slides_exporter().from_notebook_node(nb, resources={"metadata": {"name": name}})
    return a11y.add_page_css(body)


def build_slides() -> bool:
    """Export build/executed/*.ipynb as offline reveal.js decks into build/slides."""
    executed = sorted((BUILD / "executed").glob("*.ipynb"))
    if not executed:
        print("slides: no executed lectures in build/executed - run the lectures step first.")
        return not lecture_paths()
    install_slide_assets()
    rows = []
    for path in executed:
        nb = nbformat.read(path, as_version=4)
        body = slides_html(nb, path.stem)
        out = BUILD / "slides" / f"{path.stem}.slides.html"
        out.write_text(body, encoding="utf-8")
        n_slides = sum(
            1 for c in nb.cells if c.metadata.get("slideshow", {}).get("slide_type") == "slide"
        )
        rows.append((out.name, n_slides, f"{len(body) / 1e6:.1f} MB"))
    print(_table(rows, ("deck", "slides", "size")))
    return True


def _grading(command: str) -> bool:
    """Run ``python -m coursetools.grading <command>`` when the homework tooling exists."""
    if importlib.util.find_spec("coursetools.grading") is None or not any(
        (ROOT / "source").glob("*/*.ipynb")
    ):
        print(f"{command}: no homework in source/ yet - nothing to do.")
        return True
    from coursetools.nbgrader_io import nbgrader_env

    return subprocess.run([sys.executable, "-m", "coursetools.grading", command],
                          cwd=ROOT, env=nbgrader_env(course_settings=True)).returncode == 0


STEPS = {
    "lectures": build_lectures,
    "slides": build_slides,
    "release": lambda: _grading("release"),
    "selfgrade": lambda: _grading("selfgrade"),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("steps", nargs="*", default=["all"], choices=[*STEPS, "all"])
    args = parser.parse_args(argv)
    steps = list(STEPS) if "all" in args.steps else args.steps
    results = []
    for step in steps:
        print(f"\n=== {step} ===", flush=True)
        start = time.perf_counter()
        ok = STEPS[step]()
        results.append((step, "ok" if ok else "FAILED", f"{time.perf_counter() - start:.1f}"))
    print("\n" + _table(results, ("step", "status", "seconds")))
    return 0 if all(r[1] == "ok" for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
