"""%docker compose: the compose CLI's grammar (global -f, -p, --profile, --env-file,
--project-directory before the command) and its commands, on the projects docker compose v2
keeps: either tool's project is the other's (dockmagic/compose/). Each module registers its
commands in the table of ``grammar``."""

from __future__ import annotations

from . import building, grammar, inspecting, lifecycle, running

MODULES = [grammar, lifecycle, inspecting, running, building]
