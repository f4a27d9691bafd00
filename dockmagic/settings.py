"""Settings shared by helpers and rendering; the magics' traitlets configuration writes here."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Settings:
    max_rows: int = 60  # table rows shown before a "... more rows" footer
    max_cell_chars: int = 80  # longer cells are cut in HTML tables, whole on hover (text tables: as the CLI)
    output_head_lines: int = 200  # streamed output shown before hiding the middle
    output_tail_lines: int = 50  # and the last lines shown at the end
    output_line_chars: int = 2000  # a longer line is cut when shown
    on_interrupt: str = "stop"  # what Ctrl-C does to a foreground `run` container: stop, kill or leave
    stop_timeout: int = 0  # seconds between SIGTERM and SIGKILL when stopping on interrupt
    run_remove: bool = False  # %docker run behaves as if --rm were given (handy in labs)
    run_labels: dict[str, str] = field(default_factory=dict)  # labels every %docker run adds


settings = Settings()
