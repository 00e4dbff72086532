"""nbgrader's built-in exchange between real Unix accounts, with the hub's global config.

The JupyterHub deployment (docs/deploy.md) gives every user a single-user server with the same
course environment, a shared exchange directory and ``deploy/nbgrader_config.py`` as the global
nbgrader config. What can be reproduced on one machine without JupyterHub is the part where
accounts meet: file permissions in the exchange. This test creates three throw-away Unix users
(an instructor and two students), then, each running nbgrader as themselves with ``runuser``:

    instructor: generate_assignment, release_assignment     -> <exchange>/optml/outbound
    alice, bob: fetch_assignment; alice fills in the solution, bob leaves the stub; submit
    bob:        cannot list the inbound folder (nobody sees another student's submission)
    instructor: collect -> submitted/<alice>/..., submitted/<bob>/... with what each one wrote

with the deployment's ``path_includes_course = True`` (students fetch into ``~/optml/<hw>``).
Every nbgrader call pays a full Python start-up, so the flow runs once. It needs root (to
create the users); as another user it is skipped with the reason.
Users and folders are removed afterwards; names are random, so concurrent or repeated runs
do not collide.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
COURSE = "optml"

pytestmark = pytest.mark.slow


def _homework() -> str:
    names = sorted(p.name for p in (ROOT / "source").iterdir()
                   if (p / f"{p.name}.ipynb").exists())
    assert names, "no source/<hw>/<hw>.ipynb to release"
    return names[0]


# ------------------------------------------------------------------------------------------
# accounts
# ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def users():
    """{role: user name} for instructor, alice, bob: created now, deleted afterwards."""
    if os.geteuid() != 0:
        pytest.skip(f"creating Unix users needs root; running as uid {os.geteuid()}")
    tag = secrets.token_hex(3)
    names = {role: f"optml-{role[:5]}-{tag}" for role in ("instructor", "alice", "bob")}
    created = []
    try:
        for name in names.values():
            proc = subprocess.run(
                ["useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
                capture_output=True, text=True,
            )
            # As root this must work: fail (never skip) so a broken setup is noticed.
            assert proc.returncode == 0, f"useradd {name} failed: {proc.stderr.strip()}"
            created.append(name)
        yield names
    finally:
        for name in created:
            subprocess.run(["userdel", "--force", name], capture_output=True)
            subprocess.run(["groupdel", name], capture_output=True)  # if userdel left it


@pytest.fixture(scope="module")
def base():
    """A world-traversable scratch folder (pytest's tmp_path is private to root)."""
    path = Path(tempfile.mkdtemp(prefix="optml-deploy-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def course_env(users, base):
    """The course environment as every account can run it: (bin folder for PATH, python).

    If the other accounts can execute this virtualenv's interpreter, that is it. Here the venv
    was made from an interpreter under /root (mode 0700), as happens with pyenv; then a thin
    venv on the system's Python of the same version imports the course venv's packages (what a
    hub image gets for free by installing the environment under /opt or /usr/local).
    """
    probe = subprocess.run(["runuser", "-u", users["alice"], "--", sys.executable, "-c", "0"],
                           capture_output=True)
    if probe.returncode == 0:
        return Path(sys.executable).parent, Path(sys.executable)
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    system_python = Path("/usr/bin") / version
    assert system_python.exists(), (
        f"other users cannot run {sys.executable} and there is no {system_python} to run the "
        "course packages with"
    )
    shim = base / "venv"
    subprocess.run([str(system_python), "-m", "venv", "--without-pip", str(shim)], check=True)
    site = Path(sysconfig.get_paths()["purelib"])
    shim_site = shim / "lib" / version / "site-packages"
    pth = f"import site; site.addsitedir({str(site)!r})\n"
    (shim_site / "optml_course_env.pth").write_text(pth)
    python = shim / "bin" / "python"
    # nbgrader runs `alembic` from PATH when it creates a gradebook.
    (shim / "bin" / "alembic").write_text(
        f"#!{python}\nimport sys\nfrom alembic.config import main\nsys.exit(main())\n"
    )
    (shim / "bin" / "alembic").chmod(0o755)
    subprocess.run(["chmod", "-R", "a+rX", str(shim)], check=True)
    return shim / "bin", python


def _nbgrader(user: str, home: Path, cwd: Path, env_bin: Path, python: Path, etc: Path,
              exchange: Path, *args: str) -> subprocess.CompletedProcess:
    """Run ``nbgrader ARGS`` as ``user`` with a clean environment; return the result."""
    env = {
        "HOME": str(home),
        "USER": user,
        "PATH": f"{env_bin}:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "JUPYTER_CONFIG_PATH": str(etc),  # deploy/nbgrader_config.py as the global config
        "JUPYTER_PLATFORM_DIRS": "1",
        "MPLCONFIGDIR": str(home / ".config" / "matplotlib"),
        "OPTML_EXCHANGE_ROOT": str(exchange),
    }
    cmd = ["runuser", "-u", user, "--", "env", "-i", *(f"{k}={v}" for k, v in env.items()),
           str(python), "-m", "nbgrader", *args]
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=300)


def _ok(proc: subprocess.CompletedProcess, what: str) -> str:
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"{what} failed ({proc.returncode}):\n{out[-3000:]}"
    return out


def _solution(hw: str) -> dict[str, str]:
    """{grade_id: the instructor's solution without the delimiter lines} for solution cells.

    Markdown answer cells (graded by hand) are included with the model answer as written.
    """
    nb = json.loads((ROOT / "source" / hw / f"{hw}.ipynb").read_text())
    delimiter = re.compile(r"^\s*#+\s*(BEGIN|END) SOLUTION\s*$")
    return {
        c["metadata"]["nbgrader"]["grade_id"]: "\n".join(
            ln for ln in "".join(c["source"]).splitlines() if not delimiter.match(ln))
        for c in nb["cells"]
        if c.get("metadata", {}).get("nbgrader", {}).get("solution")
    }


def _answers(path: Path) -> dict[str, str]:
    nb = json.loads(path.read_text())
    return {c["metadata"]["nbgrader"]["grade_id"]: "".join(c["source"]) for c in nb["cells"]
            if c.get("metadata", {}).get("nbgrader", {}).get("solution")}


def test_exchange_between_unix_users(users, base, course_env):
    env_bin, python = course_env
    hw = _homework()
    run = base / "run"
    exchange = run / "exchange"  # created by the first release (nbgrader makes it 0777)
    etc = run / "etc-jupyter"
    homes = {role: run / "home" / role for role in users}
    course = homes["instructor"] / "course"
    for d in (etc, *homes.values()):
        d.mkdir(parents=True)
    for d in (run, run / "home"):
        d.chmod(0o755)
    shutil.copy(ROOT / "deploy" / "nbgrader_config.py", etc / "nbgrader_config.py")
    etc.chmod(0o755)
    (etc / "nbgrader_config.py").chmod(0o644)
    shutil.copytree(ROOT / "source" / hw, course / "source" / hw)
    shutil.copy(ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
    for role, home in homes.items():
        subprocess.run(["chown", "-R", f"{users[role]}:", str(home)], check=True)
        home.chmod(0o700)  # like real home folders: nobody else can look in
    run.chmod(0o777)  # so the first release can create the exchange root here

    def nbgrader(role, cwd, *args):
        return _nbgrader(users[role], homes[role], cwd, env_bin, python, etc, exchange, *args)

    _ok(nbgrader("instructor", course, "generate_assignment", hw, "--force"), "generate")
    _ok(nbgrader("instructor", course, "release_assignment", hw, "--force"), "release")
    outbound = exchange / COURSE / "outbound" / hw / f"{hw}.ipynb"
    assert outbound.exists(), f"release did not put {outbound} into the exchange"

    fetched = {}
    for student in ("alice", "bob"):
        listed = _ok(nbgrader(student, homes[student], "list", "--course", COURSE), "list")
        assert hw in listed, f"{student} does not see {hw} as released:\n{listed}"
        _ok(nbgrader(student, homes[student], "fetch_assignment", hw, "--course", COURSE),
            f"{student}: fetch")
        # deploy/nbgrader_config.py sets path_includes_course: ~/<course>/<hw>/
        folder = homes[student] / COURSE / hw
        fetched[student] = folder / f"{hw}.ipynb"
        assert fetched[student].exists(), f"{student}'s fetched copy is not at {folder}"

    # alice answers every solution cell; bob hands in the stub as fetched.
    solution = _solution(hw)
    nb = json.loads(fetched["alice"].read_text())
    for cell in nb["cells"]:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in solution:
            cell["source"] = solution[grade_id]
    fetched["alice"].write_text(json.dumps(nb, indent=1))
    subprocess.run(["chown", f"{users['alice']}:", str(fetched["alice"])], check=True)
    stub = _answers(fetched["bob"])

    for student in ("alice", "bob"):
        _ok(nbgrader(student, homes[student], "submit", hw, "--course", COURSE),
            f"{student}: submit")

    inbound = exchange / COURSE / "inbound"
    assert len(list(inbound.iterdir())) == 2, sorted(os.listdir(inbound))
    peek = subprocess.run(["runuser", "-u", users["bob"], "--", "ls", str(inbound)],
                          capture_output=True, text=True)
    assert peek.returncode != 0 and "Permission denied" in peek.stderr, (
        f"bob can list the inbound submissions: {peek.stdout!r}"
    )

    _ok(nbgrader("instructor", course, "collect", hw), "collect")
    for student, expected in (("alice", solution), ("bob", stub)):
        got = course / "submitted" / users[student] / hw / f"{hw}.ipynb"
        assert got.exists(), f"collect did not bring {student}'s submission to {got}"
        assert (got.parent / "timestamp.txt").exists()
        assert got.stat().st_uid != 0, "collected files must belong to the instructor account"
        assert _answers(got) == expected, f"{student}'s collected answers differ from submitted"
    assert _answers(course / "submitted" / users["alice"] / hw / f"{hw}.ipynb") != stub
