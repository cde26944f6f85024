"""`aidc catalog refresh`: rewrite each public cloud's price snapshot (aidc/clouds/<cloud>/prices.json) from the
cloud's price-list API, every price with its source and date.

AWS reads the Price List Query API (boto3 `pricing`, GetProducts) with the standard credential chain (the
credentials need `pricing:GetProducts`); Google Cloud reads the Cloud Billing Catalog API with the API key in
AIDC_GCP_API_KEY. `--endpoint-url` points a cloud's client at another endpoint (a local fake, in tests). Every cloud asked for is
read first, and nothing is written unless every one of them was read (each failure is said, one line per cloud); a
type the API does not list keeps its snapshot entry, said in the report.

Exit codes: 0 written (or nothing to change), 1 an API could not be read or a file written, 2 bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from aidc.commands.common import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, BadInput, fail

if TYPE_CHECKING:
    from aidc.clouds.base import Refreshed

# `aidc catalog refresh --json` (docs/schemas/catalog-refresh.schema.json): raised on a breaking change.
SCHEMA_VERSION = 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="catalog_command", metavar="ACTION")
    sub.required = True
    refresh = sub.add_parser(
        "refresh",
        help="rewrite the clouds' price snapshots from their price-list APIs",
        description=__doc__.splitlines()[0] if __doc__ else None,
    )
    refresh.add_argument(
        "--cloud",
        action="append",
        metavar="CLOUD",
        help="a registered public cloud to refresh (repeatable; default: every registered cloud)",
    )
    refresh.add_argument(
        "--endpoint-url", metavar="URL", help="the price-list API's endpoint (e.g. a local fake)"
    )
    refresh.add_argument(
        "--output",
        type=Path,
        metavar="FILE",
        help="write the snapshot here instead of the catalog's (one cloud)",
    )
    refresh.add_argument("--dry-run", action="store_true", help="read the prices and report; write nothing")
    refresh.add_argument("--json", action="store_true", help="print one JSON object for machines")


def _clouds(args: argparse.Namespace) -> list[str]:
    from aidc.contract import PUBLIC_CLOUDS

    clouds = args.cloud or list(PUBLIC_CLOUDS)
    for cloud in clouds:
        if cloud not in PUBLIC_CLOUDS:
            raise BadInput(f"--cloud: unknown public cloud {cloud!r}; registered: {', '.join(PUBLIC_CLOUDS)}")
    if args.output is not None and len(clouds) != 1:
        raise BadInput("--output: give exactly one --cloud with it (each cloud has its own snapshot)")
    if args.endpoint_url is not None:
        url = urlparse(args.endpoint_url)
        if url.scheme not in ("http", "https") or not url.netloc:
            raise BadInput(f"--endpoint-url: {args.endpoint_url!r} is not an http(s) URL with a host")
        if len(clouds) != 1:
            raise BadInput("--endpoint-url: give exactly one --cloud with it (each cloud has its own API)")
    return list(dict.fromkeys(clouds))


def _write(path: Path, document: dict[str, Any]) -> str:
    from aidc.config.write import FileWriteError, replace_file

    try:
        return str(replace_file(path, json.dumps(document, indent=2) + "\n"))
    except FileWriteError as exc:
        raise OSError(str(exc)) from None


def read_cloud(cloud: str, args: argparse.Namespace, today: str) -> Refreshed:
    """One cloud's snapshot read anew from its price-list API (nothing written). Raises PriceListError."""
    from aidc.clouds import catalog_of, pricelist_of

    return pricelist_of(cloud).refresh(
        catalog_of(cloud).SNAPSHOT, endpoint_url=args.endpoint_url, today=today
    )


def write_cloud(cloud: str, refreshed: Refreshed, args: argparse.Namespace) -> dict[str, Any]:
    """Write one cloud's refreshed snapshot (unless --dry-run); the report of what changed, what was kept, and
    where it was written. Raises OSError."""
    from aidc.clouds import catalog_of
    from aidc.clouds.base import price_snapshot_document

    path = args.output if args.output is not None else catalog_of(cloud).PRICES_FILE
    snapshot = refreshed.snapshot
    written = None if args.dry_run else _write(path, price_snapshot_document(snapshot))
    return {
        "cloud": cloud,
        "file": written,
        "dry_run": bool(args.dry_run),
        "as_of": snapshot.as_of,
        "prices": len(snapshot.instances),
        "changed": [{"instance_type": n, "old": old, "new": new} for n, old, new in refreshed.changed],
        "kept": [{"instance_type": n, "reason": why} for n, why in refreshed.kept],
    }


def _print(report: dict[str, Any]) -> None:
    for row in report["changed"]:
        print(
            f"  {report['cloud']} {row['instance_type']:<22} {row['old']:>10,.4f} -> {row['new']:,.4f} USD/h"
        )
    for row in report["kept"]:
        print(f"  {report['cloud']} {row['instance_type']:<22} kept: {row['reason']}")
    where = "dry run, nothing written" if report["dry_run"] else f"written to {report['file']}"
    print(
        f"{report['cloud']}: {report['prices']} prices, {len(report['changed'])} changed, {len(report['kept'])} "
        f"kept, oldest as of {report['as_of']}; {where}"
    )


def run(args: argparse.Namespace) -> int:
    from aidc.clouds.base import PriceListAccessError, PriceListError
    from aidc.config.limits import utc_today

    try:
        clouds = _clouds(args)
        today = utc_today().isoformat()
    except (BadInput, ValueError) as exc:
        return fail(str(exc))
    refreshed: dict[str, Refreshed] = {}
    failed = []
    bad_input = False  # a profile, credentials, region or endpoint to fix: exit 2, not a failure of the API
    for cloud in clouds:
        try:
            refreshed[cloud] = read_cloud(cloud, args, today)
        except PriceListError as exc:
            print(f"aidc: {cloud} price list: {exc}; nothing written for {cloud}", file=sys.stderr)
            failed.append(cloud)
            bad_input = bad_input or isinstance(exc, PriceListAccessError)
    if failed:
        if refreshed:  # read, but not written: all or nothing
            print(
                f"aidc: read but not written, as {', '.join(failed)} failed: {', '.join(refreshed)}",
                file=sys.stderr,
            )
        return EXIT_BAD_INPUT if bad_input else EXIT_FAILED
    reports: list[dict[str, Any]] = []
    for cloud, result in refreshed.items():
        try:
            reports.append(write_cloud(cloud, result, args))
        except OSError as exc:
            print(f"aidc: {cloud}: cannot write the snapshot: {exc}", file=sys.stderr)
            return EXIT_FAILED
    if args.json:
        json.dump({"schema_version": SCHEMA_VERSION, "refreshed": reports}, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        for report in reports:
            _print(report)
    return EXIT_OK
