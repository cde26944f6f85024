"""Moved to aidc.output (one package for every output format). Only `aidc.report.markdown` remains, an alias
kept for tests/workflows (on another branch) until it imports aidc.output.diff_markdown; add nothing here."""
