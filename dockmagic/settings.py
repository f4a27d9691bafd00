"""dockmagic's settings, in one place: ``settings`` is the truth that helpers, rendering and the
magics read. ``dockmagic.settings.max_rows = 20`` and ``%config DockerMagics.max_rows = 20`` write the
same value (the magics' traits are linked to it), checked once, here."""

from __future__ import annotations

from typing import Any

from traitlets import Bool, Dict, Enum, HasTraits, Int, TraitError, Unicode, observe, validate
from traitlets.config import Configurable


class SettingTraits(HasTraits):
    """The settings and their checks; shared by :class:`Settings` and the magics' configuration."""

    host = Unicode(
        "", help="Engine to use (unix:///... or tcp://...); empty: DOCKER_HOST, context, socket"
    ).tag(config=True)
    max_rows = Int(60, help="Table rows shown before a '... more rows' footer").tag(config=True)
    max_cell_chars = Int(
        80, help="Longer cells are cut in HTML tables (whole on hover); text tables as the CLI"
    ).tag(config=True)
    output_head_lines = Int(
        200, help="Streamed lines shown live before the middle is held back"
    ).tag(config=True)
    output_tail_lines = Int(50, help="Last lines shown after held-back output").tag(config=True)
    output_line_chars = Int(2000, help="A longer output line is cut when shown (kept whole)").tag(
        config=True
    )
    on_interrupt = Enum(
        ["stop", "kill", "leave"], "stop", help="What Ctrl-C does to a foreground `run` container"
    ).tag(config=True)
    stop_timeout = Int(
        0, help="Seconds between SIGTERM and SIGKILL when stopping on interrupt"
    ).tag(config=True)
    run_remove = Bool(
        False, help="Every %docker run (not -d) removes its container, as with --rm"
    ).tag(config=True)
    labels = Dict(
        value_trait=Unicode(),
        help="Labels on everything this session creates (containers, networks, volumes, builds), over any given",
    ).tag(config=True)
    session_cleanup = Enum(
        ["remove", "stop", "keep"],
        "remove",
        help="What this notebook made, at kernel shutdown or (by the reaper) when the kernel dies: remove, stop, keep",
    ).tag(config=True)
    reaper_grace = Int(10, help="Seconds the reaper waits for a vanished kernel to come back").tag(
        config=True
    )
    run_network = Unicode("", help="Network for every %docker run that names none (--network)").tag(
        config=True
    )
    run_labels = Dict(
        value_trait=Unicode(), help="Labels added to every %docker run, e.g. {'course': 'lab1'}"
    ).tag(config=True)

    @validate("max_rows", "max_cell_chars", "output_line_chars")
    def _positive(self, proposal: Any) -> int:
        if proposal["value"] < 1:
            raise TraitError(
                f"{proposal['trait'].name} must be at least 1, not {proposal['value']}"
            )
        return int(proposal["value"])

    @validate("output_head_lines", "output_tail_lines", "stop_timeout")
    def _not_negative(self, proposal: Any) -> int:
        if proposal["value"] < 0:
            raise TraitError(
                f"{proposal['trait'].name} cannot be negative, not {proposal['value']}"
            )
        return int(proposal["value"])

    @validate("host")
    def _known_host(self, proposal: Any) -> str:
        from .engine.hosts import HostError, normalize_url

        if proposal["value"]:
            try:
                normalize_url(proposal["value"])
            except HostError as exc:
                raise TraitError(str(exc)) from None
        return str(proposal["value"])


SHARED = [
    name for name in SettingTraits.class_trait_names() if name not in HasTraits.class_trait_names()
]


class Settings(Configurable, SettingTraits):
    """The one settings object (``dockmagic.settings``)."""

    @observe("host")
    def _follow_host(self, change: Any) -> None:
        from .helpers.engines.session import follow_host

        follow_host(change["new"])


settings = Settings()
