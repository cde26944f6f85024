"""A small fake OpenStack cloud over real HTTP on loopback, for openstacksdk to talk to.

Serves Keystone v3 (version discovery, POST /v3/auth/tokens with a catalog pointing back to itself),
Nova (/v2.1 flavors/detail, os-extra_specs, limits), Neutron (/v2.0 extensions, networks,
quotas/{project}/details), Glance (/v2/images) and Cinder (/v3/{project}/limits). Bodies are the JSON
files in fixtures/openstack/ (shaped on the OpenStack API reference examples; see its README).

Faults for tests: `expired` (401 on every call, as Keystone answers an expired token or password),
`throttle[path_fragment] = n` (n × 429 with Retry-After before answering), `hang_s` (sleep before answering).
"""

from __future__ import annotations

import copy
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).parent / "fixtures" / "openstack"
PROJECT_ID = "a6944d763bf64ee6a275f1263fae0352"
TOKEN = "gAAAAABfake-token-for-aidc-preflight-tests"


def load_fixture(name: str) -> Any:
    return json.loads((FIXTURES / f"{name}.json").read_text())


class FakeOpenStack:
    """Start with `with FakeOpenStack() as cloud:`; edit `cloud.bodies[...]` to change what it answers."""

    def __init__(self) -> None:
        self.bodies: dict[str, Any] = {p.stem: load_fixture(p.stem) for p in FIXTURES.glob("*.json")}
        self.expired = False
        self.throttle: dict[str, int] = {}
        self.hang_s = 0.0
        self.requests: list[tuple[str, str]] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def auth_url(self) -> str:
        return f"{self.base}/identity/v3"

    def env(self) -> dict[str, str]:
        """OS_* variables that point openstacksdk at this fake (password auth, project scope)."""
        return {
            "OS_AUTH_URL": self.auth_url,
            "OS_AUTH_TYPE": "password",
            "OS_IDENTITY_API_VERSION": "3",
            "OS_USERNAME": "aidc-preflight",
            "OS_PASSWORD": "not-a-real-password",
            "OS_PROJECT_NAME": "aidc",
            "OS_USER_DOMAIN_NAME": "Default",
            "OS_PROJECT_DOMAIN_NAME": "Default",
            "OS_REGION_NAME": "RegionOne",
            "OS_INTERFACE": "public",
        }

    def __enter__(self) -> FakeOpenStack:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def body(self, name: str) -> bytes:
        text = json.dumps(self.bodies[name])
        return text.replace("{base}", self.base).replace("{project_id}", PROJECT_ID).encode()

    def route(self, method: str, path: str, query: dict[str, list[str]]) -> tuple[int, Any, dict[str, str]]:
        """(status, fixture name or dict body, extra headers) for one request."""
        path = path.rstrip("/")
        if method == "POST" and path == "/identity/v3/auth/tokens":
            if self.expired:
                return 401, "keystone_unauthorized", {}
            return 201, "keystone_token", {"X-Subject-Token": TOKEN}
        if path == "/identity":
            return 300, "keystone_versions", {}
        if path == "/identity/v3":
            return 200, "keystone_version_v3", {}
        if self.expired:
            return 401, "keystone_unauthorized", {}
        routes: dict[str, str] = {
            "/compute": "nova_versions",
            "/compute/v2.1": "nova_version_v21",
            "/compute/v2.1/flavors/detail": "nova_flavors_detail",
            "/compute/v2.1/limits": "nova_limits",
            "/network": "neutron_versions",
            "/network/v2.0/extensions": "neutron_extensions",
            f"/network/v2.0/quotas/{PROJECT_ID}/details": "neutron_quota_details",
            "/image": "glance_versions",
            "/volume": "cinder_versions",
            f"/volume/v3/{PROJECT_ID}/limits": "cinder_limits",
        }
        if path in routes:
            return 200, routes[path], {}
        if path == "/network/v2.0/networks":
            return 200, self._filtered("neutron_networks", "networks", query), {}
        if path == "/image/v2/images":
            return 200, self._filtered("glance_images", "images", query), {}
        if path.startswith("/compute/v2.1/flavors/") and path.endswith("/os-extra_specs"):
            flavor_id = path.split("/")[4]
            for flavor in self.bodies["nova_flavors_detail"]["flavors"]:
                if flavor["id"] == flavor_id:
                    return 200, {"extra_specs": flavor.get("extra_specs", {})}, {}
        return 404, {"itemNotFound": {"code": 404, "message": f"fake: no route for {method} {path}"}}, {}

    def _filtered(self, name: str, key: str, query: dict[str, list[str]]) -> dict[str, Any]:
        body = copy.deepcopy(self.bodies[name])
        for field in ("name", "router:external"):
            if field in query:
                wanted = query[field][0]
                body[key] = [item for item in body[key] if str(item.get(field)).lower() == wanted.lower()]
        return body

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # keep pytest output clean
                pass

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                url = urlsplit(self.path)
                fake.requests.append((self.command, url.path))
                if fake.hang_s:
                    time.sleep(fake.hang_s)
                for fragment, remaining in fake.throttle.items():
                    if remaining > 0 and fragment in url.path:
                        fake.throttle[fragment] = remaining - 1
                        self._send(429, b'{"message": "Rate limit exceeded"}', {"Retry-After": "0"})
                        return
                status, body, headers = fake.route(self.command, url.path, parse_qs(url.query))
                payload = fake.body(body) if isinstance(body, str) else json.dumps(body).encode()
                self._send(status, payload, headers)

            def _send(self, status: int, payload: bytes, headers: dict[str, str]) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    for key, value in headers.items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout tests)
                    pass

            do_GET = _answer
            do_POST = _answer
            do_HEAD = _answer

        return Handler
