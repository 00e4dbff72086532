"""JupyterHub for a large class on one server (or a few, with /home and the exchange on NFS).

Tested (tests/test_hub.py, as root): this file, unmodified, with JupyterHub 6.1.1,
configurable-http-proxy 5.3.0, PAM logins of real Unix accounts, ``LocalProcessSpawner`` (the
test machine has no systemd), the idle culler and the formgrader service, through one assignment
from release to feedback. Not tested: ``SystemdSpawner`` and its limits. docs/deploy.md says
what was measured and how to size a class.

Layout this file assumes (see docs/deploy.md, "Layout A"):

- every person is a real Unix account (the built-in nbgrader exchange relies on Unix
  permissions: a student can drop a submission into ``inbound`` but cannot list it);
- the course environment is installed world-readable at ``/opt/optml``
  (``/usr/bin/python3.11 -m venv /opt/optml && /opt/optml/bin/pip install -r
  deploy/hub/requirements.txt <this repository>``) with configurable-http-proxy in
  ``/opt/optml/proxy`` (``npm ci`` of deploy/hub/package-lock.json), and
  ``deploy/nbgrader_config.py`` copied to /etc/jupyter/nbgrader_config.py;
- the exchange ``/srv/nbgrader/exchange`` exists with mode 0777 (on the NFS share if there are
  several machines);
- the course files live in the grader account ``grader-optml``; the formgrader runs as a
  hub-managed service named after the course id (``optml``), reachable by the instructors and
  TAs in the group ``formgrade-optml``.

Settings read from the environment of the hub process (defaults in brackets), so the same file
serves a test or a second hub without edits:

=========================  ==================================================================
``OPTML_HUB_SPAWNER``      spawner class [``systemdspawner.SystemdSpawner``]
``OPTML_HUB_STATE``        folder of the hub's database, cookie secret, pid files [/srv/jupyterhub]
``OPTML_HUB_ENV``          the course environment's prefix [/opt/optml]
``OPTML_HUB_URL``          public URL the proxy listens on [http://127.0.0.1:8000]
``OPTML_HUB_API_PORT``     the hub's own port on 127.0.0.1 (proxy and servers call it) [8081]
``OPTML_PROXY_API_PORT``   the proxy's REST API port on 127.0.0.1 [8001]
``OPTML_SERVICE_PORT``     port of the first course's formgrader service, +1 per course [9999]
``OPTML_PROXY``            configurable-http-proxy [<env>/proxy/node_modules/.bin/...]
``OPTML_JUPYTER_ETC``      folder with the global nbgrader config and ``formgrader/`` [/etc/jupyter]
``OPTML_HUB_COURSES``      JSON ``{course: {"grader": account, "instructors": [...]}}``
``OPTML_HUB_ADMINS``       comma-separated hub admins [instructor1]
``OPTML_CULL_TIMEOUT``     seconds of inactivity before the culler stops a server [3600]
``OPTML_EXCHANGE_ROOT``    passed on to every server (read by deploy/nbgrader_config.py)
=========================  ==================================================================

Several courses: one entry per course id in ``COURSES``; the global nbgrader config already sets
``Exchange.path_includes_course = True``.
"""

import json
import os
import pwd

c = get_config()  # noqa: F821  (injected by JupyterHub)

ENV = os.environ.get("OPTML_HUB_ENV", "/opt/optml")  # world-readable virtualenv
STATE = os.environ.get("OPTML_HUB_STATE", "/srv/jupyterhub")
ETC = os.environ.get("OPTML_JUPYTER_ETC", "/etc/jupyter")
SPAWNER = os.environ.get("OPTML_HUB_SPAWNER", "systemdspawner.SystemdSpawner")
HUB_API_PORT = int(os.environ.get("OPTML_HUB_API_PORT", "8081"))
PROXY_API_PORT = int(os.environ.get("OPTML_PROXY_API_PORT", "8001"))
SERVICE_PORT = int(os.environ.get("OPTML_SERVICE_PORT", "9999"))
PROXY = os.environ.get("OPTML_PROXY", f"{ENV}/proxy/node_modules/.bin/configurable-http-proxy")
CULL_TIMEOUT = int(os.environ.get("OPTML_CULL_TIMEOUT", "3600"))
ADMINS = {a.strip() for a in os.environ.get("OPTML_HUB_ADMINS", "instructor1").split(",")
          if a.strip()}
# course id: {"grader": service account owning the course folder and gradebook,
#             "instructors": accounts that grade (instructors and TAs)}
COURSES = json.loads(os.environ.get("OPTML_HUB_COURSES") or "null") or {
    "optml": {"grader": "grader-optml", "instructors": ["instructor1", "ta1"]},
}

PATH = f"{ENV}/bin:/usr/local/bin:/usr/bin:/bin"  # nbgrader calls `alembic` from PATH
# What every single-user server and every service gets (their kernels and terminals inherit
# it). OPTML_ENV lets /etc/profile.d/optml.sh (deploy/profile.d/) put ENV back on PATH in
# terminals, whose `bash -l` resets PATH through Debian's /etc/profile.
COMMON_ENV = {
    "PATH": PATH,
    "OPTML_ENV": ENV,
    "MPLBACKEND": "module://matplotlib_inline.backend_inline",
}
if os.path.realpath(ETC) != "/etc/jupyter":  # /etc/jupyter is on Jupyter's path anyway
    COMMON_ENV["JUPYTER_CONFIG_PATH"] = ETC
for var in ("OPTML_EXCHANGE_ROOT", "OPTML_TIMEZONE"):
    if os.environ.get(var):
        COMMON_ENV[var] = os.environ[var]


def _home(user):
    try:
        return pwd.getpwnam(user).pw_dir
    except KeyError:  # not created yet: the hub starts; the service fails until it exists
        return f"/home/{user}"


# --- who can log in --------------------------------------------------------------------
# PAM (the machine's Unix accounts) keeps the exchange's per-user permissions meaningful.
# Campus SSO: oauthenticator's GenericOAuthenticator plus a local account per user
# (LocalAuthenticator.create_system_users = True).
c.JupyterHub.authenticator_class = "pam"
c.Authenticator.allow_all = False
c.Authenticator.admin_users = ADMINS
# Students are enrolled as hub users (admin page "Add Users", or POST /hub/api/users) before
# `nbgrader db student add` puts them into nbgrader-<course>: nbgrader cannot add a user the
# hub does not know ("400 No such user", logged, exit code 0). Users in the hub's database
# may log in; the graders are allowed below.
c.Authenticator.allowed_users = set()
c.Authenticator.allow_existing_users = True

# --- one single-user server per student, with limits --------------------------------------
# systemdspawner gives each server a cgroup: a runaway notebook cannot starve the class.
# LocalProcessSpawner ("simple" or jupyterhub.spawner.LocalProcessSpawner) runs the same
# servers without limits (the test uses it: no systemd there).
c.JupyterHub.spawner_class = SPAWNER
c.Spawner.cmd = [f"{ENV}/bin/jupyterhub-singleuser"]
c.Spawner.default_url = "/lab"
c.Spawner.mem_limit = "2G"
c.Spawner.cpu_limit = 1.0
c.Spawner.environment = dict(COMMON_ENV)
# A lecture hall logging in at once on a busy machine: JupyterLab with nbgrader took up to
# 27 s to answer in the test at load 10-18 (2.5-5 s quiet); JupyterHub gives up after
# start_timeout (default 60 s) and http_timeout (30 s) and marks the server as failed.
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 120
c.SystemdSpawner.unit_name_template = "jupyter-{USERNAME}"
c.SystemdSpawner.isolate_tmp = True
c.SystemdSpawner.disable_user_sudo = True
# Idle servers are culled after an hour (jupyterhub-idle-culler, in deploy/hub/requirements.txt).
c.JupyterHub.services = [
    {
        "name": "idle-culler",
        "command": [f"{ENV}/bin/python", "-m", "jupyterhub_idle_culler",
                    f"--timeout={CULL_TIMEOUT}"],
    }
]

# --- nbgrader: groups, roles and one formgrader service per course -------------------------
# Group names are nbgrader's convention: formgrade-<course> (graders), nbgrader-<course>
# (students; `nbgrader db student add` and `nbgrader db student import` add them through
# JupyterHubAuthPlugin; the formgrader's "Add student" button does not, in nbgrader 0.9.6).
# load_groups only adds members: students added later stay in their group across restarts.
c.JupyterHub.load_groups = {}
c.JupyterHub.load_roles = [
    # The token of every single-user server (JUPYTERHUB_API_TOKEN, inherited by every kernel
    # and terminal) may only do what the server needs: report activity, check who may open it,
    # read its owner's name and groups (nbgrader's course list) and find the course services.
    # Not "inherit": that would make an admin's kernel hold a full admin token.
    {
        "name": "server",
        "scopes": ["users:activity!user", "access:servers!server", "read:users:name!user",
                   "read:users:groups!user", "list:services", "read:services"],
    },
    {   # what jupyterhub-idle-culler needs (its README, "Permissions")
        "name": "idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    },
]
for index, (course, info) in enumerate(COURSES.items()):
    port = SERVICE_PORT + index
    graders = [*info["instructors"], info["grader"]]
    c.JupyterHub.load_groups[f"formgrade-{course}"] = {"users": graders}
    c.JupyterHub.load_groups[f"nbgrader-{course}"] = {"users": []}
    c.Authenticator.allowed_users |= set(graders)
    c.JupyterHub.load_roles += [
        {   # graders may open the course's formgrader service and see it in the course list
            "name": f"formgrade-{course}",
            "groups": [f"formgrade-{course}"],
            "scopes": [f"access:services!service={course}", "list:services",
                       f"read:services!service={course}"],
        },
        {   # students may discover the course service (assignment list)
            "name": f"nbgrader-{course}",
            "groups": [f"nbgrader-{course}"],
            "scopes": ["list:services", f"read:services!service={course}"],
        },
        {   # `nbgrader db student add` in the grader service adds students to nbgrader-<course>
            "name": f"grader-service-{course}",
            "services": [course],
            "scopes": ["read:users", f"groups!group=nbgrader-{course}", "list:groups",
                       "read:groups"],
        },
    ]
    c.JupyterHub.services.append(
        {
            # The service name MUST equal the course id (nbgrader builds the link from it).
            "name": course,
            "url": f"http://127.0.0.1:{port}",
            "command": [f"{ENV}/bin/jupyterhub-singleuser", f"--port={port}"],
            "user": info["grader"],
            "cwd": _home(info["grader"]),
            "environment": {
                **COMMON_ENV,
                "JUPYTERHUB_DEFAULT_URL": "/lab",
                # The formgrader opens in an iframe; JupyterHub >= 4.1 forbids framing
                # ("frame-ancestors 'none'", nbgrader #1870). formgrader/ is read only by the
                # grader service, so students keep the default.
                "JUPYTER_CONFIG_PATH": os.pathsep.join([f"{ETC}/formgrader", ETC]),
            },
            "oauth_no_confirm": True,
            # The hub exits if a managed service is not up within `timeout` (JupyterHub >= 6.0,
            # default 30 s). JupyterLab with nbgrader took 28 s to start on a loaded machine.
            "timeout": 120,
        }
    )

# --- hub itself ------------------------------------------------------------------------------
c.JupyterHub.bind_url = os.environ.get("OPTML_HUB_URL", "http://127.0.0.1:8000")
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{HUB_API_PORT}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{PROXY_API_PORT}"
if os.path.exists(PROXY):  # else `configurable-http-proxy` from PATH
    c.ConfigurableHTTPProxy.command = [PROXY]
c.ConfigurableHTTPProxy.pid_file = f"{STATE}/jupyterhub-proxy.pid"
c.JupyterHub.pid_file = f"{STATE}/jupyterhub.pid"
# Behind a TLS-terminating reverse proxy (nginx/caddy) in production. With per-user
# subdomains the iframe exception above is no longer needed and framing stays safe:
# c.JupyterHub.subdomain_host = "https://hub.example.edu"   (needs wildcard DNS + TLS)
c.JupyterHub.cookie_secret_file = f"{STATE}/jupyterhub_cookie_secret"
c.JupyterHub.db_url = f"sqlite:///{STATE}/jupyterhub.sqlite"
