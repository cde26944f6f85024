"""Naming helpers shared by the components: a child-name part derived from a value, never from a list index.

Pure functions without Pulumi resources; safe for any component to import.
"""

from __future__ import annotations

import ipaddress

from aidc.contract import CLUSTER_LABEL as CLUSTER_LABEL


def cidr_slug(cidr: str) -> str:
    """'10.20.0.0/16' -> '10-20-0-0-16': a name part derived from the CIDR, never from a list index."""
    return str(ipaddress.ip_network(cidr, strict=False)).replace(".", "-").replace(":", "-").replace("/", "-")


# CLUSTER_LABEL (the contract's): the label and release-description key naming the cluster a Kubernetes object
# belongs to (the K3s, EKS or GKE cluster's name). The policy pack groups device plugins, flavors and queues by it.


def release_description(what: str, cluster: str) -> str:
    """A Helm release's description naming its cluster (Helm releases carry no labels): `aidc: <what>;
    aidc.io/cluster=<cluster>`, which the policy pack reads."""
    return f"aidc: {what}; {CLUSTER_LABEL}={cluster}"
