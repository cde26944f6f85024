"""TLS of CephStorage's object gateways (pulumi_tls): one CA per CephStorage (the core cluster's object-storage
CA) and, per object store, a server key and certificate for the DNS names of the Service Rook creates, as the
kubernetes.io/tls Secret the gateway serves. Private keys are Pulumi secrets, in state only.

`tls.crt` holds the server certificate first (RGW serves the first certificate of the file, Rook's "Enable TLS"
docs) and then the CA: the Rook operator trusts every certificate in `tls.crt` for its own admin and
bucket-provisioning calls to the gateway, so it verifies the gateway against the CA. Clients trust the CA from the
Secret's `ca.crt` (or the component's `rgw_ca_cert` output).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s
import pulumi_tls as tls

from components._scope import Scope

# K3s' default --cluster-domain; the RGW certificate also names the service's fully qualified name under it.
CLUSTER_DOMAIN = "cluster.local"
_CA_VALIDITY_HOURS = 10 * 365 * 24
_RGW_CERT_VALIDITY_HOURS = 2 * 365 * 24
# `pulumi up` issues a new server certificate once the current one is this close to expiry.
_RGW_CERT_RENEWAL_HOURS = 30 * 24


def rgw_service_names(store: str, namespace: str) -> list[str]:
    """The DNS names of the Service Rook creates for a CephObjectStore (CephObjectStore.GetServiceName:
    rook-ceph-rgw-<store>), the in-cluster name the bucket provisioner advertises first."""
    service = f"rook-ceph-rgw-{store}"
    return [
        f"{service}.{namespace}.svc",
        f"{service}.{namespace}.svc.{CLUSTER_DOMAIN}",
        f"{service}.{namespace}",
        service,
    ]


def rgw_tls_secret_name(store: str) -> str:
    """The kubernetes.io/tls Secret the object store's gateway serves."""
    return f"{store}-rgw-tls"


@dataclass(frozen=True)
class Authority:
    """The CA that signs the object gateways' certificates."""

    key: tls.PrivateKey
    """Its private key (a Pulumi secret, in state only)."""
    cert: tls.SelfSignedCert
    """Its self-signed certificate (the `rgw_ca_cert` output)."""


def create_ca(scope: Scope, cluster_name: str) -> Authority:
    """The CephStorage's object-gateway CA: an ECDSA P-256 key and a ten-year CA certificate."""
    key = tls.PrivateKey(f"{scope.name}-rgw-ca-key", algorithm="ECDSA", ecdsa_curve="P256", opts=scope.opts())
    cert = tls.SelfSignedCert(
        f"{scope.name}-rgw-ca",
        private_key_pem=key.private_key_pem,
        is_ca_certificate=True,
        validity_period_hours=_CA_VALIDITY_HOURS,
        allowed_uses=["cert_signing", "crl_signing", "digital_signature"],
        subject={"common_name": f"rgw-ca@{cluster_name}", "organization": "aidc"},
        opts=scope.opts(),
    )
    return Authority(key, cert)


def create_tls_secret(
    scope: Scope, store: str, namespace: str, ca: Authority, namespace_resource: pulumi.Resource
) -> k8s.core.v1.Secret:
    """The store's server key and certificate (signed by `ca`) as the kubernetes.io/tls Secret its gateway
    serves; the key stays a Pulumi secret."""
    name = scope.name
    names = rgw_service_names(store, namespace)
    key = tls.PrivateKey(f"{name}-rgw-{store}-key", algorithm="ECDSA", ecdsa_curve="P256", opts=scope.opts())
    request = tls.CertRequest(
        f"{name}-rgw-{store}-csr",
        private_key_pem=key.private_key_pem,
        subject={"common_name": names[0], "organization": "aidc"},
        dns_names=names,
        opts=scope.opts(),
    )
    cert = tls.LocallySignedCert(
        f"{name}-rgw-{store}-cert",
        cert_request_pem=request.cert_request_pem,
        ca_private_key_pem=ca.key.private_key_pem,
        ca_cert_pem=ca.cert.cert_pem,
        validity_period_hours=_RGW_CERT_VALIDITY_HOURS,
        early_renewal_hours=_RGW_CERT_RENEWAL_HOURS,
        allowed_uses=["server_auth", "digital_signature", "key_encipherment"],
        opts=scope.opts(),
    )
    return k8s.core.v1.Secret(
        f"{name}-rgw-{store}-tls",
        metadata={"name": rgw_tls_secret_name(store), "namespace": namespace},
        type="kubernetes.io/tls",
        string_data={
            # Server certificate first (the one RGW serves), then the CA the Rook operator trusts.
            "tls.crt": pulumi.Output.all(cert.cert_pem, ca.cert.cert_pem).apply(lambda v: v[0] + v[1]),
            "tls.key": pulumi.Output.secret(key.private_key_pem),  # type: ignore[arg-type]
            "ca.crt": ca.cert.cert_pem,
        },
        opts=scope.opts(depends_on=[namespace_resource]),
    )
