"""AWS as a public cloud of aidc: its catalog, settings, cost lines, reservations, preflight checks and mocks
(aidc/clouds/base.py lists what each module provides). Its program part is stacks/clouds/aws.py, its components
components/aws_gpu_cluster/, components/vpn_interconnect.py and components/direct_connect.py, its rules
policies/aws.py (and the interconnect's, policies/vpn.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # mypy checks the modules against the interface; nothing is imported at run time
    from aidc.clouds.aws import cost, mocks, preflight, pricelist, reservations
    from aidc.clouds.base import CloudCost, CloudMocks, CloudPreflight, CloudPriceList, CloudReservations

    _cost: CloudCost = cost
    _reservations: CloudReservations = reservations
    _preflight: CloudPreflight = preflight
    _mocks: CloudMocks = mocks
    _pricelist: CloudPriceList = pricelist
