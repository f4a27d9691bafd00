"""Containers: run, create, exec, start and stop, logs, cp, the terminal."""
