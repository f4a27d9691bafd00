"""%docker's container subcommands."""
