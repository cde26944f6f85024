"""A small fake Google Cloud over real HTTP on loopback, for the google-cloud client libraries (REST transport) and
google-auth to talk to: one base URL serves every API, as `aidc preflight --gcp-endpoint-url` points them all at it.

Endpoints (the paths the installed libraries call; their rest_base.py `uri` templates):
- Compute v1: GET /compute/v1/projects/{project} (Project), .../regions/{region} (Region),
  .../zones/{zone}/machineTypes/{machineType} (MachineType), .../zones/{zone}/acceleratorTypes/{acceleratorType}
  (AcceleratorType); a zone that does not offer the type answers 404 notFound, as Compute does.
- Service Usage v1: GET /v1/projects/{project}/services:batchGet?names=... (BatchGetServicesResponse).
- Cloud Quotas v1: GET /v1/projects/{project}/locations/global/services/compute.googleapis.com/quotaInfos/{quotaId}
  (QuotaInfo).
- OAuth 2.0: POST /token, the JWT bearer grant (RFC 7523) service-account credentials make: an access token for a
  key file whose token_uri points here (Application Default Credentials through GOOGLE_APPLICATION_CREDENTIALS;
  `service_account_key` writes one). `authorized_user` files cannot be pointed here: google-auth always sends them
  to Google's token endpoint.

Bodies have the APIs' real shapes: Compute's and Service Usage's from their discovery documents (compute.v1.json,
serviceusage.v1.json, shipped with google-api-python-client; tests/preflight/test_fake_gcp.py checks every body the
fake serves against them, enums included), Cloud Quotas' from its protobuf message (parsed strictly), errors as
Google's JSON error body {"error": {"code", "message", "errors": [{"message", "domain", "reason"}], "status",
"details": [ErrorInfo]}} (cloud.google.com/apis/design/errors). A disabled API answers 403 with reason
SERVICE_DISABLED and the service in ErrorInfo.metadata, as Google's front end does.

State to edit in tests: `offered` (zone -> machine and accelerator types it offers), `region_quotas` and
`project_quotas` (metric -> [limit, usage]), `family_quotas` ((region, gpu_family) -> limit), `services`
(name -> ENABLED | DISABLED). Faults: `expired` (401 UNAUTHENTICATED on every API call), `require_token` (401 unless
the bearer token is the one /token issued), `token_error` (/token answers invalid_grant), `fail[path fragment] =
status` (that status with Google's error body), `html[path fragment] = status` (an HTML page, as a proxy answers),
`throttle[path fragment] = n` (n x 429 RESOURCE_EXHAUSTED first), `hang_s` (sleep before answering).

Standalone (docs/gcp-preflight.md): `python -m tests.preflight.fake_gcp --port 8765 [--key FILE]` serves until
stopped; `--key` writes a service-account key file it trusts, for Application Default Credentials.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

PROJECT = "aidc-preflight-4711"
PROJECT_NUMBER = "412345678901"
REGION = "us-central1"
ZONES = ("us-central1-a", "us-central1-b", "us-central1-c", "us-central1-f")
ACCESS_TOKEN = "ya29.a0-fake-access-token-for-aidc-preflight"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
SELF_LINK = "https://www.googleapis.com/compute/v1/projects/{project}"
CREATED = "1969-12-31T16:00:00.000-08:00"

# name -> (vCPUs, memory MB, [(accelerator type, count)]), as cloud.google.com/compute/docs/gpus lists them
MACHINE_TYPES: dict[str, tuple[int, int, list[tuple[str, int]]]] = {
    "a3-highgpu-8g": (208, 1872 * 1024, [("nvidia-h100-80gb", 8)]),
    "a3-megagpu-8g": (208, 1872 * 1024, [("nvidia-h100-mega-80gb", 8)]),
    "a2-ultragpu-8g": (96, 1360 * 1024, [("nvidia-a100-80gb", 8)]),
    "a2-highgpu-8g": (96, 680 * 1024, [("nvidia-tesla-a100", 8)]),
    "g2-standard-48": (48, 192 * 1024, [("nvidia-l4", 4)]),
    "e2-standard-4": (4, 16 * 1024, []),
}
# name -> (description, maximumCardsPerInstance)
ACCELERATOR_TYPES: dict[str, tuple[str, int]] = {
    "nvidia-h100-80gb": ("NVIDIA H100 80GB", 8),
    "nvidia-h100-mega-80gb": ("NVIDIA H100 80GB MEGA", 8),
    "nvidia-a100-80gb": ("NVIDIA A100 80GB", 8),
    "nvidia-tesla-a100": ("NVIDIA A100 40GB", 16),
    "nvidia-l4": ("NVIDIA L4", 8),
}
SERVICE_TITLES = {
    "cloudresourcemanager.googleapis.com": "Cloud Resource Manager API",
    "compute.googleapis.com": "Compute Engine API",
    "container.googleapis.com": "Kubernetes Engine API",
    "cloudkms.googleapis.com": "Cloud Key Management Service (KMS) API",
    "storage.googleapis.com": "Cloud Storage API",
    "iam.googleapis.com": "Identity and Access Management (IAM) API",
    "iamcredentials.googleapis.com": "IAM Service Account Credentials API",
    "logging.googleapis.com": "Cloud Logging API",
    "monitoring.googleapis.com": "Cloud Monitoring API",
    "serviceusage.googleapis.com": "Service Usage API",
    "cloudquotas.googleapis.com": "Cloud Quotas API",
}
FAMILY_QUOTA_ID = "GPUS-PER-GPU-FAMILY-per-project-region"
STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}
REASONS = {400: "badRequest", 401: "authError", 403: "forbidden", 404: "notFound", 429: "rateLimitExceeded"}


def error_body(
    code: int, message: str, reason: str = "", details: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """Google's JSON error body."""
    error: dict[str, Any] = {
        "code": code,
        "message": message,
        "errors": [
            {"message": message, "domain": "global", "reason": reason or REASONS.get(code, "backendError")}
        ],
        "status": STATUS_NAMES.get(code, "UNKNOWN"),
    }
    if details:
        error["details"] = details
    return {"error": error}


def service_disabled(service: str) -> dict[str, Any]:
    """What Google answers a call to an API the project has not enabled."""
    title = SERVICE_TITLES.get(service, service)
    message = (
        f"{title} has not been used in project {PROJECT_NUMBER} before or it is disabled. Enable it by visiting "
        f"https://console.developers.google.com/apis/api/{service}/overview?project={PROJECT_NUMBER} then retry. If "
        "you enabled this API recently, wait a few minutes for the action to propagate to our systems and retry."
    )
    info = {
        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
        "reason": "SERVICE_DISABLED",
        "domain": "googleapis.com",
        "metadata": {"service": service, "consumer": f"projects/{PROJECT_NUMBER}", "serviceTitle": title},
    }
    body = error_body(403, message, "accessNotConfigured", [info])
    body["error"]["errors"][0]["domain"] = "usageLimits"
    return body


def permission_denied(project: str) -> dict[str, Any]:
    """What Service Usage and Cloud Quotas answer for a project that does not exist or the caller may not read."""
    info = {
        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
        "reason": "AUTH_PERMISSION_DENIED",
        "domain": "serviceusage.googleapis.com",
        "metadata": {"permission": "serviceusage.services.get", "resource": f"projects/{project}"},
    }
    return error_body(403, f"Permission denied to access project {project}", "forbidden", [info])


def _uint64(name: str) -> str:
    """A stable uint64 id (Compute ids are strings of digits)."""
    return str(int.from_bytes(name.encode()[:8].ljust(8, b"\0"), "big") % 10**19)


class FakeGcp:
    """Start with `with FakeGcp() as gcp:`; `gcp.base` is the URL for --gcp-endpoint-url."""

    def __init__(self, port: int = 0) -> None:
        self.offered: dict[str, set[str]] = {zone: {*MACHINE_TYPES, *ACCELERATOR_TYPES} for zone in ZONES}
        self.region_quotas: dict[str, list[float]] = {
            "CPUS": [2400, 24],
            "PREEMPTIBLE_CPUS": [0, 0],
            "NVIDIA_A100_GPUS": [64, 0],
            "NVIDIA_A100_80GB_GPUS": [64, 0],
            "NVIDIA_L4_GPUS": [64, 0],
            "PREEMPTIBLE_NVIDIA_A100_GPUS": [0, 0],
            "PREEMPTIBLE_NVIDIA_A100_80GB_GPUS": [0, 0],
            "PREEMPTIBLE_NVIDIA_L4_GPUS": [0, 0],
            "PREEMPTIBLE_NVIDIA_H100_GPUS": [0, 0],
            "INSTANCES": [6000, 3],
        }
        self.project_quotas: dict[str, list[float]] = {
            "GPUS_ALL_REGIONS": [512, 0],
            "CPUS_ALL_REGIONS": [4800, 24],
            "NETWORKS": [15, 1],
        }
        self.family_quotas: dict[tuple[str, str], int] = {
            (REGION, "NVIDIA_H100"): 256,
            (REGION, "NVIDIA_H100_MEGA"): 256,
        }
        self.services: dict[str, str] = dict.fromkeys(SERVICE_TITLES, "ENABLED")
        self.expired = False
        self.require_token = False
        self.token_error = False
        self.fail: dict[str, int] = {}
        self.html: dict[str, int] = {}
        self.throttle: dict[str, int] = {}
        self.hang_s = 0.0
        self.requests: list[tuple[str, str]] = []
        self.public_keys: dict[str, str] = {}  # private_key_id -> PEM public key (`trust`)
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FakeGcp:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    # --- bodies ------------------------------------------------------------------------------------------------

    def project(self) -> dict[str, Any]:
        return {
            "kind": "compute#project",
            "id": PROJECT_NUMBER,
            "creationTimestamp": CREATED,
            "name": PROJECT,
            "commonInstanceMetadata": {"kind": "compute#metadata", "fingerprint": "VlNGiRwLzWU="},
            "quotas": [{"metric": m, "limit": v[0], "usage": v[1]} for m, v in self.project_quotas.items()],
            "selfLink": SELF_LINK.format(project=PROJECT),
            "defaultServiceAccount": f"{PROJECT_NUMBER}-compute@developer.gserviceaccount.com",
            "xpnProjectStatus": "UNSPECIFIED_XPN_PROJECT_STATUS",
            "defaultNetworkTier": "PREMIUM",
            "vmDnsSetting": "ZONAL_ONLY",
        }

    def region(self, name: str) -> dict[str, Any]:
        base = SELF_LINK.format(project=PROJECT)
        return {
            "kind": "compute#region",
            "id": _uint64(name),
            "creationTimestamp": CREATED,
            "name": name,
            "description": name,
            "status": "UP",
            "zones": [f"{base}/zones/{zone}" for zone in ZONES],
            "quotas": [{"metric": m, "limit": v[0], "usage": v[1]} for m, v in self.region_quotas.items()],
            "selfLink": f"{base}/regions/{name}",
            "supportsPzs": False,
        }

    def machine_type(self, zone: str, name: str) -> dict[str, Any]:
        cpus, memory_mb, accelerators = MACHINE_TYPES[name]
        body: dict[str, Any] = {
            "kind": "compute#machineType",
            "id": _uint64(name),
            "creationTimestamp": CREATED,
            "name": name,
            "description": f"{cpus} vCPUs, {memory_mb // 1024} GB RAM",
            "guestCpus": cpus,
            "memoryMb": memory_mb,
            "imageSpaceGb": 0,
            "maximumPersistentDisks": 128,
            "maximumPersistentDisksSizeGb": "263168",
            "zone": zone,
            "selfLink": f"{SELF_LINK.format(project=PROJECT)}/zones/{zone}/machineTypes/{name}",
            "isSharedCpu": False,
            "architecture": "X86_64",
        }
        if accelerators:
            body["accelerators"] = [
                {"guestAcceleratorType": kind, "guestAcceleratorCount": count} for kind, count in accelerators
            ]
        return body

    def accelerator_type(self, zone: str, name: str) -> dict[str, Any]:
        description, most = ACCELERATOR_TYPES[name]
        base = SELF_LINK.format(project=PROJECT)
        return {
            "kind": "compute#acceleratorType",
            "id": _uint64(name),
            "creationTimestamp": CREATED,
            "name": name,
            "description": description,
            "zone": f"{base}/zones/{zone}",
            "maximumCardsPerInstance": most,
            "selfLink": f"{base}/zones/{zone}/acceleratorTypes/{name}",
        }

    def batch_get(self, names: list[str]) -> dict[str, Any]:
        services = []
        for name in names:
            service = name.rsplit("/", 1)[-1]
            services.append(
                {
                    "name": f"projects/{PROJECT_NUMBER}/services/{service}",
                    "parent": f"projects/{PROJECT_NUMBER}",
                    "config": {"name": service, "title": SERVICE_TITLES.get(service, service)},
                    "state": self.services.get(service, "DISABLED"),
                }
            )
        return {"services": services}

    def quota_info(self, quota_id: str) -> dict[str, Any]:
        infos = [
            {
                "dimensions": {"region": region, "gpu_family": family},
                "details": {"value": str(value)},
                "applicableLocations": [region],
            }
            for (region, family), value in sorted(self.family_quotas.items())
        ]
        infos.append(
            {"dimensions": {}, "details": {"value": "0"}, "applicableLocations": [REGION, "us-east4"]}
        )
        return {
            "name": f"projects/{PROJECT_NUMBER}/locations/global/services/compute.googleapis.com/quotaInfos/{quota_id}",
            "quotaId": quota_id,
            "metric": "compute.googleapis.com/gpus_per_gpu_family",
            "service": "compute.googleapis.com",
            "isPrecise": True,
            "containerType": "PROJECT",
            "dimensions": ["gpu_family", "region"],
            "metricDisplayName": "GPUs",
            "quotaDisplayName": "GPUs per GPU family",
            "metricUnit": "1",
            "quotaIncreaseEligibility": {"isEligible": True},
            "dimensionsInfos": infos,
        }

    def valid_token(self, authorization: str) -> bool:
        """The access token /token issued, or a JWT a registered service-account key signed itself (what the client
        libraries send for service-account credentials: google-auth's self-signed JWT access)."""
        token = authorization.removeprefix("Bearer ")
        if token == ACCESS_TOKEN:
            return True
        from google.auth import jwt

        try:
            claims = jwt.decode(token, certs=self.public_keys, verify=True)
        except ValueError:
            return False
        return str(claims.get("iss", "")).endswith(".iam.gserviceaccount.com")

    def trust(self, key_file: dict[str, str]) -> dict[str, str]:
        """Accept JWTs signed by this service-account key (`service_account_key`); returns the key file."""
        from cryptography.hazmat.primitives import serialization

        private = serialization.load_pem_private_key(key_file["private_key"].encode(), password=None)
        public = private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        self.public_keys[key_file["private_key_id"]] = public.decode()
        return key_file

    # --- routing -----------------------------------------------------------------------------------------------

    def _not_found(self, what: str) -> tuple[int, dict[str, Any]]:
        return 404, error_body(404, f"The resource '{what}' was not found")

    def _compute(self, parts: list[str]) -> tuple[int, dict[str, Any]]:
        # parts after /compute/v1/: projects, {p}[, regions, {r} | zones, {z}, machineTypes|acceleratorTypes, {n}]
        if len(parts) < 2 or parts[0] != "projects":
            return 404, error_body(404, "Not Found")
        project = parts[1]
        if project not in (PROJECT, PROJECT_NUMBER):
            return self._not_found(f"projects/{project}")
        rest = parts[2:]
        if not rest:
            return 200, self.project()
        if len(rest) == 2 and rest[0] == "regions":
            return (200, self.region(rest[1])) if rest[1] == REGION else self._not_found("/".join(parts))
        if len(rest) == 4 and rest[0] == "zones" and rest[2] in ("machineTypes", "acceleratorTypes"):
            zone, kind, name = rest[1], rest[2], rest[3]
            if zone not in self.offered:
                return 400, error_body(
                    400, f"Invalid value for field 'zone': '{zone}'. Unknown zone.", "invalid"
                )
            if name not in self.offered[zone]:
                return self._not_found(f"projects/{project}/zones/{zone}/{kind}/{name}")
            body = (
                self.machine_type(zone, name) if kind == "machineTypes" else self.accelerator_type(zone, name)
            )
            return 200, body
        return 404, error_body(404, "Not Found")

    def route(self, method: str, path: str, query: dict[str, list[str]], token: str) -> tuple[int, Any]:
        """(status, JSON body) for one request."""
        if method == "POST" and path == "/token":
            # RFC 7523 JWT bearer grant: what service-account credentials send (google.oauth2._client)
            if query.get("grant_type") != [JWT_BEARER] or not query.get("assertion"):
                return 400, {
                    "error": "invalid_request",
                    "error_description": "Invalid grant_type or no assertion.",
                }
            if self.token_error:
                return 400, {
                    "error": "invalid_grant",
                    "error_description": "Token has been expired or revoked.",
                }
            return 200, {"access_token": ACCESS_TOKEN, "expires_in": 3599, "token_type": "Bearer"}
        unauthenticated = self.expired or (self.require_token and not self.valid_token(token))
        if unauthenticated:
            message = (
                "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other "
                "valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project."
            )
            return 401, error_body(401, message)
        if path.startswith("/compute/v1/"):
            if self.services["compute.googleapis.com"] != "ENABLED":
                return 403, service_disabled("compute.googleapis.com")
            return self._compute(path.removeprefix("/compute/v1/").split("/"))
        prefix = "/v1/projects/"
        if path.startswith(prefix) and path.split("/")[3] not in (PROJECT, PROJECT_NUMBER):
            return 403, permission_denied(path.split("/")[3])
        if path.endswith("/services:batchGet"):
            return 200, self.batch_get(query.get("names", []))
        quota_path = "/locations/global/services/compute.googleapis.com/quotaInfos/"
        if path.startswith(prefix) and quota_path in path:
            if self.services["cloudquotas.googleapis.com"] != "ENABLED":
                return 403, service_disabled("cloudquotas.googleapis.com")
            quota_id = path.rsplit("/", 1)[-1]
            if quota_id != FAMILY_QUOTA_ID:
                return 404, error_body(404, f"QuotaInfo {quota_id} not found")
            return 200, self.quota_info(quota_id)
        return 404, error_body(404, f"fake: no route for {method} {path}")

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # keep pytest output clean
                pass

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = parse_qs(self.rfile.read(length).decode()) if length else {}
                url = urlsplit(self.path)
                fake.requests.append((self.command, url.path))
                if fake.hang_s:
                    time.sleep(fake.hang_s)
                for fragment, remaining in fake.throttle.items():
                    if remaining > 0 and fragment in url.path:
                        fake.throttle[fragment] = remaining - 1
                        self._send(
                            429,
                            json.dumps(error_body(429, "Quota exceeded for quota metric 'Read requests'")),
                        )
                        return
                for fragment, status in fake.html.items():
                    if fragment in url.path:
                        page = f"<html><body><h1>{status} Bad Gateway</h1><p>upstream error</p></body></html>"
                        self._send(status, page, "text/html; charset=UTF-8")
                        return
                for fragment, status in fake.fail.items():
                    if fragment in url.path:
                        self._send(status, json.dumps(error_body(status, f"fake {status} for {url.path}")))
                        return
                query = parse_qs(url.query) if self.command == "GET" else form
                status, body = fake.route(
                    self.command, url.path, query, self.headers.get("Authorization", "")
                )
                self._send(status, json.dumps(body))

            def _send(
                self, status: int, text: str, content_type: str = "application/json; charset=UTF-8"
            ) -> None:
                payload = text.encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout tests)
                    pass

            do_GET = _answer
            do_POST = _answer

        return Handler


def service_account_key(token_uri: str) -> dict[str, str]:
    """A service-account key file (the JSON `gcloud iam service-accounts keys create` writes) with a fresh RSA key
    and its token_uri at the fake: Application Default Credentials that really sign and exchange a JWT."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return {
        "type": "service_account",
        "project_id": PROJECT,
        "private_key_id": "4f1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c",
        "private_key": pem,
        "client_email": f"aidc-preflight@{PROJECT}.iam.gserviceaccount.com",
        "client_id": "104215384011234567890",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": token_uri,
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
        "client_x509_cert_url": f"https://www.googleapis.com/robot/v1/metadata/x509/aidc-preflight%40{PROJECT}.iam.gserviceaccount.com",
        "universe_domain": "googleapis.com",
    }


def main(argv: list[str] | None = None) -> int:
    """Serve the fake on loopback until interrupted (the docs' recipe; tests start it in-process instead)."""
    parser = argparse.ArgumentParser(prog="python -m tests.preflight.fake_gcp", description=main.__doc__)
    parser.add_argument("--port", type=int, default=8765, help="loopback port (default 8765)")
    parser.add_argument("--key", metavar="FILE", help="write a service-account key file the fake trusts")
    args = parser.parse_args(argv)
    with FakeGcp(args.port) as fake:
        if args.key:
            with open(args.key, "w", encoding="utf-8") as out:
                json.dump(fake.trust(service_account_key(f"{fake.base}/token")), out)
            fake.require_token = True
        print(f"fake Google Cloud at {fake.base} (project {PROJECT}, region {REGION})", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
