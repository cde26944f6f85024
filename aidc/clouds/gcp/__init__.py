"""Google Cloud as a public cloud of aidc: its catalog, settings, cost lines, reservations, preflight checks and
mocks (aidc/clouds/base.py lists what each module provides). Its program part is stacks/clouds/gcp.py, its
components components/gcp_gpu_cluster/ and components/gcp_interconnect/, its rules policies/gcp.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # mypy checks the modules against the interface; nothing is imported at run time
    from aidc.clouds.base import CloudCost, CloudMocks, CloudPreflight, CloudPriceList, CloudReservations
    from aidc.clouds.gcp import cost, mocks, preflight, pricelist, reservations

    _cost: CloudCost = cost
    _reservations: CloudReservations = reservations
    _preflight: CloudPreflight = preflight
    _mocks: CloudMocks = mocks
    _pricelist: CloudPriceList = pricelist
