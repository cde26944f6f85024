"""Entry point Pulumi runs (`main: stacks/` in Pulumi.yaml); `aidc plan` runs the same file under mocks."""

from stacks.program import main

main()
