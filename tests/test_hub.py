"""A real JupyterHub running ``deploy/jupyterhub_config.py`` unmodified, end to end.

What it does (as root; anywhere else it is skipped with the reason):

1. Builds (or reuses) the hub environment in ``build/`` (tests/hub/environment.py): a venv on
   ``/usr/bin/python3.11`` with ``deploy/hub/requirements.txt`` and this repository, and
   configurable-http-proxy from ``deploy/hub/package-lock.json`` (``npm ci``).
2. Creates throw-away Unix accounts with passwords (an instructor, a TA, two students and the
   grader account), the grader's course folder, a pre-created exchange (mode 0777) and the
   terminal PATH fix (``deploy/profile.d/optml.sh``, installed under a unique name).
3. Starts the hub on 127.0.0.1 with free ports and ``LocalProcessSpawner`` (no systemd here),
   all through the ``OPTML_*`` environment variables the config file reads.
4. Everyone logs in through the hub's login form (PAM). The instructor (a hub admin) enrolls
   the students as hub users and runs ``nbgrader db student add`` in a terminal of the grader
   service; generates and releases one assignment (``tests/hub/source/hub_demo``: two
   questions, hidden tests, ``import helpers``) through the formgrader's API; the students
   fetch it from their Assignments tab's API, one submits the solution and one the stub; the
   instructor collects, autogrades each submission, generates and releases feedback; the
   students fetch their feedback. Checked: the scores against the notebook's points, and that
   no hidden-test line reaches a student (released notebook, feedback).
5. Isolation and permissions: a student gets 403 from the grader service and cannot list the
   inbound folder, read another student's home or the grader's source notebooks; the token in
   the instructor's kernel is not an admin token (though the instructor is a hub admin); the
   idle culler's API calls succeed; the TA lists services and opens the grader service.
6. Measures hub start, spawn time per login and memory per server (printed as a table, also
   written to ``build/hub-measurements.json``).

Every process and account it made is removed afterwards, by PID and by name, also on failure.
``test_formgrader_screenshot`` (browser) saves ``build/screenshots/hub-formgrader.png``: the
formgrader inside the grader service's JupyterLab, framed through the CSP exception.
"""

from __future__ import annotations

import contextlib
import html
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from hub import environment  # noqa: E402
from hub.client import HTTPStatus, HubSession, run_in_kernel, run_in_terminal  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
COURSE = "optml"
# A two-question fixture assignment (quick to grade, independent of the homework's changes);
# OPTML_HUB_ASSIGNMENT=hw1_derivatives runs a course homework from source/ instead.
HW = os.environ.get("OPTML_HUB_ASSIGNMENT", "hub_demo")
FIXTURES = Path(__file__).resolve().parent / "hub" / "source"
SOURCE = FIXTURES if (FIXTURES / HW).is_dir() else ROOT / "source"
BUILD = ROOT / "build"
MEASUREMENTS: dict = {}

pytestmark = [pytest.mark.slow, pytest.mark.hub]


# ------------------------------------------------------------------------------------------
# processes (by PID) and memory
# ------------------------------------------------------------------------------------------
def _processes() -> list[dict]:
    """Every process: pid, ppid, uid, cmdline, rss and pss in MB (where readable)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            status = Path(f"/proc/{entry}/status").read_text()
            cmd = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        rss = int(fields.get("VmRSS", "0 kB").split()[0]) / 1024
        pss = rss
        with contextlib.suppress(OSError, ValueError, IndexError):
            rollup = Path(f"/proc/{entry}/smaps_rollup").read_text()
            pss = int(re.search(r"^Pss:\s+(\d+)", rollup, re.M).group(1)) / 1024
        found.append(dict(pid=int(entry), ppid=int(fields["PPid"].strip()),
                          uid=int(fields["Uid"].split()[0]), cmd=cmd.strip(), rss=rss, pss=pss))
    return found


def _kill(pids, grace: float = 5.0) -> None:
    """SIGTERM these PIDs, then SIGKILL the ones still alive after ``grace`` seconds."""
    pids = set(pids)
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while pids and time.monotonic() < deadline:
        pids = {p for p in pids if Path(f"/proc/{p}").exists()
                and "zombie" not in Path(f"/proc/{p}/status").read_text(errors="ignore")}
        time.sleep(0.1)
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def _descendants(pid: int, procs: list[dict]) -> set[int]:
    out, todo = set(), [pid]
    while todo:
        parent = todo.pop()
        for p in procs:
            if p["ppid"] == parent and p["pid"] not in out:
                out.add(p["pid"])
                todo.append(p["pid"])
    return out


def _started_by_this_hub(api_port: int, state: Path) -> set[int]:
    """PIDs of the proxy (pid file) and of every process with this hub's API URL."""
    found = set()
    pid_file = state / "jupyterhub-proxy.pid"
    with contextlib.suppress(OSError, ValueError):
        found.add(int(pid_file.read_text().strip()))
    marker = f"JUPYTERHUB_API_URL=http://127.0.0.1:{api_port}/".encode()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError):
                if marker in Path(f"/proc/{entry}/environ").read_bytes():
                    found.add(int(entry))
    return found


def _free_ports(n: int) -> list[int]:
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


# ------------------------------------------------------------------------------------------
# fixtures: environment, accounts, hub
# ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def hub_env():
    """(venv folder, configurable-http-proxy executable), built once and cached in build/."""
    if sys.platform != "linux":
        pytest.skip("needs Linux (PAM, Unix accounts, /proc)")
    if os.geteuid() != 0:
        pytest.skip(f"a real hub with PAM logins and Unix users needs root; uid {os.geteuid()}")
    # As root the prerequisites must be there: fail (never skip) so CI notices a gap.
    for tool in ("useradd", "userdel", "chpasswd", "runuser", "npm", "node"):
        assert shutil.which(tool), f"{tool} not found (apt-get install passwd util-linux npm)"
    start = time.monotonic()
    env, proxy = environment.python_env(), environment.proxy()
    MEASUREMENTS["environment (s, 0 when cached)"] = round(time.monotonic() - start, 1)
    return env, proxy


@pytest.fixture(scope="module")
def accounts(hub_env):
    """{role: (name, password)} for instructor, ta, s1, s2, grader; deleted afterwards."""
    tag = secrets.token_hex(3)
    roles = ("instructor", "ta", "s1", "s2", "grader")
    names = {role: f"thub{tag}-{role[:5]}" for role in roles}
    created = []

    def cleanup():
        uids = set()
        for name in created:
            with contextlib.suppress(KeyError):
                uids.add(pwd.getpwnam(name).pw_uid)
        # Whatever still runs as a test account (servers, kernels, terminals): by PID.
        _kill(p["pid"] for p in _processes() if p["uid"] in uids)
        for name in created:
            subprocess.run(["userdel", "--force", "--remove", name], capture_output=True)
            subprocess.run(["groupdel", name], capture_output=True)

    try:
        for name in names.values():
            proc = subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", name],
                                  capture_output=True, text=True)
            assert proc.returncode == 0, f"useradd {name}: {proc.stderr.strip()}"
            created.append(name)
            # Debian's useradd makes homes 0755 (no HOME_MODE): a real class needs 0700.
            os.chmod(f"/home/{name}", 0o700)
        passwords = {role: secrets.token_urlsafe(12) for role in roles}
        lines = "".join(f"{names[r]}:{passwords[r]}\n" for r in roles)
        subprocess.run(["chpasswd"], input=lines, text=True, check=True)
        yield {role: (names[role], passwords[role]) for role in roles}
    finally:
        cleanup()


def _prepare_course(grader: str, home: Path) -> None:
    """The grader account's course folder: source/<HW>, the course config, CourseDirectory.root."""
    course = home / COURSE
    (course / "source").mkdir(parents=True)
    shutil.copytree(SOURCE / HW, course / "source" / HW,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    shutil.copy(ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
    (home / ".jupyter").mkdir()
    (home / ".jupyter" / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.CourseDirectory.root = {str(course)!r}\n")
    subprocess.run(["chown", "-R", f"{grader}:", str(home)], check=True)


@pytest.fixture(scope="module")
def hub(hub_env, accounts):
    """A running hub: dict with url, sessions helpers, paths and the log; stopped afterwards."""
    env, proxy = hub_env
    base = Path(tempfile.mkdtemp(prefix="optml-hub-"))
    base.chmod(0o755)
    state, etc, exchange = base / "state", base / "etc-jupyter", base / "exchange"
    state.mkdir(mode=0o700)
    (etc / "formgrader").mkdir(parents=True)
    shutil.copy(ROOT / "deploy" / "nbgrader_config.py", etc / "nbgrader_config.py")
    shutil.copy(ROOT / "deploy" / "formgrader" / "jupyter_server_config.py",
                etc / "formgrader" / "jupyter_server_config.py")
    subprocess.run(["chmod", "-R", "a+rX", str(etc)], check=True)
    # The exchange exists before the first release, mode 0777 exactly (nbgrader checks it);
    # its parent stays root-owned 0755, as /srv/nbgrader is.
    exchange.mkdir()
    exchange.chmod(0o777)
    grader = accounts["grader"][0]
    _prepare_course(grader, Path(f"/home/{grader}"))
    # The terminal PATH fix, under a name of its own (removed afterwards).
    profile = Path(f"/etc/profile.d/{base.name}-optml.sh")
    shutil.copy(ROOT / "deploy" / "profile.d" / "optml.sh", profile)
    profile.chmod(0o644)

    port, api_port, proxy_port, service_port = _free_ports(4)
    url = f"http://127.0.0.1:{port}"
    courses = {COURSE: {"grader": grader,
                        "instructors": [accounts["instructor"][0], accounts["ta"][0]]}}
    hub_environ = {
        "PATH": f"{env}/bin:{proxy.parent}:/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "HOME": str(state),
        "OPTML_HUB_SPAWNER": "jupyterhub.spawner.LocalProcessSpawner",
        "OPTML_HUB_STATE": str(state),
        "OPTML_HUB_ENV": str(env),
        "OPTML_HUB_URL": url,
        "OPTML_HUB_API_PORT": str(api_port),
        "OPTML_PROXY_API_PORT": str(proxy_port),
        "OPTML_SERVICE_PORT": str(service_port),
        "OPTML_PROXY": str(proxy),
        "OPTML_JUPYTER_ETC": str(etc),
        "OPTML_HUB_COURSES": json.dumps(courses),
        "OPTML_HUB_ADMINS": accounts["instructor"][0],
        "OPTML_EXCHANGE_ROOT": str(exchange),
    }
    log = state / "hub.log"
    start = time.monotonic()
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [str(env / "bin" / "jupyterhub"), "-f", str(ROOT / "deploy" / "jupyterhub_config.py")],
            cwd=state, env=hub_environ, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    info = dict(url=url, proc=proc, log=log, base=base, env=env, exchange=exchange,
                grader_home=Path(f"/home/{grader}"), accounts=accounts, pids={"hub": proc.pid})

    def log_tail(n=60):
        """The hub's last log lines, without the proxy's 404s while the hub is starting."""
        lines = [ln for ln in log.read_text(errors="replace").splitlines()
                 if ln.startswith("[")]
        return "\n".join(lines[-n:])

    info["log_tail"] = log_tail
    try:
        probe = HubSession(url)
        while True:
            assert proc.poll() is None, f"jupyterhub exited ({proc.returncode}):\n{log_tail()}"
            with contextlib.suppress(HTTPStatus, OSError):
                probe.request("GET", "/hub/api/", token="", timeout=5)
                break
            assert time.monotonic() - start < 180, f"hub not up in 180 s:\n{log_tail()}"
            time.sleep(0.5)
        MEASUREMENTS["hub start (s)"] = round(time.monotonic() - start, 1)
        pid_file = state / "jupyterhub-proxy.pid"
        if pid_file.exists():
            info["pids"]["proxy"] = int(pid_file.read_text().strip())
        yield info
    finally:
        procs = _processes()
        tree = _descendants(proc.pid, procs)
        # The users' servers, kernels and the grader service get SIGTERM by PID: a server the
        # hub stops gets SIGINT and lingers for seconds; the hub's state is thrown away anyway.
        # At the same moment the hub, which then stops the proxy and finds its services gone
        # (it restarts an exited service only from a poll callback, which shutdown cancels).
        uids = {pwd.getpwnam(n).pw_uid for n, _ in accounts.values()}
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        _kill([p["pid"] for p in procs if p["uid"] in uids], grace=10)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(30)
        # A hub that crashed leaves its proxy and services behind, adopted by init: find them
        # by the proxy's pid file and by this hub's API URL in their environment.
        leftover = set(tree) | {proc.pid} | _started_by_this_hub(api_port, state)
        _kill(p for p in leftover if Path(f"/proc/{p}").exists())
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(5)
        profile.unlink(missing_ok=True)
        if os.environ.get("OPTML_HUB_KEEP_LOG"):
            shutil.copy(log, BUILD / "hub-test.log")
        shutil.rmtree(base, ignore_errors=True)


# ------------------------------------------------------------------------------------------
# the notebook: solutions and hidden tests
# ------------------------------------------------------------------------------------------
def _source_cells() -> list[dict]:
    return json.loads((SOURCE / HW / f"{HW}.ipynb").read_text())["cells"]


def _solutions() -> dict[str, str]:
    """{grade_id: instructor's solution without delimiter lines} of the solution cells."""
    delimiter = re.compile(r"^\s*#+\s*(BEGIN|END) SOLUTION\s*$")
    return {
        c["metadata"]["nbgrader"]["grade_id"]: "\n".join(
            ln for ln in "".join(c["source"]).splitlines() if not delimiter.match(ln))
        for c in _source_cells()
        if c["cell_type"] == "code" and c.get("metadata", {}).get("nbgrader", {}).get("solution")
    }


def _max_score() -> float:
    return sum(c["metadata"]["nbgrader"].get("points", 0) for c in _source_cells()
               if c.get("metadata", {}).get("nbgrader", {}).get("grade"))


def _hidden_lines() -> set[str]:
    """Substantial lines that only the hidden-test blocks of the source notebook contain.

    A line that also stands, alone or within a longer line, outside every hidden block (``with
    quiet():``, an import, a solution line the student may write) shows nothing secret.
    """
    hidden, elsewhere, inside = set(), set(), False
    for cell in _source_cells():
        for line in "".join(cell["source"]).splitlines():
            if "BEGIN HIDDEN TESTS" in line:
                inside = True
            elif "END HIDDEN TESTS" in line:
                inside = False
            else:
                (hidden if inside else elsewhere).add(line.strip())
    lines = {ln for ln in hidden - elsewhere
             if len(ln) >= 12 and not any(ln in other for other in elsewhere)}
    assert lines, f"{HW} has no hidden tests to check feedback against"
    return lines


def _leaks(text: str) -> list[str]:
    text = html.unescape(text)
    return sorted(line for line in _hidden_lines() if line in text)


# ------------------------------------------------------------------------------------------
# the test
# ------------------------------------------------------------------------------------------
def _login(hub, role: str, **kw) -> tuple[HubSession, float]:
    """Log in through the form; return (session with its own API token, seconds to ready)."""
    name, password = hub["accounts"][role]
    session = HubSession(hub["url"])
    start = time.monotonic()
    session.login(name, password, **kw)
    session.new_token()
    waited = 0.0
    if not kw.get("next_url"):
        session.wait_server()
        waited = time.monotonic() - start
    return session, waited


def _autograded_errors(hub, student: str) -> list[str]:
    """Errors and stderr in the autograded notebook of ``student`` (for failure messages)."""
    path = hub["grader_home"] / COURSE / "autograded" / student / HW / f"{HW}.ipynb"
    if not path.exists():
        return [f"no autograded notebook at {path}"]
    found = []
    for cell in json.loads(path.read_text())["cells"]:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                found.append(f"{grade_id}: {out['ename']}: {out['evalue'][:300]}")
            elif out.get("name") == "stderr":
                found.append(f"{grade_id}: stderr {''.join(out['text'])[:300]}")
    return found


def _runuser(user: str, *cmd: str) -> subprocess.CompletedProcess:
    return subprocess.run(["runuser", "-u", user, "--", *cmd], capture_output=True, text=True)


def _memory_table(hub) -> list[tuple[str, float, float]]:
    procs = _processes()
    uid_of = {role: pwd.getpwnam(name).pw_uid for role, (name, _) in hub["accounts"].items()}
    rows = []

    def add(label, selected):
        selected = list(selected)
        if selected:
            rows.append((label, sum(p["rss"] for p in selected), sum(p["pss"] for p in selected)))

    add("hub (jupyterhub)", [p for p in procs if p["pid"] == hub["pids"]["hub"]])
    add("proxy (configurable-http-proxy)",
        [p for p in procs if p["pid"] == hub["pids"].get("proxy")])
    add("idle culler", [p for p in procs if "jupyterhub_idle_culler" in p["cmd"]
                        and p["ppid"] == hub["pids"]["hub"]])
    for role in ("grader", "instructor", "s1", "s2"):
        servers = [p for p in procs if p["uid"] == uid_of[role]
                   and "jupyterhub-singleuser" in p["cmd"]]
        label = "grader service (singleuser)" if role == "grader" else f"server of {role}"
        add(label, servers)
    kernels = [p for p in procs if p["uid"] in uid_of.values() and "ipykernel" in p["cmd"]]
    add(f"kernels ({len(kernels)}, numpy+helpers)", kernels)
    return rows


def test_hub_class_workflow(hub):
    a = hub["accounts"]
    name = {role: a[role][0] for role in a}
    service = f"/services/{COURSE}"
    fg = f"{service}/formgrader/api"
    spawns = {}

    # -- logins (PAM) and the hub admin ----------------------------------------------------
    instructor, spawns["instructor"] = _login(hub, "instructor")
    me = instructor.json("GET", "/hub/api/user")
    assert me["admin"], f"{name['instructor']} should be a hub admin (OPTML_HUB_ADMINS): {me}"

    # -- the idle culler's first round (at its start) must not be refused ------------------
    log = hub["log"].read_text(errors="replace")
    culler = [ln for ln in log.splitlines() if "idle-culler@" in ln and "/hub/api/" in ln]
    assert culler, f"no API call of the idle culler in the hub log:\n{hub['log_tail']()}"
    refused = [ln for ln in culler if re.search(r"\b40[13]\b", ln)]
    assert not refused, "the idle culler's API calls are refused:\n" + "\n".join(refused)
    assert any(re.search(r"\b200 GET /hub/api/users", ln) for ln in culler), culler

    # -- enrollment: hub users first, then nbgrader (which adds them to nbgrader-<course>) --
    instructor.json("POST", "/hub/api/users", {"usernames": [name["s1"], name["s2"]]})
    for _ in range(100):  # the hub-managed grader service may still be starting
        if instructor.status("GET", f"{service}/api/status") == 200:
            break
        time.sleep(0.3)
    else:
        pytest.fail(f"grader service not reachable:\n{hub['log_tail']()}")
    out = run_in_terminal(
        instructor, service,
        f"cd ~/{COURSE} && command -v nbgrader && nbgrader db student add {name['s1']} "
        f"&& nbgrader db student add {name['s2']}",
    )
    assert f"{hub['env']}/bin/nbgrader" in out, f"nbgrader not on the terminal's PATH:\n{out}"
    assert out.endswith("[exit 0]"), out
    group = instructor.json("GET", f"/hub/api/groups/nbgrader-{COURSE}")
    assert {name["s1"], name["s2"]} <= set(group["users"]), (group, out)

    # -- generate and release through the formgrader ----------------------------------------
    for action in ("assign", "release"):
        reply = instructor.json("POST", f"{fg}/assignment/{HW}/{action}", timeout=300)
        assert reply["success"], f"formgrader {action}: {reply}"
    released = hub["exchange"] / COURSE / "outbound" / HW / f"{HW}.ipynb"
    assert released.exists(), sorted(p.name for p in hub["exchange"].rglob("*"))
    assert not _leaks(released.read_text()), "hidden tests in the released notebook"

    # -- students: log in, fetch, answer, submit --------------------------------------------
    students = {}
    with ThreadPoolExecutor(2) as pool:  # two students log in at the same moment
        for role, result in zip(("s1", "s2"), pool.map(lambda r: _login(hub, r), ("s1", "s2")),
                                strict=True):
            students[role], spawns[f"{role} (with the other student)"] = result
    for role in ("s1", "s2"):
        s = students[role]
        assert HW in [x["assignment_id"] for x in s.assignments(COURSE)], "not listed"
        s.assignment_action("fetch", COURSE, HW)
    path = f"/user/{name['s1']}/api/contents/{COURSE}/{HW}/{HW}.ipynb"
    model = students["s1"].json("GET", path)
    solutions = _solutions()
    for cell in model["content"]["cells"]:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in solutions:
            cell["source"] = solutions[grade_id]
    students["s1"].json("PUT", path, {"type": "notebook", "format": "json",
                                      "content": model["content"]})
    for role in ("s1", "s2"):
        students[role].assignment_action("submit", COURSE, HW)

    # -- isolation ------------------------------------------------------------------------
    s1 = students["s1"]
    assert s1.status("GET", f"{service}/api/status") == 403, "a student opened the service"
    assert s1.status("GET", f"{fg}/assignments") == 403, "a student used the formgrader API"
    inbound = hub["exchange"] / COURSE / "inbound"
    submissions = sorted(p.name for p in inbound.iterdir())
    assert len(submissions) == 2, submissions
    assert inbound.stat().st_mode & 0o777 == 0o733, oct(inbound.stat().st_mode)  # -wx for all
    peek = _runuser(name["s2"], "ls", str(inbound))
    assert peek.returncode != 0 and "Permission denied" in peek.stderr, peek.stdout
    for secret in (Path(f"/home/{name['s1']}") / COURSE / HW / f"{HW}.ipynb",
                   hub["grader_home"] / COURSE / "source" / HW / f"{HW}.ipynb",
                   hub["grader_home"] / COURSE / "gradebook.db"):
        peek = _runuser(name["s2"], "cat", str(secret))
        assert peek.returncode != 0 and "Permission denied" in peek.stderr, (
            f"{name['s2']} can read {secret}")

    # -- the instructor's kernel holds the server's token: not an admin token ---------------
    code = ("import json, os, urllib.request as u\n"
            "r = u.Request(os.environ['JUPYTERHUB_API_URL'] + '/user', headers={"
            "'Authorization': 'token ' + os.environ['JUPYTERHUB_API_TOKEN']})\n"
            "print('SCOPES=' + json.dumps(json.load(u.urlopen(r)).get('scopes')))\n"
            "print('TOKEN=' + os.environ['JUPYTERHUB_API_TOKEN'])\n")
    out = run_in_kernel(instructor, f"/user/{name['instructor']}", code)
    scopes = json.loads(re.search(r"SCOPES=(.*)", out).group(1))
    kernel_token = re.search(r"TOKEN=(\S+)", out).group(1)
    # Only scopes filtered to the instructor's own user/server, plus reading the services.
    broad = [s for s in scopes if "!" not in s and not s.startswith(("list:services",
                                                                     "read:services"))]
    assert not broad, f"the kernel's token has unfiltered scopes {broad} (all: {scopes})"
    as_kernel = HubSession(hub["url"], token=kernel_token)
    assert instructor.status("GET", "/hub/api/users") == 200  # the admin's own token may
    assert as_kernel.status("GET", "/hub/api/users") == 403, "kernel token lists users"
    assert as_kernel.status("POST", f"/hub/api/users/{name['s1']}/tokens", {}) == 403
    assert as_kernel.status("DELETE", f"/hub/api/users/{name['s1']}/server") == 403

    # -- the TA: lists services, opens the grader service (no server of their own needed) ----
    ta, _ = _login(hub, "ta", next_url="/hub/home")
    listed = ta.json("GET", "/hub/api/services")
    assert COURSE in listed, listed
    assert ta.status("GET", f"{service}/api/status") == 200

    # -- collect, autograde each submission, feedback ---------------------------------------
    reply = instructor.json("POST", f"{fg}/assignment/{HW}/collect", timeout=300)
    assert reply["success"], reply
    autograde, logs = {}, {}
    for role in ("s1", "s2"):
        start = time.monotonic()
        reply = instructor.json("POST", f"{fg}/submission/{HW}/{name[role]}/autograde",
                                timeout=600)
        autograde[role] = time.monotonic() - start
        logs[role] = reply.get("log", "")
        assert reply["success"], f"autograde of {role}:\n{reply.get('log', reply)}"
    # The grading sandbox (coursetools/sandbox.py) logs each kernel, or SANDBOX OFF and why.
    text = hub["log"].read_text(errors="replace")
    sandbox_off = sorted({m.group(0) for m in re.finditer(r"SANDBOX OFF:[^\n]*", text)})
    sandbox_on = sorted({m.group(0) for m in re.finditer(r"sandboxed kernel \([^)]*\)", text)})
    MEASUREMENTS["grading sandbox in the grader service"] = "; ".join(
        sandbox_off or sandbox_on or ["no sandbox message in the hub log"])
    if sandbox_off:
        warnings.warn(f"autograde in the hub's grader service ran without the sandbox: "
                      f"{'; '.join(sandbox_off)}", stacklevel=1)
    scores = {x["student"]: x for x in instructor.json("GET", f"{fg}/submissions/{HW}")}
    best = _max_score()
    assert scores[name["s1"]]["max_score"] == pytest.approx(best)
    assert scores[name["s1"]]["score"] == pytest.approx(best), (
        f"the solution scored {scores[name['s1']]['score']} of {best}; errors in the autograded "
        f"notebook: {_autograded_errors(hub, name['s1'])}\nautograde log:\n{logs['s1'][-3000:]}")
    assert scores[name["s2"]]["score"] == 0, "the unanswered stub earned points"
    for action in ("generate_feedback", "release_feedback"):
        reply = instructor.json("POST", f"{fg}/assignment/{HW}/{action}", timeout=300)
        assert reply["success"], f"{action}: {reply}"
    feedback_dir = hub["exchange"] / COURSE / "feedback"
    assert feedback_dir.stat().st_mode & 0o777 == 0o711, oct(feedback_dir.stat().st_mode)
    for role in ("s1", "s2"):
        s = students[role]
        s.assignment_action("fetch_feedback", COURSE, HW)
        folder = s.json("GET", f"/user/{name[role]}/api/contents/{COURSE}/{HW}/feedback")
        (stamp,) = [x for x in folder["content"] if x["type"] == "directory"]
        page = s.json("GET", f"/user/{name[role]}/api/contents/"
                             f"{quote(stamp['path'])}/{HW}.html")
        text = page["content"]
        assert "Score:" in text or "score" in text.lower(), text[:500]
        assert not _leaks(text), f"hidden tests in {role}'s feedback: {_leaks(text)}"

    # -- measurements -----------------------------------------------------------------------
    out = run_in_kernel(s1, f"/user/{name['s1']}", (
        "import re, numpy, matplotlib.pyplot, helpers\n"
        "s = open('/proc/self/status').read()\n"
        "print('RSS=' + re.search(r'VmRSS:\\s+(\\d+)', s).group(1))\n"))
    MEASUREMENTS["kernel with numpy, matplotlib, helpers (MB rss)"] = round(
        int(re.search(r"RSS=(\d+)", out).group(1)) / 1024)
    MEASUREMENTS.update({f"spawn {r}, login to ready (s)": round(t, 1)
                         for r, t in spawns.items()})
    MEASUREMENTS.update({f"autograde {r} via service (s)": round(t, 1)
                         for r, t in autograde.items()})
    rows = _memory_table(hub)
    MEASUREMENTS["memory (MB rss, pss)"] = {label: [round(r), round(p)] for label, r, p in rows}
    lines = ["", f"hub measurements (load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"]
    lines += [f"  {k:<40} {v}" for k, v in MEASUREMENTS.items() if not isinstance(v, dict)]
    lines += [f"  {'process':<40} {'RSS MB':>7} {'PSS MB':>7}"]
    lines += [f"  {label:<40} {r:7.0f} {p:7.0f}" for label, r, p in rows]
    print("\n".join(lines))
    BUILD.mkdir(exist_ok=True)
    (BUILD / "hub-measurements.json").write_text(json.dumps(MEASUREMENTS, indent=2))


@pytest.mark.browser
def test_formgrader_screenshot(hub):
    """The formgrader inside the grader service's JupyterLab, in Chromium: build/screenshots/.

    Logs in through the hub's form, opens ``/services/optml/lab`` (OAuth to the service), then
    Nbgrader > Formgrader: the formgrader is shown in an iframe, which JupyterHub >= 4.1 would
    refuse without deploy/formgrader/jupyter_server_config.py.
    """
    sync_api = pytest.importorskip("playwright.sync_api")
    from browser_util import chromium

    name, password = hub["accounts"]["instructor"]
    shot = BUILD / "screenshots" / "hub-formgrader.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as pw, chromium(pw) as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 850})
        page.goto(f"{hub['url']}/hub/login?next=%2Fhub%2Fhome")
        page.fill("#username_input", name)
        page.fill("#password_input", password)
        page.click("#login_submit")
        page.wait_for_url("**/hub/home", timeout=60_000)
        page.goto(f"{hub['url']}/services/{COURSE}/lab", timeout=120_000)
        page.get_by_role("menuitem", name="Nbgrader").click(timeout=120_000)
        page.get_by_role("menuitem", name="Formgrader").click()
        frame = page.frame_locator("iframe").first
        frame.get_by_text("Manage Assignments").first.wait_for(timeout=120_000)
        released = "autograde s1 via service (s)" in MEASUREMENTS  # the workflow test ran
        if released:
            frame.get_by_text(HW).first.wait_for(timeout=60_000)
        # JupyterLab asks once whether to fetch Jupyter news (a toast over the corner).
        with contextlib.suppress(sync_api.Error):
            page.get_by_role("button", name="No", exact=True).click(timeout=3000)
        page.wait_for_timeout(500)
        page.screenshot(path=str(shot))
        text = frame.locator("body").inner_text()
    assert "Manage Assignments" in text, text[:500]
    assert not released or HW in text, text[:1000]
    print(f"screenshot: {shot}")
