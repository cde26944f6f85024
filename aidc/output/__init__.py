"""Every output format of the CLI, over the plain dicts the `--json` outputs print (no Pulumi import).

formats.py       the registry: kind of document (size, plan, plan-diff) → format name → renderer; the
                 commands look their renderer up there and pass the stream to write to
size_tables.py   `aidc size`: each figure with its formula and inputs, as rich tables or markdown
plan_view.py     `aidc plan`: the resource tree, counts, cost and violations (rich), markdown, JSON
diff.py          two plan documents compared (`aidc plan --diff`), as text and canonical JSON
diff_markdown.py the diff as a pull-request comment (one per stack, found by its hidden marker)
topology.py      the Mermaid diagram of a plan, with its counts
cost_table.py    the monthly cost (`cost_to_dict`'s shape): one rich table, one markdown table

Everything here also runs on plans produced by another checkout (the pull-request base), without Pulumi and
without credentials.
"""
