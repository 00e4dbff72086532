"""Jupyter Server settings for the formgrader service only: /etc/jupyter/formgrader/.

JupyterHub >= 4.1 sends ``Content-Security-Policy: frame-ancestors 'none'`` from every
single-user server, which blanks the formgrader (JupyterLab shows it in an iframe; nbgrader
#1870, #1947). Allowing frames from the same origin brings it back. With the hub on one
origin (no subdomains), any page on that origin may then frame the graders' server: accept
that only for the grader service, whose users are staff. Better: per-user subdomains
(``JupyterHub.subdomain_host``), where 'self' is the grader service's own origin; or open
``/services/<course>/formgrader`` directly in its own browser tab and skip this file.
"""

c = get_config()  # noqa: F821

c.ServerApp.tornado_settings = {
    "headers": {"Content-Security-Policy": "frame-ancestors 'self'"},
}
