"""VpnInterconnect: IPsec between the AWS VPC (Transit Gateway) and the OpenStack router (Neutron VPNaaS).

AWS side: a Transit Gateway (VPN ECMP on, shared attachments never auto-accepted) attached to the VPC, routes
from the VPC's route tables to the private (OpenStack) CIDRs via the TGW, a customer gateway at the Neutron VPN
service's external address, `connections` static-routed Site-to-Site VPN connections and TGW static routes; both
tunnels of every connection log (IKE/IPsec negotiation, DPD, tunnel up/down) as JSON to one CloudWatch log group
with a retention period, encrypted with the KMS key the caller names (the AWS cluster's key: its policy already
lets CloudWatch Logs use it for the account's log groups, so the VPN needs no second key and no second policy).
OpenStack side: one IKE policy, one IPsec policy, the VPN service on the router, a local (subnet) and a peer
(VPC CIDR) endpoint group, and one IPsec site connection per AWS tunnel, whose peer address is that tunnel's
outside address and whose PSK is the same pulumi_random RandomPassword result the AWS tunnel uses.

Routing design, and why (sources checked 2026-11):
- Transit Gateway ECMP over Site-to-Site VPN needs dynamic (BGP) routing; with static routes the TGW sends a
  prefix over one tunnel only (awsdocs/aws-transit-gateway-guide PR #21 and #22, citing the AWS knowledge-centre
  article "transit-gateway-ecmp-multiple-tunnels"; re:Post "vpn-configure-tunnel-preference": for a static VPN
  "the ... transit gateway sends traffic from AWS to the on-premises network on a single VPN tunnel").
- Neutron VPNaaS site connections are policy-based (traffic selectors from endpoint groups / peer CIDRs); the
  API (openstack.vpnaas.SiteConnection) has no route-based/VTI or BGP option, so BGP over these tunnels is not
  available (neutron-dynamic-routing's BGP speaker peers with physical routers, not across VPNaaS tunnels).
- Therefore: static routing, and each connection's two tunnels are active/standby (AWS picks one, DPD restarts
  and fails over). A TGW route table holds one static route per prefix, so with N connections the route
  prefixes are spread over the connections (prefix i -> connection i mod N); a prefix never gets more than one
  tunnel's bandwidth: 1.25 Gbps ("standard") or 5 Gbps ("large"), and the interconnect carries at most
  min(N, len(route_prefixes)) x that. Connections beyond the number of prefixes are idle standby, and the
  component warns. More than that needs BGP (a route-based VPN appliance in the private cloud) or Direct Connect.
- Edge sites are not behind this interconnect: their networks hang off other Neutron routers, and the site
  connections' selectors (local endpoint group = subnets on this router, peer = the VPC CIDR) never match their
  traffic, so no AWS route toward these tunnels names an edge range (it would black-hole). The edge aggregates
  are routed by the private cloud's WAN (aidc/sizing/network.py says where they are exported).

One module per concern, in the order the component calls them (the way components/aws_gpu_cluster/ is split):
  algorithms.py   the algorithm tables (AWS and Neutron names per Args value), lifetimes, both sides' arguments
  args.py         VpnInterconnectArgs (validated at construction)
  component.py    the VpnInterconnect class: one call per concern, outputs
  neutron.py      the OpenStack side: IKE and IPsec policies, VPN service, endpoint groups
  gateways.py     Transit Gateway and its VPC attachment, customer gateway
  routes.py       VPC routes to the TGW, the TGW's static routes spread over the connections
  tunnel_logs.py  the tunnels' encrypted CloudWatch log group and each tunnel's log options
  tunnels.py      per connection: the tunnels' pre-shared keys, the VPN connection, a site connection per tunnel
A child's name, parent and inputs are a contract with live infrastructure: moving code between these modules
must not change them (compare `aidc plan --json` before and after).
"""

from components.vpn_interconnect.algorithms import (
    DH_GROUPS,
    DPD_INTERVAL_S,
    ENCRYPTIONS,
    IKE_VERSIONS,
    INTEGRITIES,
    PHASE1_LIFETIME_S,
    PHASE2_LIFETIME_S,
    DhGroup,
    Encryption,
    IkeVersion,
    Integrity,
    aws_tunnel_options,
    neutron_policies,
)
from components.vpn_interconnect.args import PrivateCidr, TunnelBandwidth, VpnInterconnectArgs
from components.vpn_interconnect.component import VpnInterconnect
from components.vpn_interconnect.tunnel_logs import TUNNEL_LOG_FORMAT, tunnel_log_options
from components.vpn_interconnect.tunnels import PSK_LENGTH, tunnel_psk

__all__ = [
    "DH_GROUPS",
    "DPD_INTERVAL_S",
    "ENCRYPTIONS",
    "IKE_VERSIONS",
    "INTEGRITIES",
    "PHASE1_LIFETIME_S",
    "PHASE2_LIFETIME_S",
    "PSK_LENGTH",
    "TUNNEL_LOG_FORMAT",
    "DhGroup",
    "Encryption",
    "IkeVersion",
    "Integrity",
    "PrivateCidr",
    "TunnelBandwidth",
    "VpnInterconnect",
    "VpnInterconnectArgs",
    "aws_tunnel_options",
    "neutron_policies",
    "tunnel_log_options",
    "tunnel_psk",
]
