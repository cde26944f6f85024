"""The cluster's admin kubeconfig: the named user `aidc-admin` (a short-lived client certificate minted by
identity.py, bound to cluster-admin by the ClusterRoleBinding every server applies), trusting the cluster CA."""

from __future__ import annotations

import base64

import yaml

from components.k3s_api import API_PORT
from components.k3s_cluster.identity import ADMIN_USER


def _b64(pem: str | None) -> str:
    return base64.b64encode((pem or "").encode()).decode()


def build_kubeconfig(
    *,
    cluster_name: str,
    server_address: str,
    ca_cert_pem: str | None,
    client_cert_pem: str | None,
    client_key_pem: str | None,
) -> str:
    """A kubeconfig for https://<server_address>:6443 as the named admin user, trusting the cluster's server CA."""
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {
                "name": cluster_name,
                "cluster": {
                    "server": f"https://{server_address}:{API_PORT}",
                    "certificate-authority-data": _b64(ca_cert_pem),
                },
            }
        ],
        "users": [
            {
                "name": ADMIN_USER,
                "user": {
                    "client-certificate-data": _b64(client_cert_pem),
                    "client-key-data": _b64(client_key_pem),
                },
            }
        ],
        "contexts": [{"name": cluster_name, "context": {"cluster": cluster_name, "user": ADMIN_USER}}],
        "current-context": cluster_name,
    }
    return yaml.safe_dump(config, sort_keys=False)
