"""`aidc size` for people: summary tables, and with `--explain` every figure's formula and inputs under it.

The tables are declared, not hand-projected: each `Section` has columns and rows, and each `Row` names the
objects of the `aidc size --json` document it shows (`sources`). A figure's explanation is whatever the
object carries under `why` — the document derives that from the plan's dataclasses (aidc/sizing/serialize.py)
— so a figure added to the plan is explained without touching this module, and any figure no row names is
still printed under "Other figures" (`figures_left`). Sections marked `detail` (model fit, replicas,
security controls) appear with `--explain` and in markdown only.

`size_text` writes the text format (80 columns unless the terminal is wider; names wrap at '-', never
mid-word: text_table.py); `size_markdown` the markdown one, which always explains. Warnings are not part of
the text: `aidc size` prints them first, on stderr (aidc/commands/size.py).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

from aidc.output.clouds import Link, links, used_clouds
from aidc.output.cost_table import cost_markdown, cost_text
from aidc.output.text_table import Column, output_width, paragraph, table

Doc = Mapping[str, Any]


def _n(value: Any, digits: int = 1) -> str:
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if value and (abs(value) >= 1e9 or abs(value) < 1e-2):
            return f"{value:.3e}"
        return f"{value:,.{digits}f}"
    return str(value)


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


def network_cell(site: Mapping[str, Any]) -> str:
    """A site's network, marked when it is provisional (not recorded in the stack file yet)."""
    if site.get("recorded", True):
        return str(site["network_cidr"])
    return f"{site['network_cidr']} (provisional)"


@dataclass(frozen=True)
class Row:
    """One table row: its cells, the document objects whose `why` figures explain it (label, object), and
    explanations that are plain text (a pool's protection, a reservation's term)."""

    cells: tuple[str, ...]
    sources: tuple[tuple[str, Doc], ...] = ()
    notes: tuple[str, ...] = ()
    label: str = ""  # what the markdown's explanation calls the row (default: its first cell)


@dataclass
class Section:
    """One table of `aidc size`; `note` is a line of context after it (`explain_note` one for --explain and
    markdown), `detail` keeps it to --explain, `only` to one format ("text" or "markdown": a table that reads
    best in another shape there)."""

    title: str
    columns: tuple[Column, ...]
    rows: list[Row] = field(default_factory=list)
    note: str = ""
    detail: bool = False
    explain_note: str = ""
    only: str = ""

    def add(
        self,
        *cells: str,
        sources: Sequence[tuple[str, Doc] | None] = (),
        notes: Sequence[str] = (),
        label: str = "",
    ) -> None:
        self.rows.append(Row(cells, tuple(s for s in sources if s is not None), tuple(notes), label))


def _cols(*spec: str) -> tuple[Column, ...]:
    """Columns from names; a name ending in '#' is numeric (right-aligned)."""
    return tuple(Column(s.rstrip("#"), numeric=s.endswith("#")) for s in spec)


def _training(doc: Doc) -> Section | None:
    runs = doc["compute"]["training"]
    if not runs:
        return None
    t = Section("Training", _cols("run", "accelerator", "class", "FLOPs#", "GPU-hours#", "GPUs#"))
    for r in runs:
        gpus = f"{r['gpus']:,} ({r['nodes']:,} nodes)"
        t.add(
            r["name"],
            r["accelerator"],
            r["classification"],
            _n(r["flops"]),
            _n(r["gpu_hours"], 0),
            gpus,
            sources=[("", r)],
        )
    return t


def _inference(doc: Doc) -> Section | None:
    workloads = doc["compute"]["inference"]
    if not workloads:
        return None
    t = Section("Inference", _cols("workload", "accelerator", "class", "core GPUs#", "edge GPUs#"))
    for r in workloads:
        core = f"{r['gpus']:,} ({r['replicas']} × {r['replica']['gpus']})"
        t.add(r["name"], r["accelerator"], r["classification"], core, _n(r["edge_gpus"]), sources=[("", r)])
    return t


def _model_fit(doc: Doc) -> Section | None:
    """The served models: weights and KV cache, then one replica per accelerator (core, then edge sites)."""
    workloads = doc["compute"]["inference"]
    if not workloads:
        return None
    t = Section(
        "Model fit (one replica per accelerator)",
        _cols("model", "where", "accelerator", "GPUs#", "need GB#", "batch#", "tokens/s#"),
        detail=True,
    )
    for r in workloads:
        t.add(
            r["name"],
            "model",
            "",
            "",
            _n(r["model"]["weights_gb"]),
            "",
            "",
            sources=[("", r["model"])],
            label=f"{r['name']} model",
        )
        for where, replica in [("core", r["replica"]), *(("edge", e) for e in r["edge_replicas"])]:
            tokens = _n(replica["tokens_per_s"], 0) + (" ESTIMATE" if replica["estimated"] else "")
            t.add(
                r["name"],
                where,
                replica["accelerator"],
                _n(replica["gpus"]),
                _n(replica["memory_gb"]),
                _n(replica["batch"]),
                tokens,
                sources=[("", replica)],
                notes=[f"batch bound: {replica['bound']}"] if replica.get("bound") else [],
                label=f"{r['name']} ({where}, {replica['accelerator']})",
            )
    return t


def _placement(doc: Doc) -> Section:
    placement = doc["placement"]
    t = Section(
        "Placement (least cost; classification and quotas honoured)",
        _cols("workload", "where", "count#", "GPUs#", "USD/h#"),
        explain_note=f"solver: {placement['solver']}",
    )
    for g in placement["private"]:
        t.add(
            g["workload"],
            f"private {g['accelerator']}",
            f"{g['servers']:,} servers",
            _n(g["gpus"]),
            _n(g["gpus"] * g["usd_per_gpu_hour"], 2),
            sources=[("", g)],
        )
    for g in placement["public"]:
        r = g.get("reservation")
        kind = r["kind"] if r else ("spot" if g["spot"] else "on-demand")
        low, high = g["min"], g["max"]
        count = f"{low}..{high} inst." if low != high else f"{g['count']} inst."
        notes = (
            [
                f"reserved: {r['instances']} × {g['instance_type']} for {r['days']} days ({r['start_date']} to "
                f"{r['end_date']}), USD {r['usd_total']:,.0f} paid {r['paid']}"
            ]
            if r
            else []
        )
        t.add(
            g["workload"],
            f"{g['location']} {g['instance_type']} {kind}",
            count,
            _n(g["gpus"]),
            _n(g["count"] * g["usd_per_hour"], 2),
            sources=[("", g)],
            notes=notes,
        )
    gpus = placement["private_gpus"] + placement["public_gpus"]
    t.add(
        "total",
        "",
        "",
        _n(gpus),
        _n(placement["usd_per_hour"], 2),
        sources=[("", placement)],
        notes=[
            f"private GPUs used {placement['private_gpus_used']} of {placement['private_gpus_available']}"
        ],
    )
    return t


def _offer_cell(offer: Doc) -> str:
    """One place's offer in a cell: chosen or lost at its USD/GPU-h, or why it could not take the workload."""
    price, cause = offer.get("usd_per_gpu_hour"), offer.get("cause") or ""
    if offer["outcome"] == "ineligible" or price is None:
        return cause or str(offer["outcome"])
    shown = f"{offer['outcome']} {_n(price, 2)}"
    return shown if cause in ("", "chosen", "costs more") else f"{shown} ({cause})"


def _offer_note(offer: Doc) -> str:
    where = " ".join(str(p) for p in (offer["location"], offer.get("instance_type")) if p)
    return f"{where}: {offer['outcome']}: {offer['reason']}"


def _offers_by_workload(doc: Doc) -> dict[str, list[Doc]]:
    by_workload: dict[str, list[Doc]] = {}
    for offer in doc.get("offers") or []:
        by_workload.setdefault(str(offer["workload"]), []).append(offer)
    return by_workload


def _choices(doc: Doc) -> Section | None:
    """Why each place won or lost each workload, one row per workload and one column per place (text)."""
    by_workload = _offers_by_workload(doc)
    if not by_workload:
        return None
    places = list(dict.fromkeys(str(o["location"]) for offers in by_workload.values() for o in offers))
    t = Section(
        "Why each place won or lost (USD/GPU-h of its best offer; reasons: --explain)",
        _cols("workload", *places),
        only="text",
    )
    for workload, offers in by_workload.items():
        cells = {str(o["location"]): _offer_cell(o) for o in offers}
        t.add(
            workload,
            *(cells.get(place, "") for place in places),
            sources=[(f"{o['location']} ", o) for o in offers],
            notes=[_offer_note(o) for o in offers],
        )
    return t


def _choices_long(doc: Doc) -> Section | None:
    """The same, one row per workload and place with the whole reason (markdown, which has the width)."""
    by_workload = _offers_by_workload(doc)
    if not by_workload:
        return None
    t = Section(
        "Why each place won or lost",
        _cols("workload", "place", "offer", "outcome", "USD/GPU-h#", "reason"),
        only="markdown",
    )
    for workload, offers in by_workload.items():
        for o in offers:
            price = o.get("usd_per_gpu_hour")
            t.add(
                workload,
                str(o["location"]),
                str(o.get("instance_type") or ""),
                str(o["outcome"]),
                "" if price is None else _n(price, 2),
                str(o["reason"]),
                sources=[("", o)] if o.get("why") else [],
                label=f"{workload} at {o['location']}",
            )
    return t


def _replicas(doc: Doc) -> Section | None:
    if not doc.get("replicas"):
        return None
    t = Section(
        "Inference replicas (HPA min..max)",
        _cols("workload", "where", "min#", "max#"),
        detail=True,
        note="owned nodes are fixed; replicas scale within them",
    )
    for r in doc["replicas"]:
        t.add(r["workload"], r["where"], _n(r["min"]), _n(r["max"]), sources=[("", r)])
    return t


def _storage(doc: Doc) -> Section:
    s = doc["storage"]
    t = Section("Ceph storage", _cols("usable TB#", "raw TB#", "hosts#", "OSDs#", "monitors#", "pg_num"))
    pools = ", ".join(f"{p['name']} {p['pg_num']:,}" for p in s["pools"])
    notes = [
        f"pool {p['name']}: "
        + (f"EC {p['erasure_k']}+{p['erasure_m']}" if p["erasure_k"] else f"{p['size']} replicas")
        + f", min_size {p['min_size']}, failure domain {p['failure_domain']}"
        for p in s["pools"]
    ]
    t.add(
        _n(s["usable_tb"]),
        _n(s["raw_tb"]),
        _n(s["hosts"]),
        f"{s['osds']:,} ({s['drives_per_host']}/host)",
        _n(s["monitors"]),
        pools,
        sources=[("", s), *((f"pool {p['name']} ", p) for p in s["pools"])],
        notes=[f"OSDs needed decided by {s['osd_bound']}", *notes],
        label="Ceph",
    )
    return t


def _transfers(doc: Doc) -> Section | None:
    transfers = doc["network"]["transfers"]
    if not transfers:
        return None
    t = Section("Transfers", _cols("transfer", "cloud", "GB#", "window h#", "every", "Gbps#", "h at plan#"))
    for tr in transfers:
        t.add(
            tr["name"],
            str(tr.get("cloud", "")),
            _n(tr["volume_gb"], 0),
            _n(tr["window_hours"]),
            tr["every"],
            _n(tr["gbps"], 2),
            _n(tr["hours_at_provisioned"], 2),
            sources=[("", tr)],
        )
    return t


def _vpn_cell(link: Link) -> str:
    tunnels = _plural(link.vpn_tunnels, "tunnel")
    if link.vpn_connections is None:
        return tunnels
    return f"{_plural(link.vpn_connections, 'conn.')}, {tunnels}"


def _interconnect(doc: Doc) -> Section:
    """Each public cloud's interconnect to the private cloud: its VPN and, where sized, its dedicated links."""
    t = Section(
        "Interconnect (each public cloud to the private cloud)",
        _cols("cloud", "needs Gbps#", "VPN", "VPN Gbps#", "dedicated", "carries Gbps#"),
    )
    for link in links(doc):
        t.add(
            link.cloud,
            _n(link.required_gbps, 2),
            _vpn_cell(link),
            _n(link.vpn_gbps, 2),
            link.dedicated or "none",
            _n(link.capacity_gbps, 2),
            sources=[(f"{link.cloud} {label}", source) for label, source in link.sources],
            notes=link.notes,
            label=f"{link.cloud} interconnect",
        )
    if not t.rows:
        t.add("none", "", "", "", "", "", sources=[("", doc["network"])], label="interconnect")
        t.note = "no public cloud: nothing to interconnect"
    return t


def _edge(doc: Doc) -> Section | None:
    sites = doc["edge"]["sites"]
    if not sites:
        return None
    sharded = any(site.get("shard") is not None for site in sites)
    routes = doc["network"].get("edge_route_prefixes") or []
    t = Section(
        "Edge sites (K3s)",
        _cols(
            "site",
            "network",
            *(("shard#",) if sharded else ()),
            "accelerator",
            "servers#",
            "GPU nodes#",
            "GPUs#",
        ),
        note=f"edge routes (aggregated): {', '.join(routes)}" if routes else "",
    )
    for site in sites:
        shard = (_n(site["shard"]),) if sharded else ()
        t.add(
            site["name"],
            network_cell(site),
            *shard,
            site["accelerator"],
            _n(site["servers"]),
            _n(site["nodes"]),
            _n(site["gpus"]),
            sources=[("", site)],
        )
    return t


def _security(doc: Doc) -> Section:
    sec = doc["security"]
    placement = "; ".join(f"{k} → {', '.join(v)}" for k, v in sec["placement_by_classification"].items())
    t = Section(
        "Security controls",
        _cols("target", "control", "reason"),
        note=f"placement by class: {placement}",
        detail=True,
    )
    for c in sec["controls"]:
        t.add(c["target"], c["control"], c["reason"])
    rotation = f"rotated every {sec['key_rotation_days']} days"
    t.add("kms", f"{sec['kms_keys']} customer-managed keys", rotation, sources=[("", sec)])
    return t


SECTIONS = (
    _training,
    _inference,
    _model_fit,
    _placement,
    _choices,
    _choices_long,
    _replicas,
    _storage,
    _transfers,
    _interconnect,
    _edge,
    _security,
)


def size_sections(doc: Doc, fmt: str = "text") -> list[Section]:
    """The tables of `aidc size` in `fmt`, in order; empty ones (no training, no edge site) are left out."""
    return [s for build in SECTIONS if (s := build(doc)) is not None and s.only in ("", fmt)]


# --- explanations -------------------------------------------------------------------------------------------
def _inputs_text(inputs: Mapping[str, Any]) -> str:
    # Sources are listed once, after the tables.
    return ", ".join(
        f"{k}={_n(v, 3) if isinstance(v, float) else v}"
        for k, v in inputs.items()
        if k != "source" and not k.endswith("_source")
    )


def explained(row: Row) -> Iterator[tuple[str, Doc | None]]:
    """(label, figure) for every figure of the row's sources, then (note, None) for each plain note."""
    for label, source in row.sources:
        for key, figure in (source.get("why") or {}).items():
            yield f"{label}{key}", figure
    for note in row.notes:
        yield note, None


def _explanation_lines(row: Row, width: int) -> list[str]:
    lines: list[str] = []
    for label, figure in explained(row):
        if figure is None:
            lines += paragraph(label, width, "      ", "        ")
            continue
        lines += paragraph(f"{label} = {figure['formula']}", width, "      ", "          ")
        if inputs := _inputs_text(figure.get("inputs") or {}):
            lines += paragraph(f"with {inputs}", width, "        ", "          ")
    return lines


def _shown_ids(sections: Sequence[Section]) -> set[int]:
    return {id(source) for section in sections for row in section.rows for _, source in row.sources}


def figures_left(doc: Doc, shown: set[int]) -> list[tuple[str, Doc]]:
    """(path, object) of every object in the document carrying `why` that no row shows."""
    found: list[tuple[str, Doc]] = []

    def walk(value: Any, path: str) -> None:
        if isinstance(value, Mapping):
            if isinstance(value.get("why"), Mapping) and id(value) not in shown and path != "cost":
                found.append((path, value))
            for key, item in value.items():
                if key != "why":
                    walk(item, f"{path}.{key}" if path else str(key))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                walk(item, f"{path}[{i}]")

    walk(doc, "")
    return found


# --- text -----------------------------------------------------------------------------------------------------
def _section_lines(section: Section, width: int, explain: bool) -> list[str]:
    after = [_explanation_lines(row, width) if explain else [] for row in section.rows]
    rows = [row.cells for row in section.rows]
    lines = table(section.title, section.columns, rows, width, after=after)
    for note in (section.note, section.explain_note if explain else ""):
        if note:
            lines += paragraph(note, width, "  ", "    ")
    return [*lines, ""]


def _facts(doc: Doc) -> list[str]:
    """The sourced facts sizing rests on, one line each."""
    return [
        f"{key} = {fact['value']:g} ({fact['unit']}): {fact['source']} ({fact['as_of']})"
        for key, fact in doc["sources"].get("facts", {}).items()
    ]


def price_sources(doc: Doc, key: str = "source") -> tuple[str, str]:
    """The price lists (`key`: their page, or their spot source) of the clouds whose prices the document shows
    (where it places work, and every offer it prices), and the oldest one's date; every registered cloud's for a
    document without them per cloud."""
    src = doc["sources"]
    lists: Mapping[str, Mapping[str, str]] = src.get("price_lists") or {}
    if not lists:
        return str(src["prices" if key == "source" else "spot"]), str(src["prices_as_of"])
    shown = set(used_clouds(doc))
    shown |= {str(o["location"]) for o in doc.get("offers") or [] if o.get("usd_per_gpu_hour") is not None}
    priced = [(cloud, p) for cloud, p in lists.items() if cloud in shown] or list(lists.items())
    as_of = min(p["as_of"] for _, p in priced)
    if len(priced) == 1:
        return priced[0][1][key], as_of
    return "; ".join(f"{cloud}: {p[key]}" for cloud, p in priced), as_of


def size_lines(doc: Doc, width: int = 80, explain: bool = False) -> list[str]:
    """The text of `aidc size` (`--explain`: every table, each figure's formula and inputs under its row)."""
    sections = [s for s in size_sections(doc) if explain or not s.detail]
    estate = doc.get("estate")
    shard = f" (the estate's plan, with shard {estate['shard']}'s sites)" if estate else ""
    lines = [f"aidc size: stack {doc['stack']}{shard}", ""]
    for section in sections:
        lines += _section_lines(section, width, explain)
    if explain:
        left = figures_left(doc, _shown_ids(sections))
        if left:
            lines.append("Other figures")
            for path, source in left:
                lines += paragraph(path, width, "  ")
                lines += _explanation_lines(Row((), (("", source),)), width)
            lines.append("")
    lines += cost_text(doc["cost"], width, explain)
    prices, as_of = price_sources(doc)
    lines += paragraph(f"prices: {prices} as of {as_of}; override in aidc:capacity.prices", width)
    if explain:
        lines += [line for fact in _facts(doc) for line in paragraph(fact, width, "", "  ")]
    else:
        lines.append("each figure's formula and inputs: aidc size --explain; for scripts: --json")
    return lines


def size_text(doc: Doc, stream: TextIO, explain: bool = False) -> None:
    stream.write("\n".join(size_lines(doc, output_width(stream), explain)) + "\n")


def size_text_explained(doc: Doc, stream: TextIO) -> None:
    size_text(doc, stream, explain=True)


# --- markdown -----------------------------------------------------------------------------------------------
def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    return "`" + text.replace("`", "'") + "`"


def _md_why(row: Row) -> str:
    return "; ".join(
        _md(label)
        if figure is None
        else f"{_md(label)}: {_code(figure['formula'])}"
        + (f" with {_md(inputs)}" if (inputs := _inputs_text(figure.get("inputs") or {})) else "")
        for label, figure in explained(row)
    )


def _section_markdown(section: Section) -> list[str]:
    aligns = ["---:" if c.numeric else "---" for c in section.columns]
    lines = [
        f"#### {section.title}",
        "",
        "| " + " | ".join(c.header for c in section.columns) + " |",
        "|" + "|".join(aligns) + "|",
    ]
    lines += ["| " + " | ".join(_md(c) for c in row.cells) + " |" for row in section.rows]
    explained_rows = [row for row in section.rows if row.sources or row.notes]
    if explained_rows:
        lines.append("")
        lines += [f"- **{_md(row.label or row.cells[0])}**: {_md_why(row)}" for row in explained_rows]
    for note in (section.note, section.explain_note):
        if note:
            lines += ["", _md(note)]
    return [*lines, ""]


def size_markdown(doc: Doc) -> str:
    """`aidc size --format markdown`: warnings first, then every table with the formula and inputs of each
    figure under it, then the cost per line with its formula and the price sources."""
    lines = [f"### aidc size — `{doc['stack']}`", ""]
    if doc["warnings"]:
        lines += ["**Warnings**", ""]
        lines += [f"- {_md(w)}" for w in doc["warnings"]]
        lines.append("")
    sections = size_sections(doc, "markdown")
    for section in sections:
        lines += _section_markdown(section)
    left = figures_left(doc, _shown_ids(sections))
    if left:
        lines += ["#### Other figures", ""]
        lines += [f"- **{_md(path)}**: {_md_why(Row((), (('', source),)))}" for path, source in left]
        lines.append("")
    # cost_markdown ends with the price source and date; the spot estimate's source is the one left to say.
    lines += ["#### Monthly cost (USD)", "", cost_markdown(doc["cost"]).rstrip("\n")]
    lines.append(
        f"<sub>Spot: {price_sources(doc, 'spot_source')[0]}. Any price can be overridden in `aidc:capacity.prices`.</sub>"
    )
    lines += ["", *(f"<sub>{_md(line)}</sub>  " for line in _facts(doc))]
    return "\n".join(lines) + "\n"
