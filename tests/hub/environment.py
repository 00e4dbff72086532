"""The hub's environment for tests/test_hub.py: a Python venv and configurable-http-proxy.

Both are built once into ``build/`` and reused while their inputs are unchanged:

- ``build/hub-env-<key>``: ``/usr/bin/python3.11 -m venv`` + ``pip install -r
  deploy/hub/requirements.txt`` + this repository (helpers, coursetools, optml_grading and the
  course dependencies). ``<key>`` hashes the requirements, the dependencies in ``pyproject.toml``
  and the interpreter, so a new pin gives a new folder. The course packages are reinstalled (no
  dependencies, a few seconds) when their sources change. The interpreter must be one every
  Unix account can execute: the developers' venv points into ``/root/.pyenv`` (mode 0700).
- ``build/hub-proxy-<key>``: ``npm ci`` of ``deploy/hub/package.json`` and its
  ``package-lock.json`` (configurable-http-proxy 5.3.0 and its exact dependency tree).

Run ``python tests/hub/environment.py`` to build both ahead of a test run. Two concurrent
builders wait for each other (a lock file); a half-built folder is never reused (a stamp file
is written last).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "build"
HUB_DIR = ROOT / "deploy" / "hub"
REQUIREMENTS = HUB_DIR / "requirements.txt"
SYSTEM_PYTHON = Path(os.environ.get("OPTML_HUB_PYTHON", "/usr/bin/python3.11"))
COURSE_PACKAGES = ("helpers", "coursetools", "optml_grading")


def _digest(*parts: bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(hashlib.sha256(part).digest())
    return h.hexdigest()[:12]


def _course_sources_digest() -> str:
    files = sorted(
        p for pkg in COURSE_PACKAGES if (ROOT / pkg).is_dir()
        for p in (ROOT / pkg).rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    )
    return _digest(*(str(p.relative_to(ROOT)).encode() + b"\0" + p.read_bytes() for p in files))


def _course_dependencies() -> bytes:
    """The course's dependency list from pyproject.toml (other edits there do not count)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return json.dumps([project.get("dependencies", []),
                       project.get("requires-python", "")]).encode()


@contextlib.contextmanager
def _locked(name: str):
    BUILD.mkdir(exist_ok=True)
    with open(BUILD / f"{name}.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _prune(prefix: str, keep: Path) -> None:
    """Remove the folders of earlier keys (built from other pins) next to ``keep``."""
    for old in BUILD.glob(f"{prefix}*"):
        if old != keep and old.is_dir():
            shutil.rmtree(old, ignore_errors=True)


def _run(cmd: list[str], what: str, **kw) -> None:
    proc = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if proc.returncode != 0:
        raise RuntimeError(f"{what} failed ({proc.returncode}): {' '.join(cmd)}\n"
                           f"{(proc.stdout + proc.stderr)[-4000:]}")


def _course_copy(dest: Path) -> Path:
    """The installable part of the repository, copied (the shared work tree stays untouched)."""
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, dest / name)
    for pkg in COURSE_PACKAGES:
        if (ROOT / pkg).is_dir():
            shutil.copytree(ROOT / pkg, dest / pkg,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return dest


def _install_course(env: Path, *, deps: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="optml-hub-src-") as tmp:
        src = _course_copy(Path(tmp))
        cmd = [str(env / "bin" / "python"), "-m", "pip", "install", "--quiet",
               "--no-warn-script-location", "--progress-bar", "off"]
        if deps:
            # setuptools first, so the course package then builds without an isolated
            # build environment (much faster to reinstall when the course code changed).
            pins = [ln for ln in REQUIREMENTS.read_text().splitlines()
                    if ln.startswith("setuptools==")]
            _run(cmd + pins, "pip install setuptools (hub environment)")
            cmd += ["--no-build-isolation", "-r", str(REQUIREMENTS), str(src)]
        else:
            cmd += ["--no-build-isolation", "--no-deps", "--force-reinstall", str(src)]
        _run(cmd, "pip install (hub environment)")
    if deps:  # as `make install` does: 1.2-1.5 s less start-up per nbgrader process (Makefile)
        _run([str(env / "bin" / "python"), "-m", "pip", "uninstall", "--yes", "--quiet",
              "rfc3987-syntax"], "pip uninstall rfc3987-syntax (hub environment)")


def python_env() -> Path:
    """Build (or reuse) the hub's virtualenv; return its folder."""
    if not SYSTEM_PYTHON.exists():
        raise FileNotFoundError(
            f"{SYSTEM_PYTHON} not found: the hub environment needs a Python 3.11 that every "
            "Unix account can run (apt-get install python3.11-venv; or set OPTML_HUB_PYTHON)"
        )
    version = subprocess.run([str(SYSTEM_PYTHON), "-c", "import sys; print(sys.version)"],
                             capture_output=True, text=True, check=True).stdout
    key = _digest(REQUIREMENTS.read_bytes(), _course_dependencies(), version.encode())
    env = BUILD / f"hub-env-{key}"
    stamp, course_stamp = env / ".optml-built", env / ".optml-course-sources"
    with _locked("hub-env"):
        if not stamp.exists():
            shutil.rmtree(env, ignore_errors=True)
            _run([str(SYSTEM_PYTHON), "-m", "venv", str(env)], "venv")
            _install_course(env, deps=True)
            # As the Dockerfile and the Makefile do: Lab 4 and RISE typeset math themselves.
            _run([str(env / "bin" / "jupyter"), "labextension", "disable", "--level=sys_prefix",
                  "@jupyterlab/mathjax3-extension"], "labextension disable")
            course_stamp.write_text(_course_sources_digest())
            stamp.write_text(key)
            _prune("hub-env-", env)
        elif course_stamp.read_text() != _course_sources_digest():
            _install_course(env, deps=False)
            course_stamp.write_text(_course_sources_digest())
        _run(["chmod", "-R", "a+rX", str(env)], "chmod")
    return env


def proxy() -> Path:
    """``npm ci`` configurable-http-proxy (or reuse it); return the path of its executable."""
    lock = HUB_DIR / "package-lock.json"
    key = _digest((HUB_DIR / "package.json").read_bytes(), lock.read_bytes())
    folder = BUILD / f"hub-proxy-{key}"
    exe = folder / "node_modules" / ".bin" / "configurable-http-proxy"
    stamp = folder / ".optml-built"
    if shutil.which("npm") is None:
        raise FileNotFoundError("npm not found: apt-get install nodejs npm")
    with _locked("hub-proxy"):
        if not stamp.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            shutil.copy(HUB_DIR / "package.json", folder / "package.json")
            shutil.copy(lock, folder / "package-lock.json")
            _run(["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"], "npm ci",
                 cwd=folder)
            if not exe.exists():
                raise RuntimeError(f"npm ci did not install {exe}")
            stamp.write_text(key)
            _prune("hub-proxy-", folder)
    return exe


if __name__ == "__main__":
    print("python:", python_env())
    print("proxy:", proxy())
    sys.exit(0)
