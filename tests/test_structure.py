"""The package's shape, held: the public API listed once (and every listed name real), the helpers
laid out as the commands are, and the engine client free of the helpers."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import dockmagic
from dockmagic import errors, helpers
from dockmagic.magics.commands import MODULES

PACKAGE = Path(dockmagic.__file__).parent
ROOT = PACKAGE.parent


def _type_checking_names() -> dict[str, str]:
    """The names helpers/__init__.py imports for type checkers, and the module of each."""
    tree = ast.parse((PACKAGE / "helpers" / "__init__.py").read_text())
    block = next(
        n for n in tree.body if isinstance(n, ast.If) and "TYPE_CHECKING" in ast.unparse(n.test)
    )
    return {
        a.name: n.module or "" for n in block.body if isinstance(n, ast.ImportFrom) for a in n.names
    }


def test_the_type_checkers_see_the_names_the_helpers_give() -> None:
    assert _type_checking_names() == helpers._WHERE


def test_every_public_name_is_real() -> None:
    for name in dockmagic.__all__:
        assert getattr(dockmagic, name) is not None, name
    for name, module in helpers._WHERE.items():
        assert hasattr(importlib.import_module(f"dockmagic.helpers.{module}"), name), name


def test_the_errors_exported_are_the_errors_module_lists() -> None:
    exported = {n for n in dockmagic.__all__ if isinstance(getattr(dockmagic, n), type)}
    assert {n for n in exported if issubclass(getattr(dockmagic, n), Exception)} == set(
        errors.__all__
    )
    assert all(issubclass(getattr(errors, n), errors.DockerError) for n in errors.__all__)


def test_each_command_module_has_its_helpers_beside_it() -> None:
    """commands/volumes.py and helpers/volumes.py; commands/containers/ and helpers/containers/:
    a newcomer finds a subcommand's function where its command is."""
    for module in MODULES:
        parts = module.__name__.split(".")[3:]  # dockmagic.magics.commands.<group>[.<module>]
        group = parts[0]
        if group in ("lab", "compose"):  # the teaching lab and Compose are packages of their own
            assert (PACKAGE / group).is_dir()
            continue
        assert (PACKAGE / "helpers" / group).is_dir() or (
            PACKAGE / "helpers" / f"{group}.py"
        ).exists(), group


def test_the_engine_client_imports_nothing_above_it() -> None:
    """engine/ is the lowest layer: it imports only errors and hostfiles (the one file writer) from the rest."""
    for path in (PACKAGE / "engine").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level:
                depth = len(path.relative_to(PACKAGE).parts) - 1  # folders below dockmagic/
                if node.level > depth:
                    assert node.module in ("errors", "hostfiles"), (
                        f"{path}: from {'.' * node.level}{node.module}"
                    )


def test_installing_from_the_source_folder_leaves_it_as_it_was(tmp_path: Path) -> None:
    """``pip install .`` (a wheel built from a checkout) writes nothing into the folder (no
    ``build/``, no ``*.egg-info``), and the wheel has the package's data files."""
    import shutil
    import subprocess
    import sys
    import zipfile

    source = tmp_path / "src"
    listed = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    for name in listed:
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    before = sorted(p.name for p in source.iterdir())
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path / "out"), "."],
        cwd=source, check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    assert sorted(p.name for p in source.iterdir()) == before
    (wheel,) = (tmp_path / "out").glob("dockmagic-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "dockmagic/lab/api-v1.41.json" in names and "dockmagic/compose/model.py" in names
