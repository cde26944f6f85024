"""K3sApiReady: the gate every Kubernetes resource of a K3s cluster waits behind — a resource whose creation
succeeds only once the cluster's API answers `GET /readyz` with 200, polled by the engine with a bounded wait.

Why this mechanism. `pulumi up` must not apply a Helm release or a custom resource before cloud-init has
installed K3s (minutes after Nova reports the instance ACTIVE), or the first run fails and needs a second. The
options were (a) a Heat `OS::Heat::WaitCondition` signalled from cloud-init, or (b) polling K3s's own readiness
endpoint. (a) needs the signal URL in the servers' user data, but the servers are openstack Instances created by
Pulumi, not Heat resources, and their user data must stay stable (a changed user data would replace a server),
and it proves only that a script ran, not that the API answers. (b) checks exactly what the Kubernetes provider
needs next — the API at the registration address (load balancer VIP or the single server), with the cluster's
own CA and the admin client certificate the kubeconfig carries — from where `pulumi up` runs, which is also where
the Kubernetes provider will connect from. So (b): a Pulumi dynamic resource (the Python SDK's
`pulumi.dynamic`, run by the engine's Python dynamic-provider host under `pulumi up`) whose create and update poll
/readyz every `interval_s` until `timeout_s` and then fail with what was last seen. Its `kubeconfig` output is
the cluster's kubeconfig: a kubernetes Provider built from it depends on the gate, and so does every resource on
that Provider.

`pulumi preview` does not run the poll (dynamic providers only check and diff in a preview). Offline (`aidc plan`)
the mocks register the gate like any resource and never call the provider.
"""

from __future__ import annotations

import os
import ssl
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, Resource, ResourceProvider, UpdateResult

DEFAULT_TIMEOUT_S = 1800
DEFAULT_INTERVAL_S = 10
# Inputs whose change means "check again" (an update that polls); nothing here ever needs a replacement.
_CHECKED = ("endpoint", "ca_cert_pem", "client_cert_pem", "client_key_pem", "kubeconfig")


class K3sApiNotReady(Exception):
    """The API did not answer /readyz with 200 before the deadline."""


def _tls_context(ca_cert_pem: str, client_cert_pem: str, client_key_pem: str) -> ssl.SSLContext:
    """Verify the server against the cluster's server CA (not the system trust store) and present the admin
    client certificate: the same trust the kubeconfig uses."""
    context = ssl.create_default_context(cadata=ca_cert_pem)
    # load_cert_chain reads files only: write the pair to a private temporary directory for the call.
    with tempfile.TemporaryDirectory() as directory:
        cert_path = os.path.join(directory, "client.crt")
        key_path = os.path.join(directory, "client.key")
        for path, text in ((cert_path, client_cert_pem), (key_path, client_key_pem)):
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w") as handle:
                handle.write(text)
        context.load_cert_chain(cert_path, key_path)
    return context


def readyz_once(endpoint: str, context: ssl.SSLContext, request_timeout_s: float = 10) -> str | None:
    """None when the API is ready, else what it answered (or why it could not be reached)."""
    try:
        with urllib.request.urlopen(
            f"{endpoint}/readyz", context=context, timeout=request_timeout_s
        ) as reply:
            body = reply.read(2048).decode(errors="replace").strip()
            return None if reply.status == 200 else f"HTTP {reply.status}: {body[:200]}"
    except urllib.error.HTTPError as exc:
        return f"HTTP {exc.code}: {exc.read(2048).decode(errors='replace').strip()[:200]}"
    except (urllib.error.URLError, OSError) as exc:
        return f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}"


def wait_until_ready(
    props: Mapping[str, Any],
    *,
    probe: Callable[[str, ssl.SSLContext], str | None] = readyz_once,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Poll until ready; return the attempts it took, or raise K3sApiNotReady naming the endpoint, the wait
    and the last answer. `probe`, `clock` and `sleep` are seams for tests."""
    endpoint = str(props["endpoint"])
    timeout_s = float(props.get("timeout_s", DEFAULT_TIMEOUT_S))
    interval_s = float(props.get("interval_s", DEFAULT_INTERVAL_S))
    context = _tls_context(props["ca_cert_pem"], props["client_cert_pem"], props["client_key_pem"])
    deadline = clock() + timeout_s
    attempts = 0
    while True:
        attempts += 1
        last = probe(endpoint, context)
        if last is None:
            return attempts
        if clock() + interval_s > deadline:
            raise K3sApiNotReady(
                f"K3s API of cluster {props.get('cluster', '?')} at {endpoint} was not ready after "
                f"{timeout_s:.0f} s ({attempts} attempts); last answer: {last}. Check that `pulumi up` runs "
                "where the API is reachable (README: where `pulumi up` runs) and the servers' cloud-init log "
                "(`openstack console log show <cluster>-server-0`)."
            )
        sleep(interval_s)


class K3sReadyzProvider(ResourceProvider):
    """The dynamic provider behind K3sApiReady: create and update wait for /readyz; outputs echo the inputs."""

    def create(self, props: dict[str, Any]) -> CreateResult:
        wait_until_ready(props)
        return CreateResult(id_=f"{props.get('cluster', 'k3s')}-api-ready", outs=props)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = [key for key in _CHECKED if olds.get(key) != news.get(key)]
        return DiffResult(changes=bool(changed), replaces=[], delete_before_replace=False)

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        wait_until_ready(news)
        return UpdateResult(outs=news)


class K3sApiReady(Resource):
    """Created once the K3s API at `endpoint` is ready; `kubeconfig` is only known after that."""

    kubeconfig: pulumi.Output[str]
    endpoint: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        *,
        cluster: str,
        endpoint: pulumi.Input[str],
        ca_cert_pem: pulumi.Input[str],
        client_cert_pem: pulumi.Input[str],
        client_key_pem: pulumi.Input[str],
        kubeconfig: pulumi.Input[str],
        timeout_s: int = DEFAULT_TIMEOUT_S,
        interval_s: int = DEFAULT_INTERVAL_S,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        secret_outputs = pulumi.ResourceOptions(additional_secret_outputs=["client_key_pem", "kubeconfig"])
        super().__init__(
            K3sReadyzProvider(),
            name,
            {
                "cluster": cluster,
                "endpoint": endpoint,
                "ca_cert_pem": ca_cert_pem,
                "client_cert_pem": client_cert_pem,
                "client_key_pem": pulumi.Output.secret(client_key_pem),
                "kubeconfig": pulumi.Output.secret(kubeconfig),
                "timeout_s": timeout_s,
                "interval_s": interval_s,
            },
            pulumi.ResourceOptions.merge(opts, secret_outputs),
        )
