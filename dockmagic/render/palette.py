"""The colours results are shown in, one set for every view: commands, modules and plays."""

from __future__ import annotations

GREEN, AMBER, RED, BLUE, GREY = "#2e7d32", "#b26a00", "#c62828", "#1565c0", "#666"
STATUS = {"ok": GREEN, "changed": AMBER, "failed": RED, "skipping": BLUE, "skipped": BLUE}
