"""Estates: a core stack (AWS, private core, interconnect) plus edge shard stacks `<core>-edge-<n>` of at most
`aidc:estate.max_sites_per_stack` sites each, wired through a StackReference to the core.

- `files` — the shard stack files (`aidc estate init`), and which stack files are shards (pure; no Pulumi).
- `offline` — `aidc plan` over an estate: the core in-process, then every shard in a bounded pool of processes,
  each its own Pulumi runtime under mocks, its StackReference resolved to the core's planned exports.
- `report` — per-stack and total figures, the combined document a diff reads, the shards a diff touches.

Which sites a shard holds is recorded in the core's stack file (`shard` on each site, aidc/config/addressing.py),
so adding or removing a site never moves another site to a different shard.
"""
