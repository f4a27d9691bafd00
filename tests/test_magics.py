"""The %docker magics in a real IPython shell against the real engine."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from IPython.core.error import UsageError

from dockmagic.engine import Engine
from dockmagic.errors import Missing
from dockmagic.magics.completion import candidates
from dockmagic.render.results import ExecResult, RunResult
from dockmagic.render.table import Table
from dockmagic.settings import settings

from .support import LABEL, unique

L = f"-l {LABEL}=1"


@pytest.fixture
def box(ip: Any, engine: Engine, image: str) -> Iterator[str]:
    name = unique()
    ip.run_line_magic("docker", f"run -d --name {name} {L} {image} sleep 60")
    yield name
    engine.container_delete(name, force=True)


def test_run_returns_a_result(ip: Any, image: str, capfd: Any) -> None:
    r = ip.run_line_magic(
        "docker", f"run --rm {L} -e GREETING=hi {image} sh -c 'echo $GREETING; exit 3'"
    )
    assert isinstance(r, RunResult) and (r.stdout, r.exit_code, r.removed) == ("hi\n", 3, True)
    assert "hi" in capfd.readouterr().out


def test_cell_is_stdin_of_run(ip: Any, image: str) -> None:
    r = ip.run_cell_magic(
        "docker", f"run --rm --no-output {L} {image}", "echo one\necho two >&2\nexit 4\n"
    )
    assert (r.stdout, r.stderr, r.exit_code) == ("one\n", "two\n", 4)


def test_exec_line_and_cell(ip: Any, box: str) -> None:
    r = ip.run_line_magic(
        "docker", f"exec -u 65534 -w /tmp -e X=1 {box} sh -c 'id -u; pwd; echo $X'"
    )
    assert isinstance(r, ExecResult) and r.stdout.split() == ["65534", "/tmp", "1"]
    r = ip.run_cell_magic("docker", f"exec -q {box}", "cd /root\necho in-cell > f\ncat f\n")
    assert (r.stdout, r.exit_code) == ("in-cell\n", 0)


def test_ps_filter_returns_table(ip: Any, box: str) -> None:
    table = ip.run_line_magic("docker", f"ps -a --filter label={LABEL} --filter name={box}")
    assert isinstance(table, Table) and [r["Names"][0] for r in table] == [f"/{box}"]
    assert ip.run_line_magic("docker", f"container ls -q --filter name={box}") == [
        table[0]["Id"][:12]
    ]


def test_logs_inspect_top_diff(ip: Any, box: str) -> None:
    ip.run_line_magic("docker", f"exec {box} sh -c 'echo x > /tmp/new'")
    assert ip.run_line_magic("docker", f"inspect {box}")["Name"] == f"/{box}"
    assert len(ip.run_line_magic("docker", f"top {box}")) == 1
    assert any(r["Path"] == "/tmp/new" for r in ip.run_line_magic("docker", f"diff {box}"))
    assert ip.run_line_magic("docker", f"logs --tail 1 {box}").stdout == ""


def test_export_to_a_folder_name_is_one_line(ip: Any, box: str) -> None:
    for where in ("/", "."):
        with pytest.raises(
            UsageError, match=f"cannot write '\\{where}': that names a folder, not a file"
        ):
            ip.run_line_magic("docker", f"export -o {where} {box}")


def test_docker_file_and_cp(ip: Any, box: str, tmp_path: Path) -> None:
    ip.run_cell_magic("docker_file", f"{box}:/tmp/hello.txt --mode 600", "from a cell\n")
    stat = ip.run_line_magic("docker", f"exec -q {box} stat -c %a /tmp/hello.txt")
    assert stat.stdout.strip() == "600"
    ip.run_line_magic("docker", f"cp {box}:/tmp/hello.txt {tmp_path}/copy.txt")
    assert (tmp_path / "copy.txt").read_text() == "from a cell\n"


def test_dockerfile_cell_builds(ip: Any, engine: Engine, image: str) -> None:
    tag = f"dockmagic-test/cell:{unique()}"
    r = ip.run_cell_magic(
        "dockerfile",
        f"{tag} --build-arg WHO=cell --label {LABEL}=1 -q",
        f"FROM {image}\nARG WHO\nRUN echo built by $WHO > /who\n",
    )
    assert r.image_id.startswith("sha256:") and r.tags == [tag]
    out = ip.run_line_magic("docker", f"run --rm --no-output {L} {tag} cat /who")
    assert out.stdout == "built by cell\n"
    engine.image_delete(tag)


def test_variables_expand_and_can_be_turned_off(ip: Any, image: str) -> None:
    ip.user_ns["word"] = "expanded"
    r = ip.run_line_magic("docker", f"run --rm --no-output {L} {image} echo {{word}}")
    assert r.stdout == "expanded\n"
    ip.run_line_magic("config", "DockerMagics.expand_vars = False")
    try:
        r = ip.run_line_magic("docker", f"run --rm --no-output {L} {image} echo {{word}}")
        assert r.stdout == "{word}\n"
    finally:
        ip.run_line_magic("config", "DockerMagics.expand_vars = True")


@pytest.mark.parametrize(
    "line, message",
    [
        (
            "run --use-api-socket img",
            "docker run --use-api-socket is not supported by dockmagic yet",
        ),
        ("ps --bogus", "unknown flag: --bogus"),
        ("frobnicate", "unknown subcommand: frobnicate"),
        ("logs no-such-container-xyz", "No such container: no-such-container-xyz"),
        ("run", "the following arguments are required: image"),
        ("exec onlyacontainer", "give a command"),
        ("run 'unterminated", "cannot parse the line"),
        (
            "secret create s -",
            "no stdin to read here: give the data as the cell",
        ),  # pytest's stdin, as a kernel's
        ("swarm unlock", "this node is not part of a swarm"),  # asked before any prompt, as the CLI
    ],
)
def test_errors_are_one_line_usage_errors(ip: Any, engine: Engine, line: str, message: str) -> None:
    with pytest.raises(UsageError) as exc:
        ip.run_line_magic("docker", line)
    assert message in str(exc.value) and "\n" not in str(exc.value)


@pytest.mark.parametrize(
    "line, kind, message",
    [
        ("logs no-such-container-xyz", "NotFound", "No such container: no-such-container-xyz"),
        ("ps --bogus", "UsageError", "unknown flag: --bogus"),
        ("lgs web", "UsageError", "did you mean 'logs'?"),
        ("rm --force", "UsageError", "the following arguments are required"),
        ("-H tcp://127.0.0.1:1 ps", "EngineUnavailable", "127.0.0.1:1"),
    ],
)
def test_an_error_is_shown_as_its_own_kind(
    ip: Any, engine: Engine, line: str, kind: str, message: str, capsys: Any
) -> None:
    """What a user reads: the kind of what went wrong (the engine's answer is not "usage"), one
    line, through IPython's own display of an error."""
    with pytest.raises(UsageError) as exc:
        ip.run_line_magic("docker", line)
    assert type(exc.value).__name__ == kind
    assert message in str(exc.value)
    try:
        ip.run_line_magic("docker", line)
    except UsageError:
        ip.showtraceback()
    shown = capsys.readouterr()
    text = shown.out + shown.err
    lines = [ln for ln in text.splitlines() if ln.strip()]
    assert len(lines) == 1 and kind in lines[0] and message in lines[0], text


def test_tracebacks_on_request(ip: Any, engine: Engine) -> None:
    ip.run_line_magic("config", "DockerMagics.short_errors = False")
    try:
        with pytest.raises(Missing):
            ip.run_line_magic("docker", "inspect no-such-thing-xyz")
    finally:
        ip.run_line_magic("config", "DockerMagics.short_errors = True")


def test_help_and_config(ip: Any, capsys: Any) -> None:
    assert ip.run_line_magic("docker", "run --help") is None
    assert "--rm" in capsys.readouterr().out
    ip.run_line_magic("config", "DockerMagics.max_rows = 7")
    try:
        assert settings.max_rows == 7
    finally:
        ip.run_line_magic("config", "DockerMagics.max_rows = 60")
    doc = ip.find_line_magic("docker").__doc__
    assert "ps" in doc and "cp" in doc and "%%docker run" in doc


def test_completion(engine: Engine, box: str) -> None:
    assert {"run", "ps", "logs", "exec", "container"} <= set(candidates("%docker "))
    assert "ls" in candidates("%docker container ")
    assert "--rm" in candidates("%docker run ") and "--follow" in candidates("%docker logs ")
    assert box in candidates("%docker logs ")
    offered = candidates("%docker run ")
    assert (
        "--gpus" in offered and "--use-api-socket" not in offered
    )  # unsupported flags are not offered
    assert "--rm=false" not in offered  # nor the hidden spellings of switches


def test_ipythons_completer_completes_names_with_dashes_slashes_and_colons(
    ip: Any, monkeypatch: Any
) -> None:
    """Through IPython's own completer (what Tab in JupyterLab asks): Compose's and registries'
    names are completed whole, and no Python names are offered on a %docker line."""
    from IPython.core.completer import provisionalcompleter

    from dockmagic.magics import completion

    monkeypatch.setattr(completion, "_containers", lambda: ["proj-web-1", "proj-db-1"])
    monkeypatch.setattr(completion, "_images", lambda: ["127.0.0.1:5000/lab/app:1.0"])

    def offered(text: str) -> list[str]:
        with provisionalcompleter():
            return [c.text for c in ip.Completer.completions(text, len(text))]

    assert offered("%docker logs proj-we") == ["proj-web-1"]
    assert offered("x = %docker logs proj-") == ["proj-db-1", "proj-web-1"]
    assert offered("%docker pull 127.0.0.1:5000/") == ["127.0.0.1:5000/lab/app:1.0"]
    assert "--rm" in offered("%docker run --r") and "print" not in offered("%docker run --r")
    assert "print" in offered("pri")  # Python lines are IPython's own


def test_a_stopped_daemon_is_one_clear_line(ip: Any, tmp_path: Path) -> None:
    ip.run_line_magic("config", f"DockerMagics.host = 'unix://{tmp_path}/no-daemon.sock'")
    try:
        with pytest.raises(UsageError) as exc:
            ip.run_line_magic("docker", "ps")
        text = str(exc.value)
        assert (
            f"{tmp_path}/no-daemon.sock" in text
            and "Is dockerd running?" in text
            and "\n" not in text
        )
        assert "--rm" in candidates(
            "%docker run "
        )  # completion still offers flags without an engine
    finally:
        ip.run_line_magic("config", "DockerMagics.host = ''")


def test_run_defaults_from_config(ip: Any, engine: Engine, image: str) -> None:
    ip.run_line_magic("config", f"DockerMagics.run_labels = {{'course': 'lab1', '{LABEL}': '1'}}")
    ip.run_line_magic("config", "DockerMagics.run_remove = True")
    try:
        r = ip.run_line_magic("docker", f"run --no-output -l extra=yes {image} true")
        assert r.removed
        name = unique()
        ip.run_line_magic("docker", f"run -d --name {name} {image} sleep 30")
        labels = engine.container_inspect(name)["Config"]["Labels"]
        assert labels["course"] == "lab1" and labels[LABEL] == "1"
        engine.container_delete(name, force=True)
    finally:
        ip.run_line_magic("config", "DockerMagics.run_labels = {}")
        ip.run_line_magic("config", "DockerMagics.run_remove = False")


def test_settings_are_one_source(ip: Any) -> None:
    """%config DockerMagics.X and dockmagic.settings.X are the same value, checked once."""
    import dockmagic

    before = dockmagic.settings.max_rows
    try:
        ip.run_line_magic("config", "DockerMagics.max_rows = 7")
        assert dockmagic.settings.max_rows == 7
        dockmagic.settings.max_rows = 9
        magics = next(c for c in ip.configurables if type(c).__name__ == "DockerMagics")
        assert magics.max_rows == 9
        with pytest.raises(Exception, match="at least 1"):
            dockmagic.settings.max_rows = 0
        assert dockmagic.settings.max_rows == magics.max_rows == 9
    finally:
        dockmagic.settings.max_rows = before


def test_use_and_config_host_agree(ip: Any, engine: Engine) -> None:
    import dockmagic

    magics = next(c for c in ip.configurables if type(c).__name__ == "DockerMagics")
    try:
        dockmagic.use(engine.host.url)
        assert magics.host == dockmagic.settings.host == engine.host.url
        ip.run_line_magic("config", "DockerMagics.host = 'tcp://127.0.0.1:1'")
        assert dockmagic.default_engine().host.url == "tcp://127.0.0.1:1"
    finally:
        dockmagic.use(None)
    assert magics.host == "" and dockmagic.default_engine().host.source != "argument"


def test_a_bad_play_exported_leaves_the_old_playbook(ip: Any, tmp_path: Any) -> None:
    book = tmp_path / "site.yml"
    book.write_text("# the playbook as it was\n")
    with pytest.raises(UsageError, match="not valid YAML"):
        ip.run_cell_magic("docker_play", f"--export {book}", "- container: {name: [")
    assert book.read_text() == "# the playbook as it was\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site.yml"]


def test_an_empty_word_is_one_line(ip: Any) -> None:
    with pytest.raises(UsageError, match="unexpected argument: ''"):
        ip.run_line_magic("docker", "ps ''")


def test_cidfile_as_the_cli_keeps_it(ip: Any, engine: Engine, image: str, tmp_path: Path) -> None:
    """Made before the container, holding its ID; one already there is refused; a failed create
    leaves none; a name the system refuses is one line."""
    cidfile = tmp_path / "cid"
    ip.run_line_magic("docker", f"create --cidfile {cidfile} --label {LABEL}=1 {image} true")
    cid = cidfile.read_text()
    try:
        assert engine.container_inspect(cid)["Config"]["Labels"][LABEL] == "1"
        with pytest.raises(UsageError, match="container ID file found"):
            ip.run_line_magic(
                "docker", f"create --cidfile {cidfile} --label {LABEL}=1 {image} true"
            )
    finally:
        engine.container_delete(cid, force=True)
    failed = tmp_path / "failed"
    with pytest.raises(UsageError, match="no-such-image"):
        ip.run_line_magic(
            "docker", f"create --cidfile {failed} --pull never dockmagic-test/no-such-image"
        )
    assert not failed.exists()
    with pytest.raises(
        UsageError, match=r"cannot create the container ID file .*: File name too long"
    ):
        ip.run_line_magic(
            "docker", f"create --cidfile {tmp_path / ('9' * 300)} --label {LABEL}=1 {image} true"
        )
    assert not engine.container_list(all=True, filters={"label": [LABEL], "ancestor": [image]})


@pytest.mark.parametrize(
    "magic, line, cell",
    [
        ("docker", "ps --filter name=\ud800", None),
        ("docker", "run --rm dockmagic/lab sh", "echo \ud800\n"),
        ("docker_file", "c:/tmp/f", "\ud800"),
        ("docker_play", "", '- exec: {container: c, command: "echo \ud800"}\n'),
    ],
)
def test_a_lone_surrogate_is_one_line_before_anything_is_sent(
    ip: Any, magic: str, line: str, cell: str | None
) -> None:
    with pytest.raises(UsageError, match=r"'\\ud800' at character \d+: a lone surrogate") as failed:
        if cell is None:
            ip.run_line_magic(magic, line)
        else:
            ip.run_cell_magic(magic, line, cell)
    assert "\n" not in str(failed.value)


def test_bad_values_of_the_file_and_exec_magics_are_one_line(ip: Any) -> None:
    from dockmagic.modules.files import exec_module
    from dockmagic.modules.result import ModuleError

    with pytest.raises(UsageError, match=r"--mode 9: not an octal file mode"):
        ip.run_cell_magic("docker_file", "c:/tmp/f --mode 9", "x\n")
    with pytest.raises(ModuleError, match=r"command must be a string or a list of words, not 5"):
        exec_module("c", 5)  # type: ignore[arg-type]


def test_run_flags_send_what_the_cli_sends(
    ip: Any, engine: Engine, image: str, tmp_path: Path
) -> None:
    """``-a stdin`` alone attaches stdin but opens it only with -i; ``--cidfile`` goes to the
    engine too (HostConfig.ContainerIDFile); ``rm --link`` removes a link, not a container."""
    name, other = unique("flags"), unique("flags")
    cidfile = tmp_path / "cid"
    try:
        ip.run_line_magic(
            "docker",
            f"create -a stdin -a stdout --cidfile {cidfile} --name {name} {L} {image} sleep 30",
        )
        info = engine.container_inspect(name)
        assert info["Config"]["AttachStdin"] and not info["Config"]["OpenStdin"]
        assert not info["Config"]["StdinOnce"]
        assert info["HostConfig"]["ContainerIDFile"] == str(cidfile)
        engine.container_start(name)  # a link needs it running
        ip.run_line_magic("docker", f"run -d --name {other} --link {name}:db {L} {image} sleep 30")
        ip.run_line_magic("docker", f"rm --link /{other}/db")
        assert not engine.container_inspect(other)["HostConfig"].get("Links")
        assert engine.container_inspect(name)  # the linked container is still there
    finally:
        for n in (name, other):
            engine.container_delete(n, force=True)
