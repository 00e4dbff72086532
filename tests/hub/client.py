"""A small HTTP client for a running JupyterHub, as a browser and a script would talk to it.

- :class:`HubSession`: one person's cookie session (PAM login through the hub's login form,
  with its ``_xsrf`` token), an API token of their own, and JSON requests through the proxy to
  the hub API, to their server (``/user/<name>/``) and to services (``/services/<name>/``).
- :func:`run_in_terminal` and :func:`run_in_kernel`: a shell command in a Jupyter terminal or
  Python code in a kernel of a server, over the same websockets JupyterLab uses.

Only the standard library and tornado (a dependency of Jupyter) are used.
"""

from __future__ import annotations

import asyncio
import http.cookiejar
import json
import re
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field


class HTTPStatus(Exception):
    """A non-2xx answer: ``status``, ``url`` and the start of the body."""

    def __init__(self, status: int, url: str, body: str):
        super().__init__(f"HTTP {status} from {url}: {body[:500]}")
        self.status, self.url, self.body = status, url, body


@dataclass
class HubSession:
    """A person logged into the hub at ``base`` (``http://127.0.0.1:<port>``)."""

    base: str
    name: str = ""
    token: str = ""
    jar: http.cookiejar.CookieJar = field(default_factory=http.cookiejar.CookieJar)

    def __post_init__(self):
        self._opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    # -- raw requests ---------------------------------------------------------------------
    def request(self, method: str, path: str, data=None, *, form=None, token: str | None = None,
                timeout: float = 60.0, cookies: bool = True):
        """``method path``; return (status, final URL, body text); raise HTTPStatus on >= 400.

        ``data`` is sent as JSON, ``form`` as an HTML form. With a token (the session's own
        unless ``token=""`` is given) the request uses ``Authorization: token ...``; cookie
        requests carry the ``_xsrf`` header the hub expects from JavaScript.
        """
        url = path if path.startswith("http") else self.base + path
        headers = {}
        body = None
        if data is not None:
            body, headers["Content-Type"] = json.dumps(data).encode(), "application/json"
        elif form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        token = self.token if token is None else token
        if token:
            headers["Authorization"] = f"token {token}"
        elif self.xsrf:
            headers["X-XSRFToken"] = self.xsrf
        req = urllib.request.Request(url, data=body, method=method, headers=headers)
        opener = self._opener if cookies else urllib.request.build_opener()
        try:
            with opener.open(req, timeout=timeout) as resp:
                return resp.status, resp.geturl(), resp.read().decode(errors="replace")
        except urllib.error.HTTPError as err:
            raise HTTPStatus(err.code, url, err.read().decode(errors="replace")) from None

    def json(self, method: str, path: str, data=None, **kw):
        """Like :meth:`request`; return the decoded JSON body (None if empty)."""
        text = self.request(method, path, data, **kw)[2]
        return json.loads(text) if text.strip() else None

    def status(self, method: str, path: str, data=None, **kw) -> int:
        """The HTTP status of a request (no exception for 4xx/5xx)."""
        try:
            return self.request(method, path, data, **kw)[0]
        except HTTPStatus as err:
            return err.status

    @property
    def xsrf(self) -> str:
        return next((c.value for c in self.jar if c.name == "_xsrf"), "")

    # -- the hub ------------------------------------------------------------------------
    def login(self, name: str, password: str, next_url: str = "") -> str:
        """Log in through the hub's form (PAM); return the URL the hub redirected to.

        ``next_url`` (e.g. ``/hub/home``) avoids the automatic spawn of the user's server.
        """
        self.name = name
        _, _, page = self.request("GET", "/hub/login", token="")
        match = re.search(r'name="_xsrf"\s+value="([^"]+)"', page)
        form = {"username": name, "password": password}
        if match:
            form["_xsrf"] = match.group(1)
        query = f"?next={urllib.parse.quote(next_url)}" if next_url else ""
        _, final, _ = self.request("POST", f"/hub/login{query}", form=form, token="")
        if "/hub/login" in urllib.parse.urlparse(final).path:
            raise RuntimeError(f"login of {name} failed (back at {final})")
        return final

    def new_token(self, note: str = "tests/test_hub.py") -> str:
        """An API token of the logged-in user (the user's own permissions), kept as default."""
        reply = self.json("POST", f"/hub/api/users/{self.name}/tokens",
                          {"note": note, "expires_in": 3600}, token="")
        self.token = reply["token"]
        return self.token

    def wait_server(self, timeout: float = 240.0) -> float:
        """Wait until the user's server answers its API; return the seconds waited."""
        start = time.monotonic()
        while True:
            try:
                self.request("GET", f"/user/{self.name}/api/status", timeout=10)
                return time.monotonic() - start
            except (HTTPStatus, OSError) as err:
                if time.monotonic() - start > timeout:
                    raise TimeoutError(f"server of {self.name} not ready: {err}") from None
                time.sleep(0.25)

    # -- nbgrader's assignment list in the user's server ------------------------------------
    def assignments(self, course: str) -> list[dict]:
        reply = self.json("GET", f"/user/{self.name}/assignments?course_id={course}")
        assert reply.get("success"), reply
        return reply["value"]

    def assignment_action(self, action: str, course: str, assignment: str) -> dict:
        """fetch | submit | fetch_feedback, as the Assignments tab does; return the reply."""
        reply = self.json("POST", f"/user/{self.name}/assignments/{action}",
                          {"course_id": course, "assignment_id": assignment}, timeout=180)
        assert reply.get("success"), f"{action} by {self.name}: {reply}"
        return reply


# ------------------------------------------------------------------------------------------
# websockets: a terminal and a kernel
# ------------------------------------------------------------------------------------------
def _ws_url(session: HubSession, path: str) -> str:
    return session.base.replace("http://", "ws://", 1) + path


async def _terminal(session: HubSession, server: str, command: str, timeout: float) -> str:
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    name = session.json("POST", f"{server}/api/terminals")["name"]
    try:
        req = HTTPRequest(_ws_url(session, f"{server}/terminals/websocket/{name}"),
                          headers={"Authorization": f"token {session.token}"})
        ws = await websocket_connect(req)
        mark = secrets.token_hex(4)
        # The terminal echoes what is typed: the marker is assembled by the shell, so only
        # the command's own output contains it in one piece.
        ws.write_message(json.dumps(["stdin", f"{command}; echo {mark[:4]}''{mark[4:]}=$?\r"]))
        out = ""
        deadline = time.monotonic() + timeout
        while (m := re.search(rf"{mark}=(\d+)", out)) is None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"terminal command did not finish: {command}\n{out[-2000:]}")
            msg = await asyncio.wait_for(ws.read_message(), left)
            if msg is None:
                raise RuntimeError(f"terminal closed: {out[-2000:]}")
            kind, *payload = json.loads(msg)
            if kind == "stdout":
                out += payload[0]
        ws.close()
        return out[: m.start()] + f"[exit {m.group(1)}]"
    finally:
        session.status("DELETE", f"{server}/api/terminals/{name}")


def run_in_terminal(session: HubSession, server: str, command: str,
                    timeout: float = 120.0) -> str:
    """Run ``command`` in a new terminal of ``server`` (``/user/x`` or ``/services/y``).

    The terminal is the one JupyterLab opens (a login shell of the server's user). Returns what
    the terminal showed, ending in ``[exit N]``; the terminal is closed afterwards.
    """
    return asyncio.run(_terminal(session, server, command, timeout))


async def _kernel(session: HubSession, server: str, code: str, timeout: float) -> str:
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    kernel = session.json("POST", f"{server}/api/kernels", {"name": "python3"})["id"]
    try:
        req = HTTPRequest(_ws_url(session, f"{server}/api/kernels/{kernel}/channels"),
                          headers={"Authorization": f"token {session.token}"})
        ws = await websocket_connect(req)
        msg_id = secrets.token_hex(8)
        ws.write_message(json.dumps({
            "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": "test",
                       "session": secrets.token_hex(8), "version": "5.3"},
            "parent_header": {}, "metadata": {}, "channel": "shell",
            "content": {"code": code, "silent": False, "store_history": False,
                        "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
        }))
        out, deadline = [], time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"kernel did not finish: {''.join(out)[-2000:]}")
            raw = await asyncio.wait_for(ws.read_message(), left)
            if raw is None:
                raise RuntimeError("kernel websocket closed")
            msg = json.loads(raw)
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = msg["header"]["msg_type"], msg["content"]
            if kind == "stream":
                out.append(content["text"])
            elif kind == "error":
                out.append(f"{content['ename']}: {content['evalue']}\n")
            elif kind == "status" and content["execution_state"] == "idle":
                break
        ws.close()
        return "".join(out)
    finally:
        session.status("DELETE", f"{server}/api/kernels/{kernel}")


def run_in_kernel(session: HubSession, server: str, code: str, timeout: float = 120.0) -> str:
    """Execute ``code`` in a new python3 kernel of ``server``; return its printed output."""
    return asyncio.run(_kernel(session, server, code, timeout))
