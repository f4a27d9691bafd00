"""DockerMagics: %docker, %%docker, %%docker_file and %%dockerfile, configurable with %config."""

from __future__ import annotations

import shlex
from typing import Any

from IPython.core.magic import Magics, cell_magic, line_cell_magic, magics_class, no_var_expand
from traitlets import Bool, link

from .. import helpers
from ..errors import DockerError
from ..helpers.engines.fanout import fan_out, merged, targets
from ..helpers.engines.session import using
from ..settings import SHARED, SettingTraits, settings
from .argv import CommandError, HelpShown, Parser, key_value
from .commands import COMMANDS, Context, find
from .commands.images import add_build_options, build_options
from .expand import caller_names, expand
from .globalflags import split_global_flags
from .shown import shown

_USAGE_SUMMARY = "\n".join(
    f"  {name:<22} {cmd.parser.description}"
    for name, cmd in sorted(COMMANDS.items())
    if name == cmd.name
)


def sendable(text: str | None, what: str) -> None:
    """Text with a lone surrogate (``'\\ud800'``, which no encoding takes) cannot go to the engine:
    said in one line, before anything is sent."""
    if text is None:
        return
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise CommandError(
            f"the {what} holds {text[exc.start]!r} at character {exc.start + 1}: a lone surrogate, "
            "not text that can be sent"
        ) from None


@magics_class
class DockerMagics(Magics, SettingTraits):
    """The magics; their configuration (``%config DockerMagics.max_rows = 20``) is linked to
    ``dockmagic.settings``, the one place settings live."""

    short_errors = Bool(True, help="Show errors as one line (False: full tracebacks)").tag(
        config=True
    )
    expand_vars = Bool(
        True,
        help="Expand {var} and $var from the user's namespace in %docker lines ({{ }} stays as written)",
    ).tag(config=True)

    def __init__(self, shell: Any = None, **kwargs: Any) -> None:
        super().__init__(shell=shell, **kwargs)
        configured = {name: getattr(self, name) for name in SHARED if self.trait_has_value(name)}
        for (
            name,
            value,
        ) in configured.items():  # from IPython's config (a profile, %config before loading)
            setattr(settings, name, value)
        for name in SHARED:  # then one value, both ways
            link((settings, name), (self, name))

    # -- running a line -----------------------------------------------------------------------

    def _argv(self, line: str) -> list[str]:
        sendable(line, "line")
        if self.expand_vars and self.shell is not None and ("$" in line or "{" in line):
            line = expand(line, caller_names(self.shell.user_ns))
        try:
            return shlex.split(
                line, comments=True
            )  # as a shell: a word starting with # begins a comment
        except ValueError as exc:
            raise CommandError(f"cannot parse the line: {exc}") from None

    def _guard(self, fn: Any, *args: Any) -> Any:
        """Run a command; usage and engine errors become one line (unless short_errors is off)."""
        try:
            return fn(*args)
        except HelpShown:
            return None
        except (DockerError, KeyboardInterrupt) as exc:
            # CommandError included; anything else is a bug and shows as one. After Ctrl-C the
            # command has cleaned up after itself: a line, not 60 of traceback.
            if not self.short_errors:
                raise
            raise shown(exc) from None

    @no_var_expand
    @line_cell_magic
    def docker(self, line: str, cell: str | None = None) -> Any:
        """Docker with the docker CLI's grammar; results are objects (``x = %docker ps``).

        %docker SUBCOMMAND [FLAGS] [ARGS]      a line: run, ps, logs, exec, cp, inspect, ...
        %%docker run [FLAGS] IMAGE [CMD]       the cell is the command's stdin (default CMD: sh)
        %%docker exec CONTAINER [CMD]          likewise, in a running container
        %docker SUBCOMMAND --help              the flags of one subcommand

        Subcommands:
        """

        def go() -> Any:
            sendable(cell, "cell")
            flags, argv = split_global_flags(self._argv(line))
            command, rest = find(argv)
            many = flags.many()
            if many:  # the same command on each engine at once; tables merged with an ENGINE column
                pairs = targets(many, flags.env(), flags.tls_config())
                try:
                    return merged(fan_out(pairs, lambda: command(rest, Context(cell=cell))))
                finally:
                    for _, each in pairs:
                        each.close()
            engine = flags.engine()
            if engine is None:
                return command(rest, Context(cell=cell))
            with using(engine):
                return command(rest, Context(cell=cell))

        return self._guard(go)

    docker.__doc__ = (docker.__doc__ or "") + _USAGE_SUMMARY

    @no_var_expand
    @cell_magic
    def docker_file(self, line: str, cell: str) -> Any:
        """%%docker_file CONTAINER:/path [--mode 644]: write the cell into a container (like %%writefile)."""
        parser = Parser("docker_file")
        parser.prog = "%%docker_file"
        parser.add_argument("target", metavar="CONTAINER:PATH")
        parser.add_argument("--mode", default="644", help="octal file mode")

        def go() -> Any:
            a = parser.parse(self._argv(line))
            container, sep, path = a.target.partition(":")
            if not sep or not path.startswith("/"):
                raise CommandError("%%docker_file needs CONTAINER:/absolute/path")
            sendable(cell, "cell")
            try:
                mode = int(a.mode, 8)
            except ValueError:
                raise CommandError(f"--mode {a.mode}: not an octal file mode (644, 0755)") from None
            helpers.write_file(container, path, cell, mode)
            print(f"wrote {len(cell.encode())} bytes to {a.target}")

        return self._guard(go)

    def _play(self, tasks: Any, check: bool, diff: bool, names: dict[str, Any]) -> Any:
        """Run a play, its lines shown live (in place in a notebook); a failed task is one line."""
        from ..modules.play import play
        from ..render.live import LiveDisplay, in_notebook
        from ..render.plays import PlayResult

        view = LiveDisplay() if in_notebook() else None

        def progress(sofar: PlayResult) -> None:
            assert view is not None
            sofar.part = "tasks"  # the task lines, live; the recap comes once, as the cell's value
            view.show(sofar)

        result = play(
            tasks, check=check, diff=diff, vars=names, progress=progress if view else None
        )
        if view is not None:
            view.show(result)  # the coloured task lines stay in the notebook
            result.part = "recap"  # and the returned value adds the recap under them
        if result.failed:
            failed = result.tasks[-1].result
            raise CommandError(
                f"task [{result.failed_task}] failed: {failed.msg if failed else ''}"
            )
        return result

    def _export(self, path: str, tasks: Any, names: dict[str, Any]) -> None:
        from ..hostfiles import replacing
        from ..modules.export import to_playbook

        playbook = to_playbook(tasks, vars=names)  # a play that cannot be read writes nothing
        with replacing(path, "w") as f:
            f.write(playbook)
        print(f"wrote {path}")

    def _play_parser(self, name: str) -> Parser:
        parser = Parser(name)
        parser.prog = f"%%{name}"
        parser.add_argument(
            "--check", action="store_true", help="report what would change; change nothing"
        )
        parser.add_argument("--diff", action="store_true", help="show what each task compared")
        parser.add_argument(
            "--export", metavar="FILE", help="write it as an Ansible playbook; run nothing"
        )
        return parser

    @no_var_expand
    @cell_magic
    def docker_play(self, line: str, cell: str) -> Any:
        """%%docker_play [--check] [--diff] [--var K=V] [--export FILE]: the cell is a YAML list of
        tasks (container, image, network, volume, copy_into, exec, prune, or community.docker's
        module names) run like an Ansible play."""
        parser = self._play_parser("docker_play")
        parser.add_argument(
            "--var", action="append", metavar="K=V", help="a variable for {{ }} templating"
        )

        def go() -> Any:
            sendable(cell, "cell")
            a = parser.parse(self._argv(line))
            names = {**(self.shell.user_ns if self.shell is not None else {}), **key_value(a.var)}
            if a.export:
                return self._export(a.export, cell, names)
            return self._play(cell, a.check, a.diff, names)

        return self._guard(go)

    @no_var_expand
    @cell_magic
    def docker_compose(self, line: str, cell: str) -> Any:
        """%%docker_compose [-p PROJECT] [--check] [--export FILE] [up | down [-v]]: the short form
        of ``%%docker compose -p PROJECT up -d`` (``down``), with a play's recap: each resource
        changed or ok; ``--check`` runs it dry; ``--export`` writes an Ansible playbook."""
        from ..compose import project as projects
        from ..compose.model import load
        from ..compose.recap import as_play
        from ..modules.compose import compose_tasks
        from .commands.compose.grammar import acting_engine, dry_running, live

        parser = self._play_parser("docker_compose")
        parser.add_argument(
            "-p", "--project-name", help="the project (default: name: in the file, else the folder)"
        )
        parser.add_argument("action", nargs="?", choices=["up", "down"], default="up")
        parser.add_argument(
            "-v", "--volumes", action="store_true", help="down: remove the named volumes too"
        )

        def go() -> Any:
            sendable(cell, "cell")
            a = parser.parse(self._argv(line))
            if a.export:
                project = load(text=cell, name=a.project_name)
                tasks = compose_tasks(
                    project, down=a.action == "down", volumes=a.volumes, engine=acting_engine(False)
                )
                return self._export(a.export, tasks, {})
            if a.diff:
                raise CommandError(
                    "%%docker_compose --diff: each change is shown as it is made (--check: "
                    "what would be made, making nothing)"
                )
            project = load(text=cell, name=a.project_name)
            with dry_running(a.check):
                engine = acting_engine(a.check)
                if a.action == "down":
                    done = projects.down(
                        engine, project.name, volumes=a.volumes, report=live, project=project
                    )
                else:
                    done = projects.up(engine, project, report=live)
            return as_play(done, check=a.check)

        return self._guard(go)

    @no_var_expand
    @cell_magic
    def dockerfile(self, line: str, cell: str) -> Any:
        """%%dockerfile TAG [--build-arg K=V] [--context DIR] [--target T] [--no-cache] [--pull] [-q]:
        build an image from the cell."""
        parser = Parser("dockerfile")
        parser.prog = "%%dockerfile"
        parser.add_argument("tag")
        parser.add_argument("--context", help="folder sent as the build context")
        add_build_options(parser)

        def go() -> Any:
            sendable(cell, "cell")
            a = parser.parse(self._argv(line))
            return helpers.build(a.context, tag=a.tag, dockerfile_text=cell, **build_options(a))

        return self._guard(go)
