"""aidc command-line interface: sizing, offline plans, preflight checks and the state backend.

The CLI drives the other packages (config -> sizing -> components -> policies); it holds no sizing
or resource logic of its own. Each subcommand lives in aidc/commands/<name>.py and is imported only
when it runs, so `aidc size` never pays for importing the Pulumi SDKs.
"""

__version__ = "0.1.0"
