"""`python -m dave` runs the CLI, exactly as the `dave` command does."""

from dave.cli.app import main

main()
