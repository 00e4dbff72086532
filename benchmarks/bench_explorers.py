"""Server-side redraw time of every lecture explorer (the lag a student feels on a slider).

For each lecture, :func:`coursetools.explorers.probe_notebook` runs the notebook with the
explorers recorded, then times each explorer's redraw as the kernel pays it when a control
moves: :func:`helpers.widgets.redraw`, what the live explorer runs (the ``draw`` function plus
one PNG of each of its figures at the figure's own size, ``bbox_inches=None``, garbage collector
paused), via :func:`coursetools.explorers.redraw_seconds`. For each of 5
control settings (the start values and 4 spread over the controls' ranges) it keeps the best of
5 redraws, and reports the median over the settings. The goal is a median of at most 0.15 s.

Usage::

    python benchmarks/bench_explorers.py            # all lectures
    python benchmarks/bench_explorers.py 03 05      # lectures whose file name starts so

Browser-side time (sending the PNG, the widget round trip) is not included.
"""

from __future__ import annotations

import os
import statistics
import sys
from pathlib import Path

from coursetools.explorers import probe_notebook
from coursetools.notebooks import lecture_paths

GOAL_SECONDS = 0.15


def measure(prefixes: list[str] | None = None, settings: int = 5, repeat: int = 5) -> list[dict]:
    """One row per explorer: lecture, draw name, median and worst of the per-setting bests."""
    rows = []
    for path in lecture_paths():
        if prefixes and not any(path.name.startswith(p) for p in prefixes):
            continue
        print(f"timing the explorers of {path.name} ...", flush=True)
        error, _stderr, report = probe_notebook(path, "time", settings=settings, repeat=repeat)
        if error or report is None:
            rows.append({"lecture": path.stem, "draw": "(failed)", "median": float("nan"),
                         "worst": float("nan"), "error": (error or "no report")[:200]})
            continue
        for row in report["rows"]:
            secs = row["seconds"]
            rows.append({"lecture": path.stem, "draw": row["draw"],
                         "median": statistics.median(secs), "worst": max(secs)})
    return rows


def table(rows: list[dict]) -> str:
    lines = [
        "| lecture | explorer | median redraw (s) | slowest setting (s) | goal <= 0.15 s |",
        "|---|---|---:|---:|---|",
    ]
    for r in rows:
        ok = "yes" if r["median"] <= GOAL_SECONDS else "**no**"
        lines.append(f"| {r['lecture'][:2]} | {r['draw']} | {r['median']:.3f} | {r['worst']:.3f} "
                     f"| {ok} |")
    met = sum(r["median"] <= GOAL_SECONDS for r in rows)
    lines.append("")
    lines.append(f"{met} of {len(rows)} explorers meet the goal.")
    return "\n".join(lines)


def main(prefixes: list[str] | None = None) -> str:
    rows = measure(prefixes)
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    return "\n".join([
        "## Explorer redraw time",
        "",
        "`python benchmarks/bench_explorers.py`: the kernel's time per redraw "
        "(`helpers.widgets.redraw`: draw + one PNG per figure), "
        "best of 5 per control setting, median over 5 settings. "
        f"Load average at the end: {load}.",
        "",
        table(rows),
    ])


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    print(main(sys.argv[1:] or None))
