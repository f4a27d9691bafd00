"""Images: the local store, registries (pull, push, search, credentials), builds."""
