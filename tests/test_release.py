"""release/ is exactly what nbgrader generates from source/, and leaks nothing.

``release/<hw>/`` is committed so students can download it; it must be reproducible
(regenerated here with the real ``nbgrader generate_assignment`` into a temporary folder and
compared file by file) and must not contain any solution line or hidden-test line of the
source notebook.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from conftest import selected_params, uses_fixture

from coursetools.grading import ROOT, generate_release
from coursetools.grading_specs import assignments, rules_paragraph
from coursetools.nbgrader_io import (
    HIDDEN_DELIMITERS,
    SOLUTION_DELIMITERS,
    is_manual,
    split_regions,
)

ASSIGNMENTS = assignments()
#: Notebook metadata that may legitimately differ between two generations.
VOLATILE_METADATA = ("widgets", "execution", "collapsed", "scrolled")


def _normalized(path: Path) -> dict:
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        for key in VOLATILE_METADATA:
            cell.get("metadata", {}).pop(key, None)
    return nb


def _files(folder: Path) -> set[str]:
    return {
        str(p.relative_to(folder))
        for p in folder.rglob("*")
        if p.is_file() and ".ipynb_checkpoints" not in p.parts and "__pycache__" not in p.parts
    }


@pytest.fixture(scope="module")
def regenerated(request, tmp_path_factory):
    """assignment -> freshly generated release folder.

    Reuses the folders nbgrader generated for the grading run of this pytest session (the
    ``grading_run`` fixture of tests/conftest.py) when the session runs it anyway (the
    pipeline tests of tests/test_grading.py are collected); otherwise runs generate_assignment
    here.
    """
    wanted = selected_params(request.session, "regenerated", "assignment")
    names = [a for a in ASSIGNMENTS if wanted is None or a in wanted]
    out = {}
    if uses_fixture(request.session, "grading_run"):
        run = request.getfixturevalue("grading_run")
        out = {name: run[name].course / "release" / name for name in names if name in run}
    missing = [name for name in names if name not in out]
    if missing:
        dest = tmp_path_factory.mktemp("release")
        generate_release(dest, missing)
        out.update({name: dest / name for name in missing})
    return out


def test_release_has_exactly_the_source_assignments():
    released = sorted(p.name for p in (ROOT / "release").iterdir() if p.is_dir())
    sources = sorted(p.name for p in (ROOT / "source").iterdir() if p.is_dir())
    assert released == sources, "run `make release-all` (python -m coursetools.grading release)"


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_committed_release_is_what_nbgrader_generates(regenerated, assignment):
    committed, fresh = ROOT / "release" / assignment, regenerated[assignment]
    assert _files(committed) == _files(fresh), "file lists differ: run `make release-all`"
    for rel in _files(fresh):
        if rel.endswith(".ipynb"):
            assert _normalized(committed / rel) == _normalized(fresh / rel), (
                f"release/{assignment}/{rel} is stale: run `make release-all`"
            )
        else:
            assert (committed / rel).read_bytes() == (fresh / rel).read_bytes(), rel


def _secret_and_public_lines(source_nb) -> tuple[set[str], set[str]]:
    """Lines inside solution/hidden-test regions, and lines outside them (stripped); a
    manually graded markdown answer (model answer and rubric, replaced whole on release) is
    secret."""
    secret, public = set(), set()
    for cell in source_nb.cells:
        if is_manual(cell) and cell.cell_type == "markdown" and "BEGIN SOLUTION" not in cell.source:
            secret |= {ln.strip() for ln in cell.source.splitlines()}
            continue
        outside, inside = split_regions(cell.source, (SOLUTION_DELIMITERS, HIDDEN_DELIMITERS))
        secret |= {ln.strip() for ln in inside}
        public |= {ln.strip() for ln in outside}
    return secret, public


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_no_solution_or_hidden_test_line_in_release(assignment):
    source = nbformat.read(ROOT / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    secret, _ = _secret_and_public_lines(source)
    public = set()
    for other in (ROOT / "source").glob("*/*.ipynb"):
        public |= _secret_and_public_lines(nbformat.read(other, as_version=4))[1]
    # a secret line that also appears in a public part of any source (e.g. `x = np.asarray(x)`
    # in a worked example) is not a leak; very short lines (`return x`) carry no information
    secret = {ln for ln in secret if len(ln) >= 12 and ln not in public}
    assert len(secret) >= 20, f"{assignment}: suspiciously few secret lines ({len(secret)})"
    release_dir = ROOT / "release"
    lines = set()
    for path in release_dir.rglob("*"):
        if not path.is_file():
            continue
        if path.suffix == ".ipynb":
            nb = nbformat.read(path, as_version=4)
            text = "\n".join(c.source for c in nb.cells) + "\n" + json.dumps(nb.metadata)
        else:
            text = path.read_text(errors="replace")
        lines |= {ln.strip() for ln in text.splitlines()}
    leaked = sorted(secret & lines)
    assert not leaked, f"{assignment}: release/ contains secret lines: {leaked[:5]}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_rules_say_what_is_not_allowed(assignment):
    """The Rules paragraph states the policy check's list, so no honest student is surprised."""
    source = nbformat.read(ROOT / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    release = nbformat.read(ROOT / "release" / assignment / f"{assignment}.ipynb", as_version=4)
    intro = next(c for c in release.cells if "**Rules.**" in c.source)
    assert rules_paragraph(assignment, source) in intro.source, (
        f"release/{assignment}: the Rules do not state what is not allowed; append "
        "coursetools.grading_specs.rules_paragraph to the intro cell and regenerate"
    )
