"""Hardware and price facts, each with its source and the date it was read.

This module holds the hardware numbers and merges the public clouds' catalogs (aidc/clouds/<name>/catalog.py:
instance types, prices, limits) into the one `Catalog` sizing reads. Accelerator keys are `<model>-<memory>gb`, lower case.
Peaks are dense (no sparsity) BF16 tensor FLOP/s from the vendor datasheets. Prices are USD per hour (each
cloud's price list says for which region) and change: every price can be overridden in `aidc:capacity.prices`.
`FACTS` holds the other numbers sizing rests on (serving memory overhead, decode efficiency, training bytes per
parameter, NVMe write bandwidth) and `MODEL_SHAPES` the published attention shapes that stand in for a model's
when config gives none. To add an entry, give it a source and a date.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from aidc.clouds import catalog_of
from aidc.clouds.base import InstanceType, PriceList, ServicePrice, TransferPrice
from aidc.contract import PUBLIC_CLOUDS


@dataclass(frozen=True, kw_only=True)
class Accelerator:
    """One GPU model as the sizing engine sees it."""

    key: str
    peak_bf16_flops: float  # dense BF16 FLOP/s per GPU
    peak_fp8_flops: float | None  # dense FP8 FLOP/s per GPU; None where the hardware has no FP8 Tensor Cores
    peak_int8_ops: float | None  # dense INT8 OP/s per GPU; None where the hardware has no INT8 Tensor Cores
    low_precision_source: (
        str  # the datasheet the FP8 and INT8 peaks come from (dense = half the sparsity figure)
    )
    memory_gb: int
    memory_bandwidth_tbps: float  # HBM/GDDR bandwidth, TB/s; decode throughput scales with it
    gpus_per_node: int  # GPUs in one private-cloud server of this model
    source: str  # of the performance and memory figures above
    as_of: str
    capex_usd_per_gpu: float  # purchase price share of one GPU in a server, for private amortisation
    power_kw_per_gpu: float  # server power per GPU at load, including the host's share
    capex_source: str  # where capex_usd_per_gpu comes from and how it was derived ("estimate: ..." if so)
    power_source: str  # where power_kw_per_gpu comes from and how it was derived
    costs_as_of: str  # the date of the newest figure the capex and power rest on

    def dense_peak(self, precision: str) -> tuple[float, str]:
        """The dense peak the matrix multiplies of weights stored at `precision` run at, and why: FP8 weights on
        FP8 Tensor Cores (BF16 where there are none: the weights are dequantised), INT8 weights (W8A8) on INT8
        Tensor Cores, BF16 and INT4 weights (W4A16: dequantised to 16 bits before the multiply) at BF16."""
        if precision == "fp8" and self.peak_fp8_flops is not None:
            return self.peak_fp8_flops, "FP8"
        if precision == "int8" and self.peak_int8_ops is not None:
            return self.peak_int8_ops, "INT8"
        if precision in ("fp8", "int8"):
            return self.peak_bf16_flops, f"BF16 ({self.key} has no {precision.upper()} Tensor Cores)"
        return (
            self.peak_bf16_flops,
            "BF16" if precision == "bf16" else f"BF16 ({precision} weights dequantised)",
        )


@dataclass(frozen=True, kw_only=True)
class Fact:
    """One sourced number the sizing engine relies on that is not an accelerator or an instance type."""

    key: str
    value: float
    unit: str
    source: str  # where the value comes from ("estimate: ..." when it is one, with what it rests on)
    as_of: str


@dataclass(frozen=True, kw_only=True)
class ModelShape:
    """The attention shape of a published model: what sizes its KV cache."""

    name: str
    params: float
    layers: int
    model_dim: int  # the width d (hidden size): attention FLOPs in training are 12 · layers · d · sequence
    kv_heads: int  # key/value heads (grouped-query attention shares them between query heads)
    head_dim: int
    source: str
    as_of: str


_SEMIANALYSIS_SERVER = (
    "SemiAnalysis, 'AI Server Cost Analysis - Memory Is the Biggest Loser' (2023-05-29): a standard 2-socket "
    "Intel Sapphire Rapids CPU server with 1 TB of DRAM costs about USD 10,424 for a large-volume buyer "
    "(including ~USD 700 of ODM margin), NAND 14.7% of it"
)

# Serving, training and storage facts. Keys are what aidc/sizing reads; the values are overridable only by
# passing another Catalog (tests, benchmarks) or, where config names a key for it, by config.
FACTS: Mapping[str, Fact] = MappingProxyType(
    {
        f.key: f
        for f in (
            Fact(
                key="serving_memory_overhead",
                value=0.10,
                unit="fraction of each GPU's memory",
                source="vLLM engine arguments (docs.vllm.ai, serving/engine_args): --gpu-memory-utilization "
                "defaults to 0.9, the share of GPU memory the engine takes for weights, activations and KV "
                "cache; the other 10% stays free for the CUDA context, NCCL buffers and other processes",
                as_of="2025-11",
            ),
            Fact(
                key="kv_cache_bytes_per_value",
                value=2.0,
                unit="bytes per K or V element",
                source="the default of aidc:demand.inference[].kv_precision (bf16): vLLM --kv-cache-dtype defaults "
                "to 'auto', the model's activation dtype (BF16), also for FP8 or INT4 weights (docs.vllm.ai, "
                "serving/engine_args); kv_precision fp8 stores 1 byte a value (--kv-cache-dtype fp8)",
                as_of="2025-11",
            ),
            Fact(
                key="decode_bandwidth_efficiency",
                value=0.5,
                unit="achieved / peak memory bandwidth in decode",
                source="estimate: Databricks/MosaicML measured model bandwidth utilisation (MBU) of about "
                "50-60% for decode on A100/H100 and saw it fall as tensor parallelism grows ('LLM Inference "
                "Performance Engineering: Best Practices', databricks.com/blog, 2023-10-12); the low end is "
                "taken. Revisited 2026-12 for the paged batch: it bounds decode only below the batch where a step "
                "turns compute-bound, where the MBU measured is this one. An estimate to replace with a measured "
                "tokens_per_s_per_gpu",
                as_of="2023-10",
            ),
            Fact(
                key="serving_compute_efficiency",
                value=0.4,
                unit="achieved / dense peak FLOP/s while serving (prefill and decode)",
                source="estimate: the model FLOPs utilisation published for large transformers on H100 at scale, "
                "38-43% BF16 (Llama 3 405B, arXiv:2407.21783, Table 4); Pope et al. (arXiv:2211.05102) reach 76% "
                "only for large-batch prefill, and decode steps add attention, sampling and small GEMMs the FLOP "
                "count leaves out, so the training figure is taken. An estimate to replace with a measured "
                "tokens_per_s_per_gpu",
                as_of="2024-07",
            ),
            Fact(
                key="serving_prompt_tokens",
                value=222.0,
                unit="tokens in per request (average)",
                source="the default of aidc:demand.inference[].prompt_tokens: the mean prompt of the MLPerf "
                "Inference Llama 2 70B dataset (OpenOrca, 24,576 samples, at most 1,024 tokens): 222.3 tokens "
                "(MLCommons open_orca_gpt4_tokenized_llama.sampled_24576, lengths as summarised in "
                "github.com/openshift-psap/performance-dashboard mlperf-data/summaries/llama2-70b-99.csv)",
                as_of="2024-03",
            ),
            Fact(
                key="serving_output_tokens",
                value=294.0,
                unit="tokens out per request (average)",
                source="the default of aidc:demand.inference[].output_tokens: Llama 2 70B's mean answer on the "
                "MLPerf dataset, 'Tokens per sample: 294.45' (github.com/mlcommons/inference "
                "language/llama2-70b/README.md, accuracy target of the FP16 reference run)",
                as_of="2024-03",
            ),
            Fact(
                key="serving_max_sequences",
                value=256.0,
                unit="sequences a replica runs at once",
                source="the default of aidc:demand.inference[].concurrent_sequences: vLLM --max-num-seqs, the "
                "most sequences in one iteration, defaults to 256 (docs.vllm.ai v0.6 engine_args)",
                as_of="2024-10",
            ),
            Fact(
                key="training_sequence_tokens",
                value=8192.0,
                unit="tokens per training sequence",
                source="the default of aidc:demand.training[].sequence_tokens: Llama 3 pre-trains on sequences of "
                "8K tokens (arXiv:2407.21783, sec. 3.4.1 and Table 4); Llama 2 used 4K (arXiv:2307.09288, "
                "Table 1), GPT-3 2,048 (arXiv:2005.14165)",
                as_of="2024-07",
            ),
            Fact(
                key="training_bytes_per_param",
                value=16.0,
                unit="bytes per parameter",
                source="ZeRO (Rajbhandari et al., arXiv:1910.02054, sec. 3.1): mixed-precision Adam holds "
                "16-bit weights (2) and gradients (2) plus fp32 master weights, momentum and variance (12)",
                as_of="2019-10",
            ),
            Fact(
                key="training_memory_margin",
                value=0.25,
                unit="fraction of each GPU's memory",
                source="estimate: kept free of model states for activations (with activation checkpointing), "
                "communication buffers and fragmentation, the 'residual states' of ZeRO (arXiv:1910.02054, "
                "sec. 3.2), which gives no single fraction",
                as_of="2019-10",
            ),
            Fact(
                key="nvme_write_mb_per_s",
                value=3500.0,
                unit="MB/s sequential write per drive",
                source="Samsung PM9A3 U.2 7.68 TB (PCIe 4.0 datacentre NVMe) datasheet: 3,500 MB/s sequential "
                "write (heise.de/-4720224 and computerbase.de 2020-05 PM9A3 articles, from the datasheet); "
                "smaller drives of a family write slower: set aidc:demand.storage.drive_write_mb_per_s",
                as_of="2020-05",
            ),
            # Owned servers that are not GPU servers (a GPU's capex and power already carry its host's share):
            # the K3s servers of the core and of each edge site, and the Ceph storage hosts with their drives.
            # Amortised over aidc:capacity.private.amortisation_months; power at its PUE and USD/kWh.
            Fact(
                key="server_capex_usd",
                value=10_424.0,
                unit="USD per server",
                source=_SEMIANALYSIS_SERVER
                + "; each K3s server (core and edge) is priced as one such server (a "
                "whole host per server: what an HA control plane over separate failure domains needs)",
                as_of="2023-05",
            ),
            Fact(
                key="storage_host_capex_usd",
                value=8_892.0,
                unit="USD per storage host, without its data drives",
                source=_SEMIANALYSIS_SERVER
                + "; less its NAND (14.7%): 10,424 x 0.853 = 8,892, the data drives "
                "being priced per TB (nvme_capex_usd_per_tb)",
                as_of="2023-05",
            ),
            Fact(
                key="server_power_kw",
                value=0.83,
                unit="kW per server (or storage host without its drives) at load",
                source="estimate: 2 x 350 W CPUs (Intel Xeon Platinum 8480+ TDP, the server above) at ~75% load "
                "+ ~200 W memory, boot SSD and NICs, +15% fans and power-supply losses (ServeTheHome rule of "
                "thumb, as for the GPU hosts): (525 + 200) x 1.15 = 834 W",
                as_of="2023-05",
            ),
            Fact(
                key="nvme_capex_usd_per_tb",
                value=110.0,
                unit="USD per TB of datacentre NVMe drive",
                source="estimate, no dated price source found: read-intensive TLC PCIe 4.0 U.2 drives of 7.68 TB "
                "(Samsung PM9A3 class) at roughly USD 750-900 each in 2025; pass another Catalog to change it",
                as_of="2025-12",
            ),
            Fact(
                key="nvme_power_kw",
                value=0.012,
                unit="kW per NVMe drive",
                source="SNIA, 'NVMe SSD Classification' (updated April 2025): 12-25 W for a 2.5-inch (U.2) "
                "enterprise or data-centre drive; the low end (read-intensive drives)",
                as_of="2025-04",
            ),
        )
    }
)

_LLAMA3 = "Llama 3 paper (Llama Team, arXiv:2407.21783), Table 3: layers, model dimension, heads, KV heads"
# Reference shapes for models that give no `layers`/`kv_heads`/`head_dim`: every size uses grouped-query
# attention with 8 KV heads of dimension 128 (4096/32 = 8192/64 = 16384/128).
MODEL_SHAPES: tuple[ModelShape, ...] = (
    ModelShape(
        name="Llama 3 8B",
        params=8e9,
        layers=32,
        model_dim=4096,
        kv_heads=8,
        head_dim=128,
        source=_LLAMA3,
        as_of="2024-07",
    ),
    ModelShape(
        name="Llama 3 70B",
        params=70e9,
        layers=80,
        model_dim=8192,
        kv_heads=8,
        head_dim=128,
        source=_LLAMA3,
        as_of="2024-07",
    ),
    ModelShape(
        name="Llama 3 405B",
        params=405e9,
        layers=126,
        model_dim=16384,
        kv_heads=8,
        head_dim=128,
        source=_LLAMA3,
        as_of="2024-07",
    ),
)


@dataclass(frozen=True, kw_only=True)
class MfuTier:
    """The model FLOPs utilisation a training run on up to `max_gpus` GPUs reaches, from a published run."""

    max_gpus: float  # the tier holds runs of at most this many GPUs (inf: the last tier)
    mfu: float
    source: str
    as_of: str


_LLAMA3_MFU = "Llama 3 paper (arXiv:2407.21783), Table 4: Llama 3 405B pre-training on H100, BF16 MFU"
# The default MFU of a training run that gives none, by the GPUs it is planned on (the first tier that holds them):
# what the largest published runs reached at that scale with production software. Smaller runs are not known to do
# better, so the first tier covers them.
MFU_BY_SCALE: tuple[MfuTier, ...] = (
    MfuTier(
        max_gpus=8192,
        mfu=0.43,
        source=f"{_LLAMA3_MFU} 43% on 8,192 GPUs (TP8, PP16, DP64, 8K sequences); PaLM 540B reached 46.2% on "
        "6,144 TPU v4 (arXiv:2204.02311, Table 3)",
        as_of="2024-07",
    ),
    MfuTier(
        max_gpus=16384,
        mfu=0.41,
        source=f"{_LLAMA3_MFU} 41% on 16,384 GPUs (DP128); MegaScale (arXiv:2402.15627) measured Megatron-LM at "
        "55.2% / 1.34 = 41% on 12,288 GPUs for a 175B model",
        as_of="2024-07",
    ),
    MfuTier(
        max_gpus=float("inf"),
        mfu=0.38,
        source=f"{_LLAMA3_MFU} 38% on 16,384 GPUs with context parallelism (131K sequences), the lowest "
        "published at that scale; nobody has published MFU for more GPUs",
        as_of="2024-07",
    ),
)


@dataclass(frozen=True)
class Catalog:
    """Accelerators, the public clouds' instance types and where their prices come from; a sizing run takes one
    (tests and benchmarks pass their own)."""

    accelerators: Mapping[str, Accelerator]
    instance_types: Mapping[str, InstanceType]
    facts: Mapping[str, Fact] = field(default_factory=lambda: FACTS)
    model_shapes: tuple[ModelShape, ...] = MODEL_SHAPES
    price_lists: Mapping[str, PriceList] = field(default_factory=lambda: PRICE_LISTS)
    # instance type -> region -> (on-demand, spot) USD/h, where a cloud's catalog lists regional prices
    regional_prices: Mapping[str, Mapping[str, tuple[float, float]]] = field(
        default_factory=lambda: REGIONAL_PRICES
    )
    notes: tuple[str, ...] = field(default=())

    def instance_types_for(self, accelerator: str) -> list[InstanceType]:
        return [t for t in self.instance_types.values() if t.accelerator == accelerator]

    def fact(self, key: str) -> float:
        return self.facts[key].value

    def price_list(self, cloud: str) -> PriceList:
        return self.price_lists[cloud]

    def regional_price(self, instance: InstanceType, region: str) -> tuple[float, float] | None:
        """(on-demand, spot) USD per hour of `instance` in `region` where its cloud's catalog lists them
        (REGIONAL_PRICES), else None: the priced region's `usd_per_hour` stands."""
        by_region = self.regional_prices.get(instance.name)
        return None if by_region is None else by_region.get(region)

    def price_source(self, clouds: Sequence[str] | None = None) -> str:
        """The price page of each cloud (every registered one unless `clouds` says which): the page itself for
        one cloud, '<cloud>: <page>; …' for several."""
        lists = self._lists(clouds)
        if len(lists) == 1:
            return lists[0].source
        return "; ".join(f"{p.cloud}: {p.source}" for p in lists)

    def price_as_of(self, clouds: Sequence[str] | None = None) -> str:
        """The date of the oldest of those price lists: what the plan's prices are at least as new as."""
        return min((p.as_of for p in self._lists(clouds)), default="")

    def spot_source(self, clouds: Sequence[str] | None = None) -> str:
        lists = self._lists(clouds)
        if len(lists) == 1:
            return lists[0].spot_source
        return "; ".join(f"{p.cloud}: {p.spot_source}" for p in lists)

    def _lists(self, clouds: Sequence[str] | None) -> list[PriceList]:
        return [p for cloud, p in self.price_lists.items() if clouds is None or cloud in clouds]


_NV = "NVIDIA datasheet"
ACCELERATORS: Mapping[str, Accelerator] = MappingProxyType(
    {
        a.key: a
        for a in (
            Accelerator(
                key="a100-40gb",
                peak_bf16_flops=312e12,
                peak_fp8_flops=None,
                peak_int8_ops=624e12,
                low_precision_source="NVIDIA A100 datasheet: INT8 624 TOPS dense (1,248 with sparsity); Ampere has no FP8 Tensor Cores",
                memory_gb=40,
                memory_bandwidth_tbps=1.555,
                gpus_per_node=8,
                capex_usd_per_gpu=16_500,
                power_kw_per_gpu=0.81,
                source=f"{_NV}: A100 Tensor Core GPU (BF16 312 TFLOPS dense, 40GB HBM2 1,555 GB/s)",
                as_of="2024-11",
                capex_source="estimate: A100 SXM4 40GB single-unit list USD 12,500 (NextPlatform 2022-05-09, in Epoch AI training-cost-trends 'Hardware prices.csv' (github.com/epoch-research/training-cost-trends)) + host share ~USD 4,000/GPU: non-GPU parts of a DGX H100 sum to USD 32,010 (Epoch AI notebook on SemiAnalysis's DGX H100 bill of materials)",
                power_source="DGX A100 datasheet: 6.5 kW max system power / 8 GPUs (NVIDIA; max = at load for AI work per the DGX SuperPOD design guide)",
                costs_as_of="2022-07",
            ),
            Accelerator(
                key="a100-80gb",
                peak_bf16_flops=312e12,
                peak_fp8_flops=None,
                peak_int8_ops=624e12,
                low_precision_source="NVIDIA A100 datasheet: INT8 624 TOPS dense (1,248 with sparsity); Ampere has no FP8 Tensor Cores",
                memory_gb=80,
                memory_bandwidth_tbps=2.039,
                gpus_per_node=8,
                capex_usd_per_gpu=18_550,
                power_kw_per_gpu=0.81,
                source=f"{_NV}: A100 Tensor Core GPU (BF16 312 TFLOPS dense, 80GB HBM2e 2,039 GB/s SXM)",
                as_of="2024-11",
                capex_source="Dihuni HGX A100 8-GPU 640GB server, USD 18,548.75 per GPU (archived 2023-09-23, in Epoch AI training-cost-trends 'Hardware prices.csv' (github.com/epoch-research/training-cost-trends))",
                power_source="DGX A100 datasheet: 6.5 kW max system power / 8 GPUs",
                costs_as_of="2023-09",
            ),
            Accelerator(
                key="h100-80gb",
                peak_bf16_flops=989e12,
                peak_fp8_flops=1979e12,
                peak_int8_ops=1979e12,
                low_precision_source="NVIDIA H100 datasheet (SXM): FP8 3,958 TFLOPS and INT8 3,958 TOPS with sparsity, 1,979 dense",
                memory_gb=80,
                memory_bandwidth_tbps=3.35,
                gpus_per_node=8,
                capex_usd_per_gpu=33_750,
                power_kw_per_gpu=1.28,
                source=f"{_NV}: H100 SXM (BF16 989 TFLOPS dense, 80GB HBM3 3.35 TB/s)",
                as_of="2024-11",
                capex_source="SemiAnalysis 2023-05 ('AI server cost analysis'): 'Nvidia sells DGX H100's at around $270,000' / 8 GPUs",
                power_source="DGX H100/H200 user guide: 10.2 kW max input / 8 GPUs",
                costs_as_of="2023-05",
            ),
            Accelerator(
                key="h200-141gb",
                peak_bf16_flops=989e12,
                peak_fp8_flops=1979e12,
                peak_int8_ops=1979e12,
                low_precision_source="NVIDIA H200 datasheet (SXM): FP8 3,958 TFLOPS and INT8 3,958 TOPS with sparsity, 1,979 dense",
                memory_gb=141,
                memory_bandwidth_tbps=4.8,
                gpus_per_node=8,
                capex_usd_per_gpu=36_000,
                power_kw_per_gpu=1.28,
                source=f"{_NV}: H200 SXM (BF16 989 TFLOPS dense, 141GB HBM3e 4.8 TB/s)",
                as_of="2024-11",
                capex_source="estimate: H200 USD 32k (huggingface.co/hardware/h200, community 'MSRP') + host share ~USD 4,000/GPU: non-GPU parts of a DGX H100 sum to USD 32,010 (Epoch AI notebook on SemiAnalysis's DGX H100 bill of materials)",
                power_source="DGX H100/H200 user guide: 10.2 kW max input / 8 GPUs",
                costs_as_of="2025-01",
            ),
            Accelerator(
                key="b200-180gb",
                peak_bf16_flops=2.25e15,
                peak_fp8_flops=4.5e15,
                peak_int8_ops=4.5e15,
                low_precision_source="NVIDIA HGX B200 datasheet: FP8/FP6 72 PFLOPS and INT8 72 POPS for 8 GPUs with sparsity, 4.5 P dense per GPU",
                memory_gb=180,
                memory_bandwidth_tbps=7.7,
                gpus_per_node=8,
                capex_usd_per_gpu=45_000,
                power_kw_per_gpu=1.79,
                source=f"{_NV}: HGX B200 (BF16 2.25 PFLOPS dense per GPU); 180 GB per GPU as on AWS p6-b200",
                as_of="2025-05",
                capex_source="estimate: Blackwell 'between $30,000 and $40,000 per unit' (CNBC, 2024-10-03) at the top, + host share ~USD 5,000",
                power_source="DGX B200 user guide (docs.nvidia.com/dgx/dgxb200-user-guide): 14.3 kW max / 8 GPUs",
                costs_as_of="2024-10",
            ),
            Accelerator(
                key="h100-94gb",
                peak_bf16_flops=835e12,
                peak_fp8_flops=1671e12,
                peak_int8_ops=1671e12,
                low_precision_source="NVIDIA H100 NVL datasheet: FP8 3,341 TFLOPS and INT8 3,341 TOPS with sparsity, 1,671 dense",
                memory_gb=94,
                memory_bandwidth_tbps=3.9,
                gpus_per_node=8,
                capex_usd_per_gpu=33_000,
                power_kw_per_gpu=0.65,
                source=f"{_NV}: H100 NVL (BF16 1,671 TFLOPS with sparsity = 835 dense, 94GB HBM3 3.9 TB/s)",
                as_of="2024-11",
                capex_source="estimate: H100 NVL card USD 28,550-31,250 (2024) and 29,999 (2025-07-01) on Amazon (United-Compute gpu-price-tracker) + host share ~USD 3,000",
                power_source="estimate: 400 W board (One Stop Systems: 'H100 NVL, increasing power density to 400W') x 1.15 cooling + host share ~192 W/GPU: 2 CPUs ~1,000 W + memory/SSD ~275 W + NICs ~60 W, +15% cooling, over 8 GPUs (ServeTheHome, 'ASRock Rack 4U8G-TURIN2' review rule of thumb)",
                costs_as_of="2025-07",
            ),
            Accelerator(
                key="l4-24gb",
                peak_bf16_flops=121e12,
                peak_fp8_flops=242.5e12,
                peak_int8_ops=242.5e12,
                low_precision_source="NVIDIA L4 datasheet: FP8 485 TFLOPS and INT8 485 TOPS with sparsity, 242.5 dense",
                memory_gb=24,
                memory_bandwidth_tbps=0.3,
                gpus_per_node=8,
                capex_usd_per_gpu=4_500,
                power_kw_per_gpu=0.2,
                source=f"{_NV}: L4 (BF16 121 TFLOPS dense / 242 sparse, 24GB GDDR6 300 GB/s)",
                as_of="2024-11",
                capex_source="estimate: L4 card USD 2,547-2,980 on Amazon (2024-08 to 2025-07, United-Compute gpu-price-tracker) + lighter host share ~USD 1,800",
                power_source="estimate: 72 W board (NVIDIA L4 announcement 2023-03-21) x 1.15 cooling + lighter host ~120 W/GPU (2 x 250 W CPUs; ServeTheHome rule of thumb)",
                costs_as_of="2025-07",
            ),
            Accelerator(
                key="l40s-48gb",
                peak_bf16_flops=362e12,
                peak_fp8_flops=733e12,
                peak_int8_ops=733e12,
                low_precision_source="NVIDIA L40S datasheet: FP8 1,466 TFLOPS and INT8 1,466 TOPS with sparsity, 733 dense",
                memory_gb=48,
                memory_bandwidth_tbps=0.864,
                gpus_per_node=8,
                capex_usd_per_gpu=12_000,
                power_kw_per_gpu=0.6,
                source=f"{_NV}: L40S (BF16 362 TFLOPS dense / 733 sparse, 48GB GDDR6 864 GB/s)",
                as_of="2024-11",
                capex_source="estimate: L40S card USD 8.5k (huggingface.co/hardware/l40s, community 'MSRP') + host share ~USD 3,500",
                power_source="estimate: 350 W board (NVIDIA L40S spec table) x 1.15 cooling + host share ~192 W/GPU: 2 CPUs ~1,000 W + memory/SSD ~275 W + NICs ~60 W, +15% cooling, over 8 GPUs (ServeTheHome, 'ASRock Rack 4U8G-TURIN2' review rule of thumb); press: 10 L40S ~5.5 kW under load (0.55/GPU)",
                costs_as_of="2024-10",
            ),
            Accelerator(
                key="a10-24gb",
                peak_bf16_flops=125e12,
                peak_fp8_flops=None,
                peak_int8_ops=250e12,
                low_precision_source="NVIDIA A10 datasheet: INT8 250 TOPS dense (500 with sparsity); Ampere has no FP8 Tensor Cores",
                memory_gb=24,
                memory_bandwidth_tbps=0.6,
                gpus_per_node=4,
                capex_usd_per_gpu=5_000,
                power_kw_per_gpu=0.3,
                source=f"{_NV}: A10 (BF16 125 TFLOPS dense / 250 sparse, 24GB GDDR6 600 GB/s)",
                as_of="2024-11",
                capex_source="estimate, no price source found: card ~USD 3,000-3,500 (between T4 USD 2.0k and A30 USD 5.0k on huggingface.co/hardware) + lighter host share ~USD 1,800",
                power_source="estimate: 150 W board (A10-24GB-150W, Hugging Face optimum hardware list) x 1.15 cooling + lighter host ~120 W/GPU",
                costs_as_of="2025-07",
            ),
            Accelerator(
                key="mi300x-192gb",
                peak_bf16_flops=1307.4e12,
                peak_fp8_flops=2614.9e12,
                peak_int8_ops=2614.9e12,
                low_precision_source="AMD Instinct MI300X datasheet: FP8 2,614.9 TFLOPS and INT8 2,614.9 TOPS dense (5,229.8 with sparsity)",
                memory_gb=192,
                memory_bandwidth_tbps=5.3,
                gpus_per_node=8,
                capex_usd_per_gpu=20_000,
                power_kw_per_gpu=1.35,
                source="AMD Instinct MI300X datasheet (BF16 1,307.4 TFLOPS dense, 192GB HBM3 5.3 TB/s)",
                as_of="2024-11",
                capex_source="estimate: MI300X USD 15k (huggingface.co/hardware/mi300, community 'MSRP'; street USD 10-15k) + host share ~USD 4,000/GPU: non-GPU parts of a DGX H100 sum to USD 32,010 (Epoch AI notebook on SemiAnalysis's DGX H100 bill of materials)",
                power_source="estimate: 750 W OAM (AMD MLPerf Inference v4.1 system description '8xMI300X ... 750W') + H100-class host overhead 575 W/GPU (DGX H100 1,275 W/GPU - 700 W board)",
                costs_as_of="2024-08",
            ),
        )
    }
)


# Every registered public cloud's instance types (each names its cloud) and price list, in registration order.
INSTANCE_TYPES: Mapping[str, InstanceType] = MappingProxyType(
    {name: t for cloud in PUBLIC_CLOUDS for name, t in catalog_of(cloud).INSTANCE_TYPES.items()}
)
PRICE_LISTS: Mapping[str, PriceList] = MappingProxyType(
    {cloud: catalog_of(cloud).PRICE_LIST for cloud in PUBLIC_CLOUDS}
)
REGIONAL_PRICES: Mapping[str, Mapping[str, tuple[float, float]]] = MappingProxyType(
    {
        name: regions
        for cloud in PUBLIC_CLOUDS
        for name, regions in getattr(catalog_of(cloud), "REGIONAL_PRICES", {}).items()
    }
)
DEFAULT_CATALOG = Catalog(accelerators=ACCELERATORS, instance_types=INSTANCE_TYPES)

# Cloud pricing pages bill a month as 730 hours (8,760 h / 12); every monthly figure uses this one convention.
HOURS_PER_MONTH = 730
HOURS_PER_MONTH_SOURCE = "https://aws.amazon.com/ec2/pricing/on-demand/ (monthly estimates use 730 hours)"
# How many times a transfer (or a repeating run) happens in the 730-hour month, by its `every`.
RUNS_PER_MONTH: Mapping[str, float] = MappingProxyType(
    {"day": HOURS_PER_MONTH / 24, "week": HOURS_PER_MONTH / (24 * 7), "month": 1.0, "once": 0.0}
)

__all__ = [
    "ACCELERATORS",
    "DEFAULT_CATALOG",
    "FACTS",
    "HOURS_PER_MONTH",
    "INSTANCE_TYPES",
    "MFU_BY_SCALE",
    "MODEL_SHAPES",
    "PRICE_LISTS",
    "RUNS_PER_MONTH",
    "Accelerator",
    "Catalog",
    "Fact",
    "InstanceType",
    "MfuTier",
    "ModelShape",
    "PriceList",
    "ServicePrice",
    "TransferPrice",
]
