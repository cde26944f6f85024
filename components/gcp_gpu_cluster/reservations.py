"""Compute Engine reservations of GcpGpuCluster: one specific reservation per GPU pool the plan reserves (a deadline
training run with `reserve`), holding the pool's machines in its zone from `pulumi up` until the term's end, when the
reservation deletes itself (delete_at_time). `specific_reservation_required` keeps every other VM out of it: only
the pool, whose reservation affinity names it, consumes it. A3, A2 and G2 machine types carry their GPUs, so the
reservation names the machine type only.
"""

from __future__ import annotations

import pulumi_gcp as gcp

from components.gcp_gpu_cluster.args import GpuNodePool
from components.gcp_gpu_cluster.scope import Scope


def create_reservation(scope: Scope, pool: GpuNodePool) -> gcp.compute.Reservation | None:
    """The pool's reservation, or None when it has none."""
    if pool.reservation is None:
        return None
    return gcp.compute.Reservation(
        f"{scope.name}-{pool.name}-reservation",
        project=scope.project,
        zone=pool.zones[0],
        specific_reservation={
            "count": pool.reservation.instances,
            "instance_properties": {"machine_type": pool.machine_type},
        },
        specific_reservation_required=True,
        delete_at_time=f"{pool.reservation.end_date}T00:00:00Z",
        description=f"aidc: {pool.name} until {pool.reservation.end_date}",
        opts=scope.opts(),
    )
