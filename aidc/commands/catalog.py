"""`aidc catalog refresh`: rewrite each public cloud's price snapshot (aidc/clouds/<cloud>/prices.json) from the
cloud's price-list API, every price with its source and date.

AWS reads the Price List Query API (boto3 `pricing`, GetProducts) with the standard credential chain (the
credentials need `pricing:GetProducts`); Google Cloud reads the Cloud Billing Catalog API with the API key in
AIDC_GCP_API_KEY. `--endpoint-url` points a cloud's client at another endpoint (a local fake, in tests). Nothing is
written unless every price was read; a type the API does not list keeps its snapshot entry, said in the report.

Exit codes: 0 written (or nothing to change), 1 the API could not be read or the file written, 2 bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from aidc.commands.common import EXIT_FAILED, EXIT_OK, BadInput, fail


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


def refresh_cloud(cloud: str, args: argparse.Namespace, today: str) -> dict[str, Any]:
    """Refresh one cloud's snapshot; the report of what changed, what was kept, and where it was written."""
    from aidc.clouds import catalog_of, pricelist_of
    from aidc.clouds.base import price_snapshot_document

    catalog = catalog_of(cloud)
    refreshed = pricelist_of(cloud).refresh(catalog.SNAPSHOT, endpoint_url=args.endpoint_url, today=today)
    path = args.output if args.output is not None else catalog.PRICES_FILE
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
    from aidc.clouds.base import PriceListError
    from aidc.config.limits import utc_today

    try:
        clouds = _clouds(args)
        today = utc_today().isoformat()
    except (BadInput, ValueError) as exc:
        return fail(str(exc))
    reports: list[dict[str, Any]] = []
    for cloud in clouds:
        try:
            reports.append(refresh_cloud(cloud, args, today))
        except PriceListError as exc:
            print(f"aidc: {cloud} price list: {exc}; nothing written for {cloud}", file=sys.stderr)
            return EXIT_FAILED
        except OSError as exc:
            print(f"aidc: {cloud}: cannot write the snapshot: {exc}", file=sys.stderr)
            return EXIT_FAILED
    if args.json:
        json.dump({"refreshed": reports}, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        for report in reports:
            _print(report)
    return EXIT_OK
