"""Swarm: the cluster (init, join, nodes, secrets, configs), services and stacks."""
