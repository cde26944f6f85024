"""GcpInterconnect: Google Cloud ↔ the private cloud (pulumi_gcp, pulumi_random).

HA VPN always (the encrypted path for management, the GKE control plane and modest transfers): the VPC's HA VPN
gateway, an external VPN gateway with the on-premises routers' public addresses, one tunnel per planned tunnel with
a random pre-shared key (secret) and the IKE ciphers of aidc:vpn in Cloud VPN's spelling, and on the cluster's
Cloud Router an interface and a BGP peer per tunnel on its link-local /30, advertising the GKE ranges. Dedicated
Cloud Interconnect when the plan sized it: connections (link type, circuits, location, MACsec where the plan
encrypts the links) and VLAN attachments (DEDICATED, capacity, VLAN, candidate /29) with MD5-authenticated BGP
sessions. Exports what the private side needs to peer: Google's addresses, the tunnels' BGP addresses and ASNs,
the pre-shared and MD5 keys (secrets), the links' Google reference IDs and MACsec key names.

  args.py       GcpInterconnectArgs, TunnelSpec, LinkSpec, AttachmentSpec (validated)
  component.py  the GcpInterconnect class and its exports
  scope.py      name prefix, parent, project, region and labels of the children
  vpn.py        HA VPN gateway, external gateway, tunnels, their router interfaces and BGP peers
  dedicated.py  Dedicated Interconnect connections, VLAN attachments, their router interfaces and BGP peers
"""

from components.gcp_interconnect.args import AttachmentSpec, GcpInterconnectArgs, LinkSpec, TunnelSpec
from components.gcp_interconnect.component import GcpInterconnect

__all__ = ["AttachmentSpec", "GcpInterconnect", "GcpInterconnectArgs", "LinkSpec", "TunnelSpec"]
