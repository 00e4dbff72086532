"""JupyterHub for a large class on one server (or a few, with /home and the exchange on NFS).

UNTESTED here: JupyterHub is not a course dependency and was not installed where this file was
written. Each setting names the documentation it follows; docs/deploy.md says what was tested.

Layout this file assumes (see docs/deploy.md, "Shared filesystem"):

- every person is a real Unix account (the built-in nbgrader exchange relies on Unix
  permissions: a student can drop a submission into ``inbound`` but cannot list it);
- the course environment is installed world-readable at /opt/optml (``python3.11 -m venv
  /opt/optml && /opt/optml/bin/pip install <this repository> jupyterhub``), with
  ``deploy/nbgrader_config.py`` copied to /etc/jupyter/nbgrader_config.py;
- the exchange is /srv/nbgrader/exchange (on the NFS share if there are several machines);
- the course files live in the grader account ``grader-optml``; the formgrader runs as a
  hub-managed service named after the course id (``optml``), reachable by the instructors and
  TAs in the group ``formgrade-optml``.

Several courses: repeat the group/role/service block per course id (``COURSES`` below); the
global nbgrader config already sets ``Exchange.path_includes_course = True``.
"""

import os

c = get_config()  # noqa: F821  (injected by JupyterHub)

ENV = "/opt/optml"  # the course environment (world-readable virtualenv)
COURSES = {
    # course id: {"grader": service account, "port": local port of its formgrader service,
    #             "instructors": accounts that grade (instructors and TAs)}
    "optml": {"grader": "grader-optml", "port": 9999, "instructors": ["instructor1", "ta1"]},
}

# --- who can log in --------------------------------------------------------------------
# PAM (the machine's Unix accounts) keeps the exchange's per-user permissions meaningful.
# Campus SSO: oauthenticator's GenericOAuthenticator plus a local account per user
# (LocalAuthenticator.create_system_users = True).
c.JupyterHub.authenticator_class = "pam"
c.Authenticator.allow_all = False
c.Authenticator.allowed_users = set()  # filled by the admins or by the groups below
c.Authenticator.admin_users = {"instructor1"}

# --- one single-user server per student, with limits --------------------------------------
# systemdspawner gives each server a cgroup: a runaway notebook cannot starve the class.
c.JupyterHub.spawner_class = "systemdspawner.SystemdSpawner"
c.Spawner.cmd = [f"{ENV}/bin/jupyterhub-singleuser"]
c.Spawner.default_url = "/lab"
c.Spawner.mem_limit = "2G"
c.Spawner.cpu_limit = 1.0
c.Spawner.environment = {
    "PATH": f"{ENV}/bin:/usr/local/bin:/usr/bin:/bin",  # nbgrader calls `alembic` from PATH
    "MPLBACKEND": "module://matplotlib_inline.backend_inline",
}
c.SystemdSpawner.unit_name_template = "jupyter-{USERNAME}"
c.SystemdSpawner.isolate_tmp = True
c.SystemdSpawner.disable_user_sudo = True
# Idle servers are culled after an hour (pip install jupyterhub-idle-culler into ENV).
c.JupyterHub.services = [
    {
        "name": "idle-culler",
        "command": [f"{ENV}/bin/python", "-m", "jupyterhub_idle_culler", "--timeout=3600"],
    }
]

# --- nbgrader: groups, roles and one formgrader service per course -------------------------
# Group names are nbgrader's convention: formgrade-<course> (graders), nbgrader-<course>
# (students; `nbgrader db student add` adds them through JupyterHubAuthPlugin).
c.JupyterHub.load_groups = {}
c.JupyterHub.load_roles = [
    # Single-user servers may use their owner's permissions (the assignment list asks the hub
    # which courses and services the user has).
    {"name": "server", "scopes": ["inherit"]},
    {   # what jupyterhub-idle-culler needs (JupyterHub RBAC docs, "Service to cull idle servers")
        "name": "idle-culler",
        "scopes": ["read:users:name", "read:users:activity", "servers"],
        "services": ["idle-culler"],
    },
]
for course, info in COURSES.items():
    graders = [*info["instructors"], info["grader"]]
    c.JupyterHub.load_groups[f"formgrade-{course}"] = graders
    c.JupyterHub.load_groups[f"nbgrader-{course}"] = []
    c.Authenticator.allowed_users |= set(graders)
    c.JupyterHub.load_roles += [
        {   # graders may open the course's formgrader service
            "name": f"formgrade-{course}",
            "groups": [f"formgrade-{course}"],
            "scopes": [f"access:services!service={course}"],
        },
        {   # students may discover the course service (assignment list)
            "name": f"nbgrader-{course}",
            "groups": [f"nbgrader-{course}"],
            "scopes": ["list:services", f"read:services!service={course}"],
        },
        {   # the formgrader adds students to nbgrader-<course> when they are added to the course
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
            "url": f"http://127.0.0.1:{info['port']}",
            "command": [f"{ENV}/bin/jupyterhub-singleuser", f"--port={info['port']}"],
            "user": info["grader"],
            "cwd": f"/home/{info['grader']}",
            "environment": {
                "JUPYTERHUB_DEFAULT_URL": "/lab",
                "PATH": f"{ENV}/bin:/usr/bin:/bin",
                # The formgrader opens in an iframe; JupyterHub >= 4.1 forbids framing
                # ("frame-ancestors 'none'", nbgrader #1870). This file is read only by the
                # grader service (JUPYTER_CONFIG_PATH below), so students keep the default.
                "JUPYTER_CONFIG_PATH": "/etc/jupyter/formgrader",
            },
            "oauth_no_confirm": True,
        }
    )

# --- hub itself ------------------------------------------------------------------------------
c.JupyterHub.bind_url = os.environ.get("OPTML_HUB_URL", "http://127.0.0.1:8000")
# Behind a TLS-terminating reverse proxy (nginx/caddy) in production. With per-user
# subdomains the iframe exception above is no longer needed and framing stays safe:
# c.JupyterHub.subdomain_host = "https://hub.example.edu"   (needs wildcard DNS + TLS)
c.JupyterHub.cookie_secret_file = "/srv/jupyterhub/jupyterhub_cookie_secret"
c.JupyterHub.db_url = "sqlite:////srv/jupyterhub/jupyterhub.sqlite"
