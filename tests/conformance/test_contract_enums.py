"""The contract's Google Cloud enumerations are the API's: every value compute.v1 takes (the discovery document of
the pinned google-api-python-client), no more and no fewer, since the plan may size any of them (400G circuits past
800 Gbps) and GcpInterconnect's Args take exactly these."""

from __future__ import annotations

from typing import get_args

import pytest
from gcp_checks import enum

from aidc import contract


@pytest.mark.parametrize(
    ("kind", "path"),
    [
        (contract.GcpLinkType, "Interconnect.linkType"),
        (contract.GcpAttachmentBandwidth, "InterconnectAttachment.bandwidth"),
    ],
    ids=["link-type", "attachment-bandwidth"],
)
def test_the_gcp_enumerations_are_the_apis(kind: object, path: str) -> None:
    check = enum("compute", path)
    assert sorted(get_args(kind)) == sorted(vars(check)["allowed"])
    assert all(check(value) is None for value in get_args(kind))
    assert check("LINK_TYPE_ETHERNET_40G") is not None  # the check refuses what the API would
