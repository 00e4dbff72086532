"""The install path: dependencies agree, Jupyter extensions are enabled, helpers is installed."""

from __future__ import annotations

import importlib.metadata
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _normalize(req: str) -> tuple[str, str]:
    name, spec = re.match(r"\s*([A-Za-z0-9_.\-]+)\s*(.*)", req).groups()
    return name.lower().replace("_", "-"), spec.replace(" ", "")


def _pyproject_deps() -> dict[str, str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return dict(_normalize(r) for r in data["project"]["dependencies"])


def _environment_yml_deps() -> dict[str, str]:
    deps, in_deps = {}, False
    for line in (ROOT / "environment.yml").read_text().splitlines():
        if line.startswith("dependencies:"):
            in_deps = True
            continue
        m = re.match(r"\s+- ([^#]+)", line) if in_deps else None
        if m:
            name, spec = _normalize(m.group(1).strip())
            if name not in {"python", "pip"}:
                deps[name] = spec
    return deps


def test_environment_yml_matches_pyproject():
    assert _environment_yml_deps() == _pyproject_deps()


def test_environment_yml_pins_python_311():
    assert re.search(r"^\s+- python=3\.11\s*$", (ROOT / "environment.yml").read_text(), re.M)


def test_installed_versions_satisfy_pins():
    """What is installed is what pyproject declares (catches a stale or hand-patched venv)."""
    from packaging.requirements import Requirement

    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    bad = []
    for req in map(Requirement, data["project"]["dependencies"]):
        version = importlib.metadata.version(req.name)
        if not req.specifier.contains(version, prereleases=True):
            bad.append(f"{req.name} {version} not in {req.specifier}")
    assert not bad, bad


def test_helpers_is_the_installed_package():
    out = subprocess.run(
        [sys.executable, "-c", "import helpers, sys; print(helpers.__file__)"],
        cwd="/", capture_output=True, text=True, check=True,
    ).stdout.strip()
    assert Path(out).resolve() == (ROOT / "helpers" / "__init__.py").resolve()
    # The installed distribution is this checkout's project at its declared version (a stale
    # install of another version, or of another project named helpers, fails here).
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    dist = importlib.metadata.distribution(project["name"])
    assert dist.version == project["version"]
    assert dist.metadata["Name"].lower() == project["name"].lower()


def test_lab_extensions_enabled():
    """nbgrader, ipywidgets and the live slide deck are installed and enabled in JupyterLab."""
    jupyter = Path(sys.executable).parent / "jupyter"
    proc = subprocess.run([str(jupyter), "labextension", "list"], capture_output=True, text=True)
    text = re.sub(r"\x1b\[[0-9;]*m", "", proc.stdout + proc.stderr)
    for ext in ("@jupyter/nbgrader", "@jupyter-widgets/jupyterlab-manager", "jupyterlab-slideshow",
                "@deathbeds/jupyterlab-fonts"):
        line = next((ln for ln in text.splitlines() if ln.strip().startswith(ext + " ")), None)
        assert line is not None, f"{ext} not listed:\n{text}"
        assert "enabled" in line and line.rstrip().split()[3] == "OK", line


def test_ci_runs_the_readme_commands():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    for cmd in ("make course", "make test", "make test-exhaustive"):
        assert cmd in readme, f"README does not show {cmd!r}"
        assert re.search(rf"^{cmd}$", ci, re.M), f".ci/run does not run {cmd!r}"


def test_nbformat_starts_without_the_iri_grammar():
    """``make install`` removes rfc3987-syntax: importing it (jsonschema does, for nbformat and
    nbgrader) builds ~35 Earley parsers, 1.2-1.5 s of start-up in every nbgrader and jupyter
    process (see the Makefile)."""
    code = "import sys, nbformat, jsonschema._format; print('rfc3987_syntax' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", "rfc3987-syntax is installed: run `make install` again"
