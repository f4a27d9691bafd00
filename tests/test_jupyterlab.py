"""The notebooks as a person sees them: a real JupyterLab, served by the test, driven in Debian's
headless Chromium (selenium with the system's chromedriver; nothing downloads a browser). Each
notebook is opened, all its cells run, and the rendered page is judged: tables are tables, no
cell shows an error, an engine's error names its kind (not ``UsageError``), progress bars are
bars, plots are drawn. Screenshots are kept in ``build/screenshots/`` to be looked at.

JupyterLab, selenium, chromium and chromium-driver come with the provisioning (tools/provision.sh);
without them these tests fail in CI and skip elsewhere."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from dockmagic.engine import Engine

from .support import require

ROOT = Path(__file__).parents[1]
SHOTS = ROOT / "build" / "screenshots"
TOKEN = "dockmagic-test"
NOTEBOOKS = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))


def _missing() -> str | None:
    try:
        import jupyterlab  # noqa: F401
        import selenium  # noqa: F401
    except ImportError as exc:
        return f"{exc.name} is not installed (./dev test installs the test extras)"
    for binary in ("chromium", "chromedriver"):
        if not shutil.which(binary):
            return f"no {binary} (Debian's chromium and chromium-driver: ./dev test installs them)"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Lab:
    url: str
    folder: Path


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """A JupyterLab server on a free port over a folder holding copies of the notebooks."""
    require(_missing(), "JupyterLab in a browser")
    folder = tmp_path_factory.mktemp("lab")
    for name in NOTEBOOKS:
        shutil.copy(ROOT / "notebooks" / f"{name}.ipynb", folder)
    settings = folder / ".settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)  # no "notified about Jupyter news?" box over the page
    (settings / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    port = _free_port()
    log = open(folder / "jupyter.log", "wb")  # noqa: SIM115 (open for the server's life)
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}",
         "--ip=127.0.0.1", f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={folder}",
         "--allow-root", f"--LabApp.user_settings_dir={folder / '.settings'}"],
        stdout=log, stderr=subprocess.STDOUT, cwd=folder,
        env={**os.environ, "PYTHONPATH": str(ROOT)},  # the swarm notebook's engines: tools/
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=2)
                break
            except OSError:
                assert server.poll() is None, (folder / "jupyter.log").read_text()[-2000:]
                assert time.monotonic() < deadline, "JupyterLab did not start"
                time.sleep(0.5)
        yield Lab(url, folder)
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture(scope="module")
def browser(lab: Lab) -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,1000",
                 "--disable-dev-shm-usage"):  # fmt: skip
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def _sessions(lab: Lab) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{lab.url}/api/sessions?token={TOKEN}", timeout=5) as answer:
        return list(json.load(answer))


def _close_sessions(lab: Lab) -> None:
    """Shut the notebooks' kernels down: each kernel's end cleans up what its session made."""
    for session in _sessions(lab):
        request = urllib.request.Request(
            f"{lab.url}/api/sessions/{session['id']}?token={TOKEN}", method="DELETE"
        )
        urllib.request.urlopen(request, timeout=30).close()


@pytest.fixture(autouse=True)
def _one_kernel_at_a_time(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "lab" in request.fixturenames:
        _close_sessions(request.getfixturevalue("lab"))


def _start_all(driver: Any, lab: Lab, name: str) -> None:
    """Open the notebook and run all its cells from the Run menu."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ready
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(f"{lab.url}/lab/tree/{name}.ipynb?token={TOKEN}&reset")
    wait = WebDriverWait(driver, 90)
    wait.until(ready.presence_of_element_located((By.CSS_SELECTOR, ".jp-Notebook .jp-Cell")))
    wait.until(lambda d: any(s["path"].endswith(f"{name}.ipynb") for s in _sessions(lab)))
    time.sleep(2)  # the kernel connects
    wait.until(
        ready.element_to_be_clickable((By.XPATH, "//li[@role='menuitem']//div[text()='Run']"))
    )
    driver.find_element(By.XPATH, "//li[@role='menuitem']//div[text()='Run']").click()
    item = "//li[@data-command='runmenu:run-all']"
    wait.until(ready.element_to_be_clickable((By.XPATH, item)))
    driver.find_element(By.XPATH, item).click()


def _run_all(driver: Any, lab: Lab, name: str, timeout: float = 300) -> None:
    """Open the notebook, run all its cells, wait until each has run and save what the page shows."""
    _start_all(driver, lab, name)
    _finish(driver, lab, name, timeout)


def _finish(driver: Any, lab: Lab, name: str, timeout: float = 300) -> None:
    """Wait until every cell has run, then save the notebook as the page shows it."""
    from selenium.webdriver.common.by import By

    deadline = time.monotonic() + timeout

    def done(d: Any) -> bool:
        prompts = [p.text for p in d.find_elements(By.CSS_SELECTOR, ".jp-CodeCell .jp-InputPrompt")]
        return bool(prompts) and all(p.strip() not in ("[*]:", "[ ]:", "") for p in prompts)

    while not done(driver):
        assert time.monotonic() < deadline, f"{name}: the cells did not all run"
        time.sleep(1)
    time.sleep(1)  # the last outputs render
    path = lab.folder / f"{name}.ipynb"
    saved = path.stat().st_mtime
    from selenium.webdriver.common.keys import Keys

    driver.find_element(By.CSS_SELECTOR, ".jp-Notebook").send_keys(Keys.CONTROL, "s")
    while path.stat().st_mtime == saved:  # saved: what the page shows, as the file keeps it
        assert time.monotonic() < deadline, f"{name}: not saved"
        time.sleep(0.3)


def _raised(lab: Lab, name: str) -> list[str]:
    """The errors the notebook's cells raised, each as its lines (from the saved notebook)."""
    import nbformat

    book = nbformat.read(lab.folder / f"{name}.ipynb", as_version=4)
    return [
        "\n".join(out.get("traceback") or [])
        for cell in book.cells
        for out in cell.get("outputs", [])
        if out.get("output_type") == "error"
    ]


def _shot(driver: Any, name: str) -> Path:
    """The whole notebook, top to bottom, in screenshots of the window's height."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    panel = "document.querySelector('.jp-WindowedPanel-outer') || document.querySelector('.jp-NotebookPanel-notebook')"
    height = driver.execute_script(f"return ({panel}).scrollHeight")
    view = driver.execute_script(f"return ({panel}).clientHeight") or 900
    first = SHOTS / f"{name}-0.png"
    for old in SHOTS.glob(f"{name}-*.png"):
        old.unlink()
    for i, top in enumerate(range(0, max(height - view, 0) + 1, int(view * 0.9))):
        driver.execute_script(f"({panel}).scrollTop = {top}")
        time.sleep(0.3)
        driver.save_screenshot(str(SHOTS / f"{name}-{i}.png"))
    return first


def _texts(driver: Any, selector: str) -> list[str]:
    from selenium.webdriver.common.by import By

    return [e.text for e in driver.find_elements(By.CSS_SELECTOR, selector)]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_a_notebook_runs_and_reads_well_in_jupyterlab(
    name: str, lab: Lab, browser: Any, engine: Engine
) -> None:
    from selenium.webdriver.common.by import By

    _run_all(browser, lab, name)
    shot = _shot(browser, name)
    raised = _raised(lab, name)
    assert not raised, f"{name}: a cell failed ({shot}): {raised}"
    assert browser.find_elements(By.CSS_SELECTOR, ".jp-OutputArea-output table.dockmagic"), (
        f"{name}: no table rendered ({shot})"
    )
    if name == "images":  # progress bars are bars, full width, not 20 px squares
        widths = [
            e.size["width"] for e in browser.find_elements(By.CSS_SELECTOR, ".widget-hprogress")
        ]
        assert all(w > 100 for w in widths), widths
    if name == "stats":  # the plots are drawn
        images = browser.find_elements(By.CSS_SELECTOR, ".jp-OutputArea-output img")
        assert images and all(i.size["height"] > 100 for i in images)


def test_an_engine_error_names_its_kind_in_jupyterlab(lab: Lab, browser: Any) -> None:
    """What a newcomer sees for a mistyped container name: ``NotFound``, on one line."""
    import nbformat

    book = nbformat.v4.new_notebook(
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        }
    )
    book.cells = [
        nbformat.v4.new_code_cell("%load_ext dockmagic"),
        nbformat.v4.new_code_cell("%docker logs no-such-container-here"),
    ]
    nbformat.write(book, lab.folder / "first-tries.ipynb")
    _run_all(browser, lab, "first-tries", timeout=60)
    shot = _shot(browser, "first-tries")
    raised = _raised(lab, "first-tries")
    assert len(raised) == 1, shot
    assert "NotFound" in raised[0] and "No such container" in raised[0], raised
    assert "\n" not in raised[0].strip() and "UsageError" not in raised[0]
    shown = [t for t in _texts(browser, ".jp-OutputArea-output") if "No such container" in t]
    assert shown and shown[0].startswith("NotFound: No such container"), shown  # on the page


def test_a_shell_in_a_container_from_jupyterlab_s_input_box(
    lab: Lab, browser: Any, engine: Engine
) -> None:
    """``run -it`` of a shell in a notebook: the kernel's input box under the cell takes each
    line, the shell's answer streams into the cell, an empty submit ends stdin and the run; the
    container (``--rm``) is gone after."""
    import nbformat
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    book = nbformat.v4.new_notebook(
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        }
    )
    book.cells = [
        nbformat.v4.new_code_cell("%load_ext dockmagic\n%docker lab"),
        nbformat.v4.new_code_cell(
            "%docker run -it --rm --label dockmagic.notebook=typing dockmagic/lab sh"
        ),
    ]
    nbformat.write(book, lab.folder / "typing.ipynb")
    _start_all(browser, lab, "typing")
    wait = WebDriverWait(browser, 120)

    def box() -> Any:
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "input.jp-Stdin-input"))
        return browser.find_element(By.CSS_SELECTOR, "input.jp-Stdin-input")

    box().send_keys("echo typed-in-$((6*7))", Keys.ENTER)
    wait.until(lambda d: any("typed-in-42" in t for t in _texts(d, ".jp-OutputArea-output")))
    box().send_keys(Keys.ENTER)  # an empty submit: end of input, as Ctrl-D in a terminal
    _finish(browser, lab, "typing", timeout=60)
    shot = _shot(browser, "typing")
    assert not _raised(lab, "typing"), shot
    shown = "\n".join(_texts(browser, ".jp-OutputArea-output"))
    assert "typed-in-42" in shown and "exited with code 0" in shown, (shown, shot)
    assert not engine.container_list(all=True, filters={"label": "dockmagic.notebook=typing"})
