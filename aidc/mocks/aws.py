"""Mock outputs for pulumi_aws resources and invokes (engine camelCase keys)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pulumi

if TYPE_CHECKING:
    from aidc.mocks import AidcMocks


def _arn(mocks: AidcMocks, service: str, resource: str) -> str:
    return f"arn:aws:{service}:{mocks.region}:{mocks.account_id}:{resource}"


def new_resource(mocks: AidcMocks, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
    from aidc.mocks import stable_hex

    outputs = dict(args.inputs)
    token = args.typ
    rid = stable_hex(token, args.name)
    outputs.setdefault("arn", _arn(mocks, token.split(":")[1].split("/")[0], f"{args.name}/{rid}"))
    outputs.setdefault("tagsAll", outputs.get("tags", {}))
    return f"{args.name}-{rid[:8]}", outputs


def call(mocks: AidcMocks, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:
    if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
        return {"accountId": mocks.account_id, "arn": f"arn:aws:iam::{mocks.account_id}:user/aidc", "userId": "AIDA"}
    if args.token == "aws:index/getRegion:getRegion":
        return {"name": mocks.region, "region": mocks.region, "id": mocks.region}
    if args.token == "aws:index/getPartition:getPartition":
        return {"partition": "aws", "dnsSuffix": "amazonaws.com"}
    return {}
