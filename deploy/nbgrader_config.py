"""Global nbgrader settings for every account on the hub (/etc/jupyter/nbgrader_config.py).

Read by students, instructors and the formgrader service alike (nbgrader merges it with the
per-course ``nbgrader_config.py`` in the course directory, which sets ``course_id`` and the rest
of the course's grading settings; see the repository's ``nbgrader_config.py``).

- ``Exchange.root``: the shared exchange directory (a POSIX filesystem mounted read-write at
  the same path in every single-user server). Create it before the first release with mode
  0777 exactly, as nbgrader requires: under a root-owned 0755 parent nbgrader cannot create it
  ("permission denied"). ``OPTML_EXCHANGE_ROOT`` overrides the default path.
- ``Exchange.path_includes_course``: students fetch into ``~/<course_id>/<assignment>/``, so
  several courses on one hub never mix their assignment folders.
- ``Authenticator.plugin_class``: under JupyterHub (``JUPYTERHUB_API_URL`` is set in every
  server the hub spawns) nbgrader asks the hub which courses a user belongs to: groups
  ``nbgrader-<course_id>`` (students) and ``formgrade-<course_id>`` (instructors, graders).
  Outside a hub (a laptop, CI) the default ``NoAuthPlugin`` stays, so the same image and
  config also work there.

- Grading (``Execute`` settings and ``Autograde.autograde_preprocessors``): the same as the
  repository's ``nbgrader_config.py`` (both call
  :func:`coursetools.nbgrader_setup.configure_grading`), so the formgrader's autograde button
  grades with :class:`coursetools.classroom_execute.ResilientExecute`, the policy check and
  every kernel in the bubblewrap sandbox (:mod:`coursetools.sandbox`) even for a course folder
  without its own config (``tests/test_sandbox.py`` checks that both files agree). Skipped where
  ``coursetools`` is not installed (an account that only takes the course).

Tested here (tests/test_deploy.py): this file as the global config of two Unix users and an
instructor account exchanging an assignment (release, fetch, submit, collect) through a
temporary ``OPTML_EXCHANGE_ROOT``; tests/test_hub.py: the JupyterHub branch, with a real hub,
PAM logins and the formgrader service.
"""

import importlib.util
import os

c = get_config()  # noqa: F821  (injected by the config loader)

c.Exchange.root = os.environ.get("OPTML_EXCHANGE_ROOT", "/srv/nbgrader/exchange")
c.Exchange.path_includes_course = True

# Timestamps of submissions in the course's time zone (late penalties compare against it).
c.Exchange.timezone = os.environ.get("OPTML_TIMEZONE", "UTC")

if os.environ.get("JUPYTERHUB_API_URL"):
    from nbgrader.auth import JupyterHubAuthPlugin

    c.Authenticator.plugin_class = JupyterHubAuthPlugin

# One log file per user (a shared file would need to be writable by everyone).
c.NbGrader.logfile = os.path.expanduser("~/.nbgrader.log")

# Grading: the same Execute and Autograde settings as the repository's nbgrader_config.py, from
# one function (coursetools.nbgrader_setup), where coursetools is installed.
if importlib.util.find_spec("coursetools.nbgrader_setup") is not None:
    from coursetools.nbgrader_setup import configure_grading

    configure_grading(c)
