"""What every public cloud provides, as records and module shapes (stdlib only at run time).

A public cloud is a name in `aidc.contract.PublicCloud` and one module per layer, found by that name
(aidc/clouds/__init__.py loads them, only when asked):

| module | layer | provides |
|---|---|---|
| aidc/clouds/<name>/catalog.py | catalog (stdlib) | `INSTANCE_TYPES`, `PRICE_LIST`, `SERVICE_PRICES`, `TRANSFER_PRICES` |
| aidc/clouds/<name>/settings.py | config (pydantic) | `Settings`: the `aidc:<name>` model, with `region` and `routed_ranges()` |
| aidc/clouds/<name>/cost.py | sizing (pure) | `cost_components`, `move_usd`, `priced_services` (`CloudCost`) |
| aidc/clouds/<name>/reservations.py | sizing (pure) | `reserve` (`CloudReservations`): reserved capacity for a deadline run |
| aidc/clouds/<name>/preflight.py | preflight | `add_arguments`, `requirements`, `run` (`CloudPreflight`) |
| aidc/clouds/<name>/mocks.py | offline engine | `new_resource`, `call`: outputs for its provider's type tokens |
| stacks/clouds/<name>.py | program | `prepare` (Args, validated) and `declare` (components, exports) |
| components/<name>_*/ | components | its ComponentResources (typed Args; no config, no sizing) |
| policies/<name>.py | policy pack | `POLICIES`: its rules (imports only pulumi_policy and aidc.contract) |

The records below are what a catalog module holds; the Protocols are what the other modules provide (mypy
checks each registered cloud's modules against them in tests/clouds/test_registry.py).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from aidc.contract import PublicCloud

if TYPE_CHECKING:
    import argparse

    from aidc.config.model import StackConfig, TrainingDemand
    from aidc.sizing.figure import Figure
    from aidc.sizing.plan import (
        CapacityPlan,
        ComponentCost,
        InterconnectPlan,
        NetworkPlan,
        PublicGroup,
        Reservation,
        TransferSizing,
    )


@dataclass(frozen=True, kw_only=True)
class InstanceType:
    """One public GPU instance (or machine) type, named as its cloud names it."""

    cloud: PublicCloud  # the public cloud that sells it: the plan's location for groups of this type
    name: str
    accelerator: str
    gpus: int
    vcpus: int
    memory_gb: int = 0  # memory as the cloud lists it, GB (GCP's GB are GiB); 0: not recorded
    network_gbps: int
    efa: bool = False  # AWS Elastic Fabric Adapter
    efa_interfaces: int = 0  # EFA devices per instance (one per network card); 0 without EFA
    usd_per_hour: float  # on-demand, in the cloud's priced region (its PRICE_LIST)
    quota_family: str = ""  # the cloud's quota that bounds it (AWS: the P or G vCPU family)
    on_demand: bool = (
        True  # sold on demand; False: only as spot (or reserved/flex capacity), so spot runs only
    )
    source: str
    as_of: str


@dataclass(frozen=True)
class ServicePrice:
    """A list price per hour of one billable unit of a cloud service, with where and when it was read."""

    key: str
    usd_per_hour: float
    unit: str
    source: str
    as_of: str


@dataclass(frozen=True)
class TransferPrice:
    """A list price per GB moved, with where and when it was read; `tiers` for prices by monthly volume."""

    key: str
    usd_per_gb: float  # the flat price, or the first tier's
    source: str
    as_of: str
    # (GB per month up to, USD/GB), ascending; the last is unbounded
    tiers: tuple[tuple[float, float], ...] = ()


@dataclass(frozen=True)
class PriceList:
    """Where one cloud's instance prices come from: the page, its date, the region it prices, and spot."""

    cloud: str
    source: str
    as_of: str
    region: str  # the region the catalog's prices are for
    spot_fraction_of_on_demand: float  # spot price as a share of on-demand, where no spot price is listed
    spot_source: str


@dataclass(frozen=True)
class ListedPrice:
    """One list price in a cloud's price snapshot (aidc/clouds/<cloud>/prices.json): USD per hour of one instance,
    where it was read and the date of that source."""

    usd_per_hour: float
    source: str
    as_of: (
        str  # YYYY-MM or YYYY-MM-DD: the date of the source (the price list's publication), not of the read
    )


@dataclass(frozen=True)
class PriceSnapshot:
    """A cloud's price snapshot: the instance prices its catalog uses, each with its source and date, written by
    `aidc catalog refresh` from the cloud's price-list API (or by hand, where that API has no such price)."""

    cloud: str
    region: str  # the region the prices are for
    source: str  # the price-list API (or page) the snapshot as a whole comes from
    written: str  # YYYY-MM-DD the snapshot was written
    instances: Mapping[str, ListedPrice]
    # Other tables the cloud keeps beside its instance prices (e.g. AWS Capacity Block fees), as JSON.
    extra: Mapping[str, Any]

    def price(self, name: str) -> ListedPrice:
        if name not in self.instances:
            raise KeyError(
                f"{self.cloud} price snapshot has no price for {name!r}; run `aidc catalog refresh --cloud "
                f"{self.cloud}` or add it to aidc/clouds/{self.cloud}/prices.json"
            )
        return self.instances[name]

    @property
    def as_of(self) -> str:
        """The date of the oldest instance price: what every price of the snapshot is at least as new as."""
        return min((p.as_of for p in self.instances.values()), default=self.written)


SNAPSHOT_SCHEMA_VERSION = 1


def _text(document: Mapping[str, Any], key: str, where: str) -> str:
    value = document.get(key)
    if not isinstance(value, str) or not value:
        raise ValueError(f"{where}: {key} must be a non-empty string, got {value!r}")
    return value


def price_snapshot_of(document: Any, where: str) -> PriceSnapshot:
    """A PriceSnapshot from its JSON document; ValueError naming the file and key for anything malformed."""
    if not isinstance(document, dict):
        raise ValueError(f"{where}: a price snapshot is a JSON object")
    if document.get("schema_version") != SNAPSHOT_SCHEMA_VERSION:
        raise ValueError(f"{where}: schema_version must be {SNAPSHOT_SCHEMA_VERSION}")
    raw = document.get("instances")
    if not isinstance(raw, dict) or not raw:
        raise ValueError(f"{where}: instances must be a non-empty object of instance type -> price")
    instances: dict[str, ListedPrice] = {}
    for name, entry in raw.items():
        at = f"{where}: instances.{name}"
        usd = entry.get("usd_per_hour") if isinstance(entry, dict) else None
        if isinstance(usd, bool) or not isinstance(usd, int | float) or not 0 <= usd < 10_000:
            raise ValueError(f"{at}.usd_per_hour must be a number in [0, 10000), got {usd!r}")
        instances[name] = ListedPrice(float(usd), _text(entry, "source", at), _text(entry, "as_of", at))
    known = {"schema_version", "cloud", "region", "source", "written", "instances"}
    return PriceSnapshot(
        cloud=_text(document, "cloud", where),
        region=_text(document, "region", where),
        source=_text(document, "source", where),
        written=_text(document, "written", where),
        instances=instances,
        extra={k: v for k, v in document.items() if k not in known},
    )


def price_snapshot_document(snapshot: PriceSnapshot) -> dict[str, Any]:
    """The JSON document of a snapshot (what `aidc catalog refresh` writes), instance types sorted."""
    return {
        "schema_version": SNAPSHOT_SCHEMA_VERSION,
        "cloud": snapshot.cloud,
        "region": snapshot.region,
        "source": snapshot.source,
        "written": snapshot.written,
        "instances": {
            name: {"usd_per_hour": p.usd_per_hour, "source": p.source, "as_of": p.as_of}
            for name, p in sorted(snapshot.instances.items())
        },
        **dict(snapshot.extra),
    }


def read_price_snapshot(path: Path) -> PriceSnapshot:
    """The snapshot file of a cloud's catalog (stdlib json; the catalog layer loads it at import)."""
    with path.open(encoding="utf-8") as stream:
        return price_snapshot_of(json.load(stream), str(path))


@dataclass(frozen=True)
class Refreshed:
    """What `aidc catalog refresh` made of a cloud's snapshot: the new snapshot, the prices that moved
    (instance type, old USD/h, new USD/h), and the ones kept as they were, with why (not listed by the API)."""

    snapshot: PriceSnapshot
    changed: tuple[tuple[str, float, float], ...]
    kept: tuple[tuple[str, str], ...]


class PriceListError(Exception):
    """The price-list API could not be read or answered something unusable: one line saying what (exit 1)."""


class PriceListAccessError(PriceListError):
    """The price-list client has no usable profile, credentials, region or endpoint: the user's environment or
    arguments to fix, one line naming which and how (exit 2)."""


class CloudPriceList(Protocol):
    """aidc/clouds/<name>/pricelist.py: the cloud's price-list API client, for `aidc catalog refresh`."""

    def refresh(self, snapshot: PriceSnapshot, *, endpoint_url: str | None, today: str) -> Refreshed:
        """The snapshot's instance prices read anew from the cloud's price-list API (`endpoint_url`: another
        endpoint, e.g. a local fake); `today` (YYYY-MM-DD) dates the snapshot. Raises PriceListError."""
        ...


class CloudCost(Protocol):
    """aidc/clouds/<name>/cost.py: the cloud's lines of the one cost model (aidc/sizing/cost.py)."""

    def cost_components(
        self, groups: Sequence[PublicGroup], network: NetworkPlan, cfg: StackConfig, notes: list[str]
    ) -> list[ComponentCost]:
        """The cloud's components, priced per month: its GPU cluster, its interconnect, its egress."""
        ...

    def move_usd(self, dataset_gb: float, leaves: bool, network: NetworkPlan) -> Figure:
        """USD to move `dataset_gb` once out of (`leaves`) or into this cloud over its interconnect."""
        ...

    def one_off_notes(self, network: NetworkPlan) -> list[str]:
        """What one-off transfers cost, said apart from the monthly total."""
        ...

    def priced_services(self) -> tuple[tuple[ServicePrice, ...], tuple[TransferPrice, ...]]:
        """The service and transfer prices its lines use, for the plan's price table."""
        ...


class CloudInterconnect(Protocol):
    """aidc/clouds/<name>/interconnect.py: the link between the cloud and the private cloud, sized."""

    def size_interconnect(
        self, cfg: StackConfig, transfers: Sequence[TransferSizing]
    ) -> tuple[InterconnectPlan, list[str]]:
        """Its VPN (and dedicated links when the VPN cannot carry them) for the transfers that reach it."""
        ...


class CloudReservations(Protocol):
    """aidc/clouds/<name>/reservations.py: reserved capacity for a deadline training run."""

    def reserve(self, run: TrainingDemand, group: PublicGroup) -> Reservation:
        """The run's `reserve` kind of capacity for `group`, from its start date for its deadline, priced; raises
        InfeasibleDemand naming the run and the cloud's limit when the cloud cannot reserve it."""
        ...


class CloudPreflight(Protocol):
    """aidc/clouds/<name>/preflight.py: read-only live checks before `pulumi up`."""

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        """The cloud's own options of `aidc preflight` (endpoints, credentials)."""
        ...

    def job(self, cfg: StackConfig, plan: CapacityPlan, args: argparse.Namespace, budget: Any) -> Any:
        """The cloud's checks of this plan as one preflight Job (aidc/preflight/deadline.py) within `budget` (the
        run's deadline and per-request timeouts); ValueError (one line) for a bad local setting."""
        ...


class CloudMocks(Protocol):
    """aidc/clouds/<name>/mocks.py: realistic outputs for the cloud provider's type tokens (offline plans)."""

    def new_resource(self, mocks: Any, args: Any) -> tuple[str, dict[str, Any]]: ...

    def call(self, mocks: Any, args: Any) -> dict[str, Any]: ...
