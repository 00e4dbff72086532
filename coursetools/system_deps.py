"""Debian packages the course needs beyond PyPI, installed by the Makefile when they are missing.

``python -m coursetools.system_deps [--for test|course]`` checks for each program below and, when
one is missing:

* as root on a Debian-like system (``apt-get`` present): runs ``apt-get update`` once and
  ``apt-get install -y`` for the missing packages, then checks again;
* otherwise: prints the one command that installs them and exits with status 2, before any test
  has run (``make test`` stops there instead of failing half its tests).

Programs and why
    ``/usr/bin/chromium`` (package ``chromium``): the browser tests (JupyterLab, slides) drive
    Debian's Chromium with playwright; playwright's own browser download is not used.
    ``bwrap`` (package ``bubblewrap``): the sandbox around every grading kernel.
    ``npm`` (package ``npm``): installs the offline slide assets (reveal.js, MathJax) at build time.
    ``initdb`` of PostgreSQL (package ``postgresql``): the gradebook test against a real server.
    ``ensurepip`` of ``/usr/bin/python3.11`` (package ``python3.11-venv``): the JupyterHub test
    builds its environment on the system interpreter (other Unix users cannot run one under
    ``/root``).

``--for course`` checks only what building the course needs (``npm``, ``bwrap``); a missing
``bwrap`` there is a warning, not an error, because grading then still works (unsandboxed, and
every grading summary says so).
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class Requirement:
    """A program the course runs, and the Debian package that provides it."""

    package: str
    why: str
    paths: tuple[str, ...]

    def present(self) -> bool:
        for pattern in self.paths:
            if os.sep in pattern:
                if glob.glob(pattern):
                    return True
            elif shutil.which(pattern):
                return True
        return False


CHROMIUM = Requirement("chromium", "browser tests", ("/usr/bin/chromium",))
BUBBLEWRAP = Requirement("bubblewrap", "grading sandbox", ("bwrap",))
NPM = Requirement("npm", "offline slide assets", ("npm",))
POSTGRES = Requirement(
    "postgresql", "gradebook test on PostgreSQL", ("/usr/lib/postgresql/*/bin/initdb", "initdb")
)
HUB_VENV = Requirement(
    "python3.11-venv", "JupyterHub test (its environment is built on /usr/bin/python3.11)",
    ("/usr/lib/python3.11/ensurepip/__init__.py",),
)

PROFILES = {
    "test": (CHROMIUM, BUBBLEWRAP, NPM, POSTGRES, HUB_VENV),
    "course": (NPM, BUBBLEWRAP),
}
#: packages whose absence only degrades a profile (a warning instead of an error)
OPTIONAL = {"course": {"bubblewrap"}}


def missing(requirements) -> list[Requirement]:
    """The requirements whose program is not installed."""
    return [r for r in requirements if not r.present()]


def install_command(packages: list[str]) -> str:
    """The shell command a user runs to install ``packages``."""
    prefix = "" if os.geteuid() == 0 else "sudo "
    return f"{prefix}apt-get update && {prefix}apt-get install -y {' '.join(packages)}"


def apt_install(packages: list[str]) -> bool:
    """Install ``packages`` with apt-get (root only); True if apt-get succeeded."""
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    print(f"system packages: installing {' '.join(packages)} with apt-get ...", flush=True)
    for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", *packages]):
        done = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL)
        if done.returncode != 0:
            print(f"system packages: `{' '.join(cmd)}` failed ({done.returncode})", file=sys.stderr)
            return False
    return True


def ensure(profile: str) -> int:
    """Check (and if possible install) the packages of ``profile``; return an exit status."""
    needed = missing(PROFILES[profile])
    if needed and os.geteuid() == 0 and shutil.which("apt-get"):
        apt_install([r.package for r in needed])
        needed = missing(needed)
    if not needed:
        return 0
    optional = OPTIONAL.get(profile, set())
    required = [r for r in needed if r.package not in optional]
    for r in needed:
        level = "missing" if r in required else "missing (optional)"
        print(f"system packages: {level}: {r.package} (needed for the {r.why})", file=sys.stderr)
    if not required:
        print(
            "system packages: continuing without them; install with:\n    "
            + install_command([r.package for r in needed]),
            file=sys.stderr,
        )
        return 0
    print(
        "system packages: stopping before anything runs. Install them with:\n    "
        + install_command([r.package for r in needed]),
        file=sys.stderr,
    )
    return 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--for", dest="profile", choices=sorted(PROFILES), default="test")
    return ensure(parser.parse_args(argv).profile)


if __name__ == "__main__":
    sys.exit(main())
