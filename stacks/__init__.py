"""The Pulumi program (stacks/__main__.py) and the stack files (stacks/Pulumi.<env>.yaml).

program.py is the only place where sizing and components meet: config → CapacityPlan → components → exports.
"""
