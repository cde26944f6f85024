"""Hardware and price facts, each with its source and the date it was read.

This is the only module that holds hardware numbers. Accelerator keys are `<model>-<memory>gb`, lower case.
Peaks are dense (no sparsity) BF16 tensor FLOP/s from the vendor datasheets. Prices are USD per hour,
us-east-1 Linux on-demand, and change: every price can be overridden in `aidc:capacity.prices`.
`FACTS` holds the other numbers sizing rests on (serving memory overhead, decode efficiency, training bytes per
parameter, NVMe write bandwidth) and `MODEL_SHAPES` the published attention shapes that stand in for a model's
when config gives none. To add an entry, give it a source and a date.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType


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
class InstanceType:
    """One public GPU instance type."""

    cloud: str = "aws"  # the public cloud that sells it: the plan's location for groups of this type
    name: str
    accelerator: str
    gpus: int
    vcpus: int
    network_gbps: int
    efa: bool
    efa_interfaces: int  # EFA devices per instance (one per network card); 0 without EFA
    usd_per_hour: float  # on-demand
    quota_family: str  # Service Quotas family (P or G) whose vCPU quota bounds it
    source: str
    as_of: str


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
    """Accelerators and instance types; a sizing run takes one (tests and benchmarks pass their own)."""

    accelerators: Mapping[str, Accelerator]
    instance_types: Mapping[str, InstanceType]
    facts: Mapping[str, Fact] = field(default_factory=lambda: FACTS)
    model_shapes: tuple[ModelShape, ...] = MODEL_SHAPES
    spot_fraction_of_on_demand: float = 0.4
    spot_source: str = (
        "estimate: GPU spot prices in us-east-1 ran at roughly 30-50% of on-demand in 2024; "
        "check EC2 Spot price history for your region and override in aidc:capacity.prices"
    )
    price_source: str = "https://aws.amazon.com/ec2/pricing/on-demand/ (us-east-1, Linux)"
    price_as_of: str = "2024-11"
    notes: tuple[str, ...] = field(default=())

    def instance_types_for(self, accelerator: str) -> list[InstanceType]:
        return [t for t in self.instance_types.values() if t.accelerator == accelerator]

    def fact(self, key: str) -> float:
        return self.facts[key].value


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

_PRICE = "https://aws.amazon.com/ec2/pricing/on-demand/ us-east-1 Linux"
_SPECS = "https://aws.amazon.com/ec2/instance-types/ (accelerated computing)"
# EFA devices per instance = network cards with EFA (EC2 User Guide, "Network cards" and "EFA supported
# instance types"): p5/p5e 32, p6-b200 8, p4d/p4de 4, g6e.48xlarge 4, g6e.12xlarge and g6.48xlarge 1.
INSTANCE_TYPES: Mapping[str, InstanceType] = MappingProxyType(
    {
        t.name: t
        for t in (
            InstanceType(
                name="p4d.24xlarge",
                accelerator="a100-40gb",
                gpus=8,
                vcpus=96,
                network_gbps=400,
                efa=True,
                efa_interfaces=4,
                usd_per_hour=32.7726,
                quota_family="P",
                source=f"{_SPECS}: 8x A100 40GB, 400 Gbps EFA; {_PRICE}",
                as_of="2024-11",
            ),
            InstanceType(
                name="p4de.24xlarge",
                accelerator="a100-80gb",
                gpus=8,
                vcpus=96,
                network_gbps=400,
                efa=True,
                efa_interfaces=4,
                usd_per_hour=40.9657,
                quota_family="P",
                source=f"{_SPECS}: 8x A100 80GB, 400 Gbps EFA; {_PRICE}",
                as_of="2024-11",
            ),
            InstanceType(
                name="p5.48xlarge",
                accelerator="h100-80gb",
                gpus=8,
                vcpus=192,
                network_gbps=3200,
                efa=True,
                efa_interfaces=32,
                usd_per_hour=98.32,
                quota_family="P",
                source=f"{_SPECS}: 8x H100 80GB, 3,200 Gbps EFA; {_PRICE} (AWS cut P5 prices in "
                "June 2025: override in aidc:capacity.prices)",
                as_of="2024-11",
            ),
            InstanceType(
                name="p5e.48xlarge",
                accelerator="h200-141gb",
                gpus=8,
                vcpus=192,
                network_gbps=3200,
                efa=True,
                efa_interfaces=32,
                usd_per_hour=108.0,
                quota_family="P",
                source=f"{_SPECS}: 8x H200 141GB, 3,200 Gbps EFA; price an estimate (sold mostly as "
                "Capacity Blocks)",
                as_of="2024-11",
            ),
            InstanceType(
                name="p6-b200.48xlarge",
                accelerator="b200-180gb",
                gpus=8,
                vcpus=192,
                network_gbps=3200,
                efa=True,
                efa_interfaces=8,
                usd_per_hour=113.93,
                quota_family="P",
                source=f"{_SPECS}: 8x B200 180GB, 3,200 Gbps EFA; {_PRICE}",
                as_of="2025-05",
            ),
            InstanceType(
                name="g6.48xlarge",
                accelerator="l4-24gb",
                gpus=8,
                vcpus=192,
                network_gbps=100,
                efa=True,
                efa_interfaces=1,
                usd_per_hour=13.3504,
                quota_family="G",
                source=f"{_SPECS}: 8x L4 24GB, 100 Gbps EFA; {_PRICE}",
                as_of="2024-11",
            ),
            InstanceType(
                name="g6.12xlarge",
                accelerator="l4-24gb",
                gpus=4,
                vcpus=48,
                network_gbps=40,
                efa=False,
                efa_interfaces=0,
                usd_per_hour=4.6016,
                quota_family="G",
                source=f"{_SPECS}: 4x L4 24GB, 40 Gbps; {_PRICE}",
                as_of="2024-11",
            ),
            InstanceType(
                name="g6e.48xlarge",
                accelerator="l40s-48gb",
                gpus=8,
                vcpus=192,
                network_gbps=400,
                efa=True,
                efa_interfaces=4,
                usd_per_hour=30.1309,
                quota_family="G",
                source=f"{_SPECS}: 8x L40S 48GB, 400 Gbps EFA; {_PRICE}",
                as_of="2024-11",
            ),
            InstanceType(
                name="g6e.12xlarge",
                accelerator="l40s-48gb",
                gpus=4,
                vcpus=48,
                network_gbps=100,
                efa=True,
                efa_interfaces=1,
                usd_per_hour=10.4926,
                quota_family="G",
                source=f"{_SPECS}: 4x L40S 48GB, 100 Gbps EFA; {_PRICE}",
                as_of="2024-11",
            ),
        )
    }
)

DEFAULT_CATALOG = Catalog(accelerators=ACCELERATORS, instance_types=INSTANCE_TYPES)

# AWS Site-to-Site VPN limits: https://docs.aws.amazon.com/vpn/latest/s2svpn/vpn-limits.html
VPN_TUNNELS_PER_CONNECTION = 2
VPN_TUNNEL_GBPS_STANDARD = 1.25
VPN_TUNNEL_GBPS_LARGE = 5.0  # "large" tunnel bandwidth, Transit Gateway attachments only
VPN_SOURCE = "https://docs.aws.amazon.com/vpn/latest/s2svpn/vpn-limits.html (read 2025-11)"
# Past this many tunnels an ECMP VPN mesh is harder to run than a dedicated link.
VPN_MAX_SANE_TUNNELS = 16
DIRECT_CONNECT_PORT_GBPS = (1, 10, 100, 400)
DIRECT_CONNECT_SOURCE = "https://aws.amazon.com/directconnect/ (dedicated ports 1, 10, 100, 400 Gbps)"
# Hosted connections a partner provisions, 1 Gbps and up (smaller ones cannot carry bulk transfers): botocore
# directconnect AllocateHostedConnection.bandwidth "50Mbps ... 1Gbps, 2Gbps, 5Gbps, 10Gbps, and 25Gbps".
DIRECT_CONNECT_HOSTED_GBPS = (1, 2, 5, 10, 25)
# Connections per link aggregation group, by port speed: "a maximum of two 100 Gbps or 400 Gbps connections, or
# four connections with a port speed less than 100 Gbps in a LAG".
DIRECT_CONNECT_LAG_MAX: Mapping[int, int] = MappingProxyType({1: 4, 10: 4, 100: 2, 400: 2})
DIRECT_CONNECT_LAG_SOURCE = (
    "https://docs.aws.amazon.com/directconnect/latest/UserGuide/lags.html and botocore directconnect "
    "CreateLag.numberOfConnections: four connections at 1 or 10 Gbps, two at 100 or 400 Gbps (read 2025-11)"
)
# MACsec runs on dedicated connections only, at 10, 100 and 400 Gbps, where the location offers it
# (DescribeLocations.availableMacSecPortSpeeds; `aidc preflight` checks the location).
DIRECT_CONNECT_MACSEC_GBPS = (10, 100, 400)
DIRECT_CONNECT_MACSEC_SOURCE = (
    "https://docs.aws.amazon.com/directconnect/latest/UserGuide/MACsec.html (dedicated 10, 100 and 400 Gbps "
    "connections at selected locations; not on hosted connections, botocore CreateConnection.requestMACSec)"
)
# Direct Connect quotas (https://docs.aws.amazon.com/directconnect/latest/UserGuide/limits.html, read 2026-12): an
# account may hold 10 dedicated connections per location in a Region (adjustable: Service Quotas or a support case),
# 10 LAGs per Region, 30 transit or private virtual interfaces per Direct Connect gateway, and advertise at most
# 1,000 routes per BGP session on a public virtual interface (not adjustable).
DIRECT_CONNECT_CONNECTIONS_PER_LOCATION = 10
DIRECT_CONNECT_LAGS_PER_REGION = 10
DIRECT_CONNECT_VIFS_PER_GATEWAY = 30
DIRECT_CONNECT_PUBLIC_VIF_ROUTES = 1000
DIRECT_CONNECT_QUOTA_SOURCE = (
    "https://docs.aws.amazon.com/directconnect/latest/UserGuide/limits.html (dedicated connections per Region per "
    "location 10, adjustable; LAGs per Region 10; virtual interfaces per Direct Connect gateway 30; routes per BGP "
    "session on a public virtual interface 1,000) (read 2026-12)"
)
DIRECT_CONNECT_QUOTA_HINT = (
    "ask AWS to raise 'Dedicated connections per location' (Service Quotas console, service Direct Connect, or a "
    "support case), then set aidc:interconnect.direct_connect.connections_per_location to the granted value"
)
# Amazon S3 scales per key prefix: "at least 3,500 PUT/COPY/POST/DELETE or 5,500 GET/HEAD requests per second per
# partitioned prefix", and recommends byte-range requests (and multipart parts) of 8-16 MB.
S3_PUT_PER_PREFIX_PER_S = 3500
S3_GET_PER_PREFIX_PER_S = 5500
S3_PART_BYTES = 16 * 1024 * 1024
S3_PERFORMANCE_SOURCE = (
    "https://docs.aws.amazon.com/AmazonS3/latest/userguide/optimizing-performance.html (3,500 PUT or 5,500 GET "
    "requests per second per partitioned prefix; byte-range fetches of 8-16 MB) (read 2026-12)"
)
# A Transit Gateway attachment (VPC or Direct Connect gateway) carries "up to 100 Gbps (burst) per Availability
# Zone": the ceiling of the TGW path, whatever the ports carry.
TGW_ATTACHMENT_GBPS_PER_AZ = 100
TGW_BANDWIDTH_SOURCE = (
    "https://docs.aws.amazon.com/vpc/latest/tgw/transit-gateway-quotas.html#bandwidth-quotas (read 2025-11)"
)

# AWS pricing pages bill a month as 730 hours (8,760 h / 12); every monthly figure uses this one convention.
HOURS_PER_MONTH = 730
HOURS_PER_MONTH_SOURCE = "https://aws.amazon.com/ec2/pricing/on-demand/ (monthly estimates use 730 hours)"


@dataclass(frozen=True)
class ServicePrice:
    """An AWS list price per hour of one billable unit, with where and when it was read."""

    key: str
    usd_per_hour: float
    unit: str
    source: str
    as_of: str


_EC2 = "https://aws.amazon.com/ec2/pricing/on-demand/ (us-east-1, Linux)"
_DX = (
    "https://aws.amazon.com/directconnect/pricing/ (dedicated connection port hours, all locations but Japan)"
)
_DX_HOSTED = (
    "https://aws.amazon.com/directconnect/pricing/ (hosted connection port hours, all locations but Japan)"
)
AWS_SERVICE_PRICES: Mapping[str, ServicePrice] = MappingProxyType(
    {
        p.key: p
        for p in (
            ServicePrice(
                "eks-control-plane",
                0.10,
                "cluster-hour",
                "https://aws.amazon.com/eks/pricing/ (standard Kubernetes version support)",
                "2024-11",
            ),
            ServicePrice(
                "nat-gateway",
                0.045,
                "NAT gateway-hour",
                "https://aws.amazon.com/vpc/pricing/ (NAT gateway, us-east-1)",
                "2024-11",
            ),
            ServicePrice(
                "tgw-attachment",
                0.05,
                "attachment-hour",
                "https://aws.amazon.com/transit-gateway/pricing/ (us-east-1)",
                "2024-11",
            ),
            ServicePrice(
                "vpn-connection",
                0.05,
                "connection-hour",
                "https://aws.amazon.com/vpn/pricing/ (Site-to-Site VPN, us-east-1)",
                "2024-11",
            ),
            *(
                ServicePrice(f"dx-port-{gbps}g", usd, "port-hour", _DX, "2026-09")
                for gbps, usd in ((1, 0.30), (10, 2.25), (100, 22.50), (400, 85.00))
            ),
            *(
                ServicePrice(f"dx-hosted-{gbps}g", usd, "port-hour", _DX_HOSTED, "2026-09")
                for gbps, usd in ((1, 0.33), (2, 0.66), (5, 1.65), (10, 2.48), (25, 6.20))
            ),
            ServicePrice("m6i.large", 0.096, "instance-hour", _EC2, "2024-11"),
            ServicePrice("m6i.xlarge", 0.192, "instance-hour", _EC2, "2024-11"),
            ServicePrice("m6i.2xlarge", 0.384, "instance-hour", _EC2, "2024-11"),
            ServicePrice("m7i.large", 0.1008, "instance-hour", _EC2, "2024-11"),
            ServicePrice("m7i.xlarge", 0.2016, "instance-hour", _EC2, "2024-11"),
            ServicePrice("m5.large", 0.096, "instance-hour", _EC2, "2024-11"),
            ServicePrice("t3.large", 0.0832, "instance-hour", _EC2, "2024-11"),
        )
    }
)


@dataclass(frozen=True)
class TransferPrice:
    """An AWS list price per GB moved, with where and when it was read; `tiers` for prices by monthly volume."""

    key: str
    usd_per_gb: float  # the flat price, or the first tier's
    source: str
    as_of: str
    tiers: tuple[
        tuple[float, float], ...
    ] = ()  # (GB per month up to, USD/GB), ascending; the last is unbounded


_TB = 1024  # AWS bills data transfer tiers in TB of 1,024 GB
AWS_TRANSFER_PRICES: Mapping[str, TransferPrice] = MappingProxyType(
    {
        p.key: p
        for p in (
            TransferPrice(
                "internet-out",
                0.09,
                "https://aws.amazon.com/ec2/pricing/on-demand/ (Data Transfer OUT from Amazon EC2 to the "
                "internet, us-east-1; Site-to-Site VPN data out is billed at these rates, "
                "https://aws.amazon.com/vpn/pricing/)",
                "2024-11",
                tiers=((10 * _TB, 0.09), (50 * _TB, 0.085), (150 * _TB, 0.07), (float("inf"), 0.05)),
            ),
            TransferPrice(
                "dx-out",
                0.02,
                "https://aws.amazon.com/directconnect/pricing/ (data transfer out over Direct Connect, US "
                "Regions to US locations; data transfer in is free)",
                "2026-09",
            ),
            TransferPrice(
                "tgw-processing",
                0.02,
                "https://aws.amazon.com/transit-gateway/pricing/ (data processing per GB sent to the Transit "
                "Gateway from a VPC, Direct Connect or VPN attachment)",
                "2024-11",
            ),
        )
    }
)
# How many times a transfer runs in the 730-hour month, by its `every`.
RUNS_PER_MONTH: Mapping[str, float] = MappingProxyType(
    {"day": HOURS_PER_MONTH / 24, "week": HOURS_PER_MONTH / (24 * 7), "month": 1.0, "once": 0.0}
)


# --- Reserved capacity for deadline training -----------------------------------------------------------------
@dataclass(frozen=True)
class CapacityBlockPrice:
    """The up-front reservation fee of an EC2 Capacity Block for ML, per instance-hour, where and when read."""

    instance_type: str
    usd_per_instance_hour: float
    region: str
    source: str
    as_of: str


_CB = "https://aws.amazon.com/ec2/capacityblocks/pricing/ (reservation fee, 'effective instance hourly rate')"
# Capacity Blocks are paid up front when purchased, at the rate prevailing then (AWS updates the rates regularly
# with supply and demand); the operating-system fee (Linux, per second while running) is not included.
CAPACITY_BLOCK_PRICES: Mapping[str, CapacityBlockPrice] = MappingProxyType(
    {
        p.instance_type: p
        for p in (
            CapacityBlockPrice(
                "p5.48xlarge", 39.33, "us-east-1", f"{_CB}: p5.48xlarge US East (N. Virginia)", "2024-12"
            ),
            CapacityBlockPrice(
                "p5e.48xlarge", 43.26, "us-east-2", f"{_CB}: p5e.48xlarge US East (Ohio)", "2024-12"
            ),
            CapacityBlockPrice(
                "p4d.24xlarge",
                14.75,
                "us-east-2",
                f"{_CB}: p4d.24xlarge US East (Ohio), US West (Oregon)",
                "2024-12",
            ),
        )
    }
)
# What a Capacity Block can be (EC2 User Guide, "Capacity Blocks for ML"; botocore ec2
# DescribeCapacityBlockOfferings: "up to 64 instances, and ... up to 256 instances across Capacity Blocks";
# durations "in 1-day increments up to 14 days, and in 7-day increments up to 182 days").
CAPACITY_BLOCK_MAX_INSTANCES = 64
CAPACITY_BLOCK_MAX_INSTANCES_TOTAL = 256
CAPACITY_BLOCK_DAILY_UP_TO_DAYS = 14
CAPACITY_BLOCK_WEEKLY_STEP_DAYS = 7
CAPACITY_BLOCK_MAX_DAYS = 182
CAPACITY_BLOCK_SOURCE = (
    "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-capacity-blocks.html and botocore ec2 "
    "DescribeCapacityBlockOfferings (read 2025-11)"
)
# On-Demand Capacity Reservations bill every reserved instance at the on-demand rate from creation to the end
# date, used or not; instances running in the reservation are not billed again.
CAPACITY_RESERVATION_SOURCE = (
    "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/capacity-reservations-pricing-billing.html "
    "(read 2025-11): billed at the equivalent On-Demand rate whether instances run in it or not"
)
CAPACITY_RESERVATION_MAX_INSTANCES = 1000  # CreateCapacityReservation InstanceCount: "Valid range: 1 - 1000"
