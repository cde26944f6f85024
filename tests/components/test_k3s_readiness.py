"""The readiness gate's provider (components/k3s_readiness.py) against a real HTTPS server on loopback with
the trust K3s uses: a server certificate from the cluster's server CA, client certificates required. The gate
must pass once /readyz answers 200, keep polling while it does not, and stop at its deadline with an error
that names the cluster, the endpoint and the last answer; it must refuse a server its CA did not sign."""

from __future__ import annotations

import datetime
import http.server
import ipaddress
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from components.k3s_readiness import K3sApiNotReady, K3sReadyzProvider, readyz_once, wait_until_ready


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _pem(key: ec.EllipticCurvePrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


@dataclass
class Pki:
    ca_pem: str
    server_cert_pem: str
    server_key_pem: str
    client_cert_pem: str
    client_key_pem: str
    client_ca_pem: str


def _ca(common_name: str) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(_name(common_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def _leaf(
    ca_key: ec.EllipticCurvePrivateKey, ca: x509.Certificate, common_name: str, *, server: bool
) -> tuple[str, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH]
            ),
            critical=False,
        )
    )
    if server:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False
        )
    cert = builder.sign(ca_key, hashes.SHA256())
    return cert.public_bytes(serialization.Encoding.PEM).decode(), _pem(key)


@pytest.fixture(scope="module")
def pki() -> Pki:
    server_ca_key, server_ca = _ca("k3s-server-ca@core")
    client_ca_key, client_ca = _ca("k3s-client-ca@core")
    server_cert, server_key = _leaf(server_ca_key, server_ca, "kube-apiserver", server=True)
    client_cert, client_key = _leaf(client_ca_key, client_ca, "core-admin", server=False)
    return Pki(
        ca_pem=server_ca.public_bytes(serialization.Encoding.PEM).decode(),
        server_cert_pem=server_cert,
        server_key_pem=server_key,
        client_cert_pem=client_cert,
        client_key_pem=client_key,
        client_ca_pem=client_ca.public_bytes(serialization.Encoding.PEM).decode(),
    )


class _Api:
    """A loopback HTTPS server answering /readyz like kube-apiserver: 503 until `ready`, then 200 "ok"."""

    def __init__(self, pki: Pki, tmp: Path) -> None:
        self.ready = False
        self.requests = 0
        api = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                api.requests += 1
                status, body = (
                    (200, b"ok") if api.ready and self.path == "/readyz" else (503, b"[-]etcd failed")
                )
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_: object) -> None:
                pass

        (tmp / "server.crt").write_text(pki.server_cert_pem)
        (tmp / "server.key").write_text(pki.server_key_pem)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(tmp / "server.crt", tmp / "server.key")
        context.load_verify_locations(cadata=pki.client_ca_pem)
        context.verify_mode = ssl.CERT_REQUIRED  # the API requires the admin client certificate
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.endpoint = f"https://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def api(pki: Pki, tmp_path: Path) -> Iterator[_Api]:
    server = _Api(pki, tmp_path)
    yield server
    server.close()


def _props(pki: Pki, endpoint: str, **overrides: object) -> dict[str, object]:
    return {
        "cluster": "core",
        "endpoint": endpoint,
        "ca_cert_pem": pki.ca_pem,
        "client_cert_pem": pki.client_cert_pem,
        "client_key_pem": pki.client_key_pem,
        "kubeconfig": "apiVersion: v1",
        "timeout_s": 5,
        "interval_s": 0.05,
        **overrides,
    }


def test_the_gate_opens_when_readyz_answers_200(pki: Pki, api: _Api) -> None:
    api.ready = True
    result = K3sReadyzProvider().create(_props(pki, api.endpoint))
    assert result.id == "core-api-ready"
    assert result.outs["kubeconfig"] == "apiVersion: v1", "the kubeconfig is handed on only through the gate"


def test_the_gate_keeps_polling_until_the_api_is_ready(pki: Pki, api: _Api) -> None:
    def becomes_ready(seconds: float) -> None:
        api.ready = api.requests >= 3

    attempts = wait_until_ready(_props(pki, api.endpoint), sleep=becomes_ready)
    assert attempts == 4 and api.ready


def test_the_wait_is_bounded_and_the_error_says_what_it_saw(pki: Pki, api: _Api) -> None:
    now = [0.0]

    def fake_sleep(seconds: float) -> None:
        now[0] += seconds

    with pytest.raises(K3sApiNotReady) as error:
        wait_until_ready(
            _props(pki, api.endpoint, timeout_s=60, interval_s=10), clock=lambda: now[0], sleep=fake_sleep
        )
    message = str(error.value)
    assert "cluster core" in message and api.endpoint in message and "60 s" in message
    assert "HTTP 503" in message and "etcd failed" in message
    assert api.requests == 7 and "7 attempts" in message, "polled at 0, 10, ..., 60 s, then stopped"


def test_an_unreachable_endpoint_fails_with_the_reason(pki: Pki) -> None:
    with pytest.raises(K3sApiNotReady, match=r"127\.0\.0\.1:9.*(Connection refused|ConnectionRefused)"):
        wait_until_ready(_props(pki, "https://127.0.0.1:9", timeout_s=0.2, interval_s=0.1))


def test_a_server_the_cluster_ca_did_not_sign_is_not_trusted(pki: Pki, api: _Api) -> None:
    api.ready = True
    other_key, other_ca = _ca("someone-else")
    del other_key
    stranger = other_ca.public_bytes(serialization.Encoding.PEM).decode()
    with pytest.raises(K3sApiNotReady, match="CERTIFICATE_VERIFY_FAILED"):
        wait_until_ready(_props(pki, api.endpoint, ca_cert_pem=stranger, timeout_s=0.2, interval_s=0.1))


def test_readyz_once_reports_none_only_for_200(pki: Pki, api: _Api) -> None:
    from components.k3s_readiness import _tls_context

    context = _tls_context(pki.ca_pem, pki.client_cert_pem, pki.client_key_pem)
    assert readyz_once(api.endpoint, context) == "HTTP 503: [-]etcd failed"
    api.ready = True
    assert readyz_once(api.endpoint, context) is None


def test_a_changed_endpoint_or_credential_is_checked_again_in_place(pki: Pki) -> None:
    provider = K3sReadyzProvider()
    olds = _props(pki, "https://192.0.2.10:6443")
    assert not provider.diff("id", olds, dict(olds)).changes
    moved = provider.diff("id", olds, {**olds, "endpoint": "https://192.0.2.20:6443"})
    assert moved.changes and moved.replaces == []
