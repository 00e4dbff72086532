# /etc/profile.d/optml.sh: the course environment first on PATH in Jupyter terminals.
#
# A terminal in JupyterLab under JupyterHub starts `bash -l`, and Debian's /etc/profile resets
# PATH, so `nbgrader` and `python` would no longer be the course environment's. The hub's
# spawner and services set OPTML_ENV (deploy/jupyterhub_config.py); a login outside the hub
# gets /opt/optml when it exists. Install: cp deploy/profile.d/optml.sh /etc/profile.d/
# (tested by tests/test_hub.py: `nbgrader` in a terminal of the grader service).
_optml_env="${OPTML_ENV:-/opt/optml}"
if [ -x "$_optml_env/bin/nbgrader" ]; then
    case ":$PATH:" in
        *":$_optml_env/bin:"*) ;;
        *) PATH="$_optml_env/bin:$PATH"; export PATH ;;
    esac
fi
unset _optml_env
