"""`python -m dave` runs the CLI, exactly as the `dave` command does."""

from dave.cli.entry import main

main()
