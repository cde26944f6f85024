"""The aidc CrossGuard policy pack: rules that refuse unsafe or inconsistent plans.

Rule modules: one per registered public cloud, named after it (aws: EKS, IAM, S3, KMS, CloudTrail, Direct
Connect; the names are aidc.contract.PUBLIC_CLOUDS: aidc/contract.py and aidc/versions.py, both stdlib only, are
the modules of aidc the pack imports), vpn (the IPsec
interconnect: the public side's gateways and the Neutron side), openstack, ceph, k3s (K3s and Kubernetes),
scheduling (GPUs reachable through device plugins and Kueue queues), stack (placement, planned counts, cost),
identifiers (ARNs, versions, keys, peerings and dates as the receiving service accepts them), versions (EKS,
Helm charts and K3s inside their support windows, judged by aidc/versions.py, stdlib only like aidc/contract.py).
`FAMILIES` names each rule module and its rules, `ALL_POLICIES` lists every rule object; policies/__main__.py (the only place a PolicyPack is built, since
building one starts the analyzer server) registers them for `pulumi preview --policy-pack policies`, and
policies/offline.py runs the same objects for `aidc plan`. Importing this package starts nothing.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence

from pulumi_policy import EnforcementLevel, Policy

from aidc.contract import PUBLIC_CLOUDS
from policies import ceph, identifiers, k3s, openstack, scheduling, stack, versions, vpn

CLOUD_POLICIES: dict[str, Sequence[Policy]] = {
    cloud: importlib.import_module(f"policies.{cloud}").POLICIES for cloud in PUBLIC_CLOUDS
}
"""Each registered public cloud's rules (policies/<cloud>.py)."""

FAMILIES: dict[str, Sequence[Policy]] = {
    **CLOUD_POLICIES,
    "vpn": vpn.POLICIES,
    "openstack": openstack.POLICIES,
    "ceph": ceph.POLICIES,
    "k3s": k3s.POLICIES,
    "scheduling": scheduling.POLICIES,
    "stack": stack.POLICIES,
    "identifiers": identifiers.POLICIES,
    "versions": versions.POLICIES,
}
"""Every rule module of the pack (policies/<family>.py) and its rules, in registration order: the one list the
pack, `aidc plan` and the generated policies page (aidc/output/docs_gen.py) are built from."""

ALL_POLICIES: list[Policy] = [policy for policies in FAMILIES.values() for policy in policies]
"""Every rule, in registration order."""

MANDATORY: frozenset[str] = frozenset(
    p.name for p in ALL_POLICIES if p.enforcement_level == EnforcementLevel.MANDATORY
)
"""Names of the rules whose violation blocks a deployment (and makes `aidc plan` exit 1)."""

__all__ = ["ALL_POLICIES", "CLOUD_POLICIES", "FAMILIES", "MANDATORY"]
