"""Engines: which one a helper uses, contexts, several at once, and this session's things."""
