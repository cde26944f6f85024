"""Tunnel logging of VpnInterconnect: both tunnels of every connection log (IKE/IPsec negotiation, DPD, tunnel
up/down) as JSON to one CloudWatch log group with a retention period, encrypted with the KMS key the caller names
(the AWS cluster's key: its policy already lets CloudWatch Logs use it for the account's log groups, so the VPN
needs no second key and no second policy). The IPsec over Direct Connect uses tunnel_log_options too."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from components._scope import Scope

# CloudWatchLogOptionsSpecification.LogOutputFormat (botocore ec2): "json" | "text"; json is what Logs Insights
# parses into fields.
TUNNEL_LOG_FORMAT = "json"


def tunnel_log_options(tunnel: int, log_group_arn: pulumi.Input[str]) -> dict[str, Any]:
    """The tunnelN_log_options argument of aws.ec2.VpnConnection: IKE and IPsec negotiation, DPD and tunnel
    state to one CloudWatch log group."""
    return {
        f"tunnel{tunnel}_log_options": {
            "cloudwatch_log_options": {
                "log_enabled": True,
                "log_group_arn": log_group_arn,
                "log_output_format": TUNNEL_LOG_FORMAT,
            }
        }
    }


def create_tunnel_log_group(
    scope: Scope, kms_key_arn: pulumi.Input[str], retention_days: int
) -> aws.cloudwatch.LogGroup:
    """The one log group every tunnel logs to (one stream per tunnel outside address), encrypted, kept for a
    bounded time."""
    name = scope.name
    return aws.cloudwatch.LogGroup(
        f"{name}-tunnel-logs",
        name=f"/aidc/{name}/vpn-tunnels",
        retention_in_days=retention_days,
        kms_key_id=kms_key_arn,
        tags={"Name": f"{name}-tunnel-logs"},
        opts=scope.opts(),
    )
