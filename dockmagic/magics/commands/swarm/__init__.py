"""%docker swarm, node, secret, config, service and stack."""
