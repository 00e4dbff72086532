"""Paired A/B of the explorer redraw in ONE lecture kernel, alternating per repetition.

A: the former live path (``draw`` + the inline backend's ``print_figure(..., bbox_inches=
"tight")``, garbage collector on); B: :func:`helpers.widgets.redraw` (gc paused, the figure's
own size). Best of 5 per setting, median over 3 settings. Alternating A and B in the same
kernel cancels most of the load drift of a shared machine.

Usage::

    python benchmarks/ab_explorers.py notebooks/05_momentum_and_adaptive_methods.ipynb
"""
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from coursetools.notebooks import execute_notebook  # noqa: E402

path = Path(sys.argv[1])
nb = nbformat.read(path, as_version=4)
nb.cells.insert(0, nbformat.v4.new_code_cell(
    "import coursetools.explorers as _p\n_p.install_recorder()"))
code = r'''
import time, gc, statistics, matplotlib.pyplot as plt
from IPython.core.pylabtools import print_figure
from coursetools.explorers import cases
from helpers.widgets import redraw
from matplotlib.figure import Figure
def old(draw, values):
    before = set(plt.get_fignums())
    res = draw(**values)
    figs = [plt.figure(n) for n in plt.get_fignums() if n not in before]
    if isinstance(res, Figure) and all(res is not f for f in figs): figs.append(res)
    for f in figs: print_figure(f, "png", bbox_inches="tight")
    for n in plt.get_fignums():
        if n not in before: plt.close(n)
print("objects in kernel:", len(gc.get_objects()))
for draw, controls in _p.RECORDED:
    cs = cases(draw, controls)
    chosen = cs[:: max(1, len(cs)//3)][:3]
    A, B = [], []
    for case in chosen:
        a, b = [], []
        for _ in range(5):
            t = time.perf_counter(); old(draw, case); a.append(time.perf_counter() - t)
            t = time.perf_counter(); redraw(draw, case); b.append(time.perf_counter() - t)
        A.append(min(a)); B.append(min(b))
    print("AB", draw.__name__, "old %.3f new %.3f" % (statistics.median(A), statistics.median(B)))
'''
nb.cells.append(nbformat.v4.new_code_cell(code))
tmp = path.parent / f".ab-{path.name}"
nbformat.write(nb, tmp)
try:
    res = execute_notebook(tmp, static=True, timeout=900)
finally:
    tmp.unlink(missing_ok=True)
print(res.error)
for o in res.nb.cells[-1].get("outputs", []):
    print(o.get("text", ""), end="")
