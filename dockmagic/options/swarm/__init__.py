"""Service and stack options: the service flags, Compose files as stacks."""
