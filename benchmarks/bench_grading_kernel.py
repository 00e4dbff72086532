"""Cost of the grading kernel and of the restoration before graded cells.

    python benchmarks/bench_grading_kernel.py [repeats]

1. seconds from starting a kernel to the first execute reply (``1+1``): plain
   ``ipykernel_launcher`` against ``coursetools.grading_kernel`` (audit hook installed first);
2. in the grading kernel: ``capture_session`` (it imports numpy and helpers, which the setup
   cell would import anyway) and ``restore`` + ``verify`` per graded cell.
"""

from __future__ import annotations

import statistics
import sys
import time

import jupyter_client
from jupyter_client.kernelspec import KernelSpec


def _start(module: str):
    km = jupyter_client.KernelManager()
    km._kernel_spec = KernelSpec(argv=[sys.executable, "-m", module, "-f", "{connection_file}"],
                                 display_name=module, language="python")
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=120)
    return km, kc


def first_reply(module: str) -> float:
    start = time.monotonic()
    km, kc = _start(module)
    kc.execute_interactive("1+1", timeout=120)
    seconds = time.monotonic() - start
    kc.stop_channels()
    km.shutdown_kernel(now=True)
    return seconds


RESTORE = """
import time
_t = time.perf_counter()
import coursetools.grading_kernel as _g
_g.capture_session(get_ipython())
_c = time.perf_counter() - _t
_t = time.perf_counter()
for _ in range(20):
    _g.restore(get_ipython(), "token", 3)
    _g.verify(get_ipython())
_r = (time.perf_counter() - _t) / 20
print(f"capture_session {_c:.2f} s (imports numpy and helpers); "
      f"restore + verify {_r * 1000:.1f} ms per graded cell")
"""


def main(argv: list[str]) -> int:
    repeats = int(argv[0]) if argv else 5
    times: dict[str, list[float]] = {"ipykernel_launcher": [], "coursetools.grading_kernel": []}
    for _ in range(repeats):
        for module in times:
            times[module].append(first_reply(module))
    for module, values in times.items():
        print(f"{module:28s} first execute reply: median {statistics.median(values):.2f} s, "
              f"min {min(values):.2f} s (n={repeats})")
    km, kc = _start("coursetools.grading_kernel")
    out: list[str] = []
    kc.execute_interactive(RESTORE, timeout=300, output_hook=lambda m: out.append(
        m["content"].get("text") or m["content"].get("evalue") or ""))
    print("".join(out).strip())
    kc.stop_channels()
    km.shutdown_kernel(now=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
