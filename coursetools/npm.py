"""Install a pinned npm package set (``package.json`` + ``package-lock.json``) into a build folder.

The offline slide assets (reveal.js, MathJax, ...) and axe-core come from npm at build time,
pinned by a lock file kept in the repository; nothing is loaded from a CDN at run time.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


def install_locked(src: Path, dest: Path, what: str) -> Path:
    """``npm ci`` the ``package.json``/``package-lock.json`` of ``src`` into ``dest``.

    Skipped when ``dest/node_modules/.installed`` records the same lock file (a rebuild costs
    nothing until the lock changes). Returns ``dest``.

    Raises
    ------
    RuntimeError
        ``npm`` is not installed (the message says what it is needed for).
    """
    src, dest = Path(src), Path(dest)
    lock = src / "package-lock.json"
    marker = dest / "node_modules" / ".installed"
    if marker.exists() and marker.read_text() == lock.read_text():
        return dest
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError(f"npm is needed to install {what} (apt-get install npm)")
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copy(src / name, dest / name)
    print(f"installing {what} (npm ci) ...", flush=True)
    subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=dest,
                   check=True)
    marker.write_text(lock.read_text())
    return dest
