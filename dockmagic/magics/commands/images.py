"""%docker images, pull, push, build, tag, rmi, save, load, import, history, image inspect and
prune, search, login, logout, and lab (the offline busybox image)."""

from __future__ import annotations

import argparse
import functools
import json
import os
from pathlib import Path
from typing import Any

from ... import helpers
from ...helpers.engines.labels import BUILT
from ...options.values import as_extra_host, as_ulimit, parse_bytes
from ...render.formats import (
    HISTORY_TITLES,
    IMAGE_TITLES,
    format_rows,
    history_fields,
    image_fields,
)
from ..argv import (
    CommandError,
    Parser,
    add_filter,
    add_format,
    filters,
    int64,
    key_value,
    key_values,
)
from .registry import Context, Handler, command
from .showing import formatted, inspect_each, listing


def add_build_options(p: Parser) -> None:
    """The options %docker build and %%dockerfile share."""
    p.add_argument(
        "--build-arg",
        action="append",
        metavar="VAR[=VALUE]",
        help="VAR alone: from this environment",
    )
    p.add_argument("--label", action="append", metavar="K=V")
    p.add_argument("--target")
    p.switch("--no-cache")
    p.switch("--pull")
    p.switch("-q", "--quiet", help="do not show the step output")
    p.add_argument("--platform")
    p.add_argument("--network", help="network mode for RUN steps")
    p.add_argument("--add-host", action="append", metavar="HOST:IP")
    p.add_argument(
        "--cache-from", action="append", metavar="IMAGE", help="images to take cached steps from"
    )
    p.add_argument("--shm-size", metavar="SIZE")
    p.add_argument("-m", "--memory", metavar="SIZE")
    p.add_argument("--memory-swap", metavar="SIZE")
    p.add_argument("--cpu-shares", type=int64)
    p.add_argument("--cpu-period", type=int64)
    p.add_argument("--cpu-quota", type=int64)
    p.add_argument("--cpuset-cpus")
    p.add_argument("--cpuset-mems")
    p.add_argument("--cgroup-parent")
    p.add_argument("--ulimit", action="append", metavar="NAME=SOFT[:HARD]")
    p.add_argument("--isolation")
    p.add_argument("--iidfile", metavar="FILE", help="write the image ID to this file")
    p.switch("--force-rm")
    p.switch("--rm", help="accepted (the default)")
    p.switch("--squash")


def _build_args(items: list[str] | None) -> dict[str, str | None]:
    """``--build-arg VAR=value``; a bare ``VAR`` takes its value from this environment (as the CLI)."""
    out: dict[str, str | None] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        out[key] = value if sep else os.environ.get(key)
    return out


def build_options(a: argparse.Namespace) -> dict[str, Any]:
    extra = {
        "networkmode": a.network,
        # one parameter each, as the CLI sends them: the engine reads a list, not a joined value
        "extrahosts": [as_extra_host(h) for h in a.add_host] if a.add_host else None,
        "cachefrom": json.dumps(a.cache_from) if a.cache_from else None,  # the API's JSON array
        "shmsize": parse_bytes(a.shm_size),
        "memory": parse_bytes(a.memory),
        "memswap": parse_bytes(a.memory_swap),
        "cpushares": a.cpu_shares,
        "cpuperiod": a.cpu_period,
        "cpuquota": a.cpu_quota,
        "cpusetcpus": a.cpuset_cpus,
        "cpusetmems": a.cpuset_mems,
        "cgroupparent": a.cgroup_parent,
        "ulimits": json.dumps([as_ulimit(u) for u in a.ulimit]) if a.ulimit else None,
        "isolation": a.isolation,
        "forcerm": a.force_rm or None,
        "squash": a.squash or None,
    }
    return {
        "buildargs": _build_args(a.build_arg),
        "labels": key_value(a.label),
        "target": a.target,
        "nocache": a.no_cache,
        "pull": a.pull,
        "quiet": a.quiet,
        "platform": a.platform,
        "extra": {k: v for k, v in extra.items() if v is not None},
    }


def _dockerfile(context: str, file: str | None) -> dict[str, Any]:
    """``-f PATH`` is relative to the current folder, as the CLI: inside the context it is named
    relative to it; outside, its text is sent with the context."""
    if file is None:
        return {}
    path, root = Path(file).expanduser().resolve(), Path(context).expanduser().resolve()
    if path.is_relative_to(root):
        return {"dockerfile": path.relative_to(root).as_posix()}
    try:
        return {"dockerfile_text": path.read_text(encoding="utf-8")}
    except OSError as exc:
        raise CommandError(f"cannot read the Dockerfile {file}: {exc.strerror or exc}") from None


@command("pull|image pull", "Pull an image, with a progress bar per layer.")
def _pull(p: Parser) -> Handler:
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    p.add_argument("--platform")
    p.add_argument("-a", "--all-tags", action="store_true", help="every tag of the repository")
    p.unsupported("--disable-content-trust")
    p.add_argument("ref", metavar="IMAGE[:TAG]")
    return lambda a, ctx: helpers.pull(
        a.ref, platform=a.platform, quiet=a.quiet, all_tags=a.all_tags
    )


@command("push|image push", "Push an image, with a progress bar per layer.")
def _push(p: Parser) -> Handler:
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    p.add_argument(
        "-a", "--all-tags", action="store_true", help="every local tag of the repository"
    )
    p.unsupported("--disable-content-trust")
    p.add_argument("ref", metavar="IMAGE[:TAG]")
    return lambda a, ctx: helpers.push(a.ref, quiet=a.quiet, all_tags=a.all_tags)


@command("build|image build", "Build an image from a folder (streamed; .dockerignore honoured).")
def _build(p: Parser) -> Handler:
    p.add_argument("-t", "--tag", action="append", metavar="NAME[:TAG]")
    p.add_argument("-f", "--file", metavar="PATH", help="the Dockerfile (default: PATH/Dockerfile)")
    add_build_options(p)
    p.unsupported("--secret", "--ssh", "--cache-to", "--output", "-o", "--progress", "--load")
    p.add_argument("context", metavar="PATH")

    def handle(a: argparse.Namespace, ctx: Context) -> Any:
        if a.context == "-":
            raise CommandError(
                "%docker build - (context on stdin) is not supported; use %%dockerfile"
            )
        result = helpers.build(
            a.context, tag=a.tag, **_dockerfile(a.context, a.file), **build_options(a)
        )
        if a.iidfile:
            Path(a.iidfile).write_text(result.image_id, encoding="utf-8")
        return result

    return handle


@command("tag|image tag", "Give an image another name.")
def _tag(p: Parser) -> Handler:
    p.add_argument("source")
    p.add_argument("target")
    return lambda a, ctx: helpers.tag(a.source, a.target)


@command("rmi|image rm|image remove", "Remove images.")
def _rmi(p: Parser) -> Handler:
    p.add_argument("-f", "--force", action="store_true")
    p.add_argument("--no-prune", action="store_true")
    p.add_argument("images", nargs="+", metavar="IMAGE")
    return lambda a, ctx: helpers.rmi(*a.images, force=a.force, no_prune=a.no_prune)


@command("save|image save", "Write images to a tar file (streamed).")
def _save(p: Parser) -> Handler:
    p.add_argument("-o", "--output", required=True, help="the tar file to write")
    p.add_argument("images", nargs="+", metavar="IMAGE")
    return lambda a, ctx: helpers.save(a.images, a.output)


@command("load|image load", "Load images from a tar file (streamed).")
def _load(p: Parser) -> Handler:
    p.add_argument("-i", "--input", required=True, help="the tar file to read")
    p.add_argument("-q", "--quiet", action="store_true")
    return lambda a, ctx: helpers.load(a.input, quiet=a.quiet)


@command("import|image import", "Make an image from a root filesystem tar file.")
def _import(p: Parser) -> Handler:
    p.add_argument(
        "-c", "--change", action="append", metavar="INSTRUCTION", help="e.g. 'CMD [\"sh\"]'"
    )
    p.add_argument("-m", "--message")
    p.unsupported("--platform")
    p.add_argument("file", metavar="FILE")
    p.add_argument("ref", nargs="?", metavar="REPOSITORY[:TAG]")
    return lambda a, ctx: helpers.import_image(a.file, a.ref, changes=a.change, message=a.message)


@command("history|image history", "The layers of an image.")
def _history(p: Parser) -> Handler:
    add_format(p)
    p.switch("--no-trunc", help="whole ids and commands")
    p.switch("-H", "--human", default=True, help="sizes and dates for people (default true)")
    p.switch("-q", "--quiet", help="only layer ids")
    p.add_argument("image")

    def handle(a: argparse.Namespace, ctx: Context) -> Any:
        table = helpers.history(a.image)
        if a.quiet:
            return listing([history_fields(r, not a.no_trunc)["ID"] for r in table])
        template = a.format or "table"
        if template == "table" and a.human and not a.no_trunc:
            return table
        if template == "table":
            created = "{{.CreatedSince}}" if a.human else "{{.CreatedAt}}"
            template = (
                f"table {{{{.ID}}}}\t{created}\t{{{{.CreatedBy}}}}\t{{{{.Size}}}}\t{{{{.Comment}}}}"
            )
        fields = functools.partial(history_fields, human=a.human)
        return format_rows(template, table.rows, fields, HISTORY_TITLES, trunc=not a.no_trunc)

    return handle


@command("image inspect", "Details of images, as trees.")
def _image_inspect(p: Parser) -> Handler:
    add_format(p, short=True)
    p.add_argument("images", nargs="+", metavar="IMAGE")
    return lambda a, ctx: inspect_each(a.images, a.format, helpers.image_inspect)


@command("image prune", "Remove dangling images (-a: all unused).")
def _image_prune(p: Parser) -> Handler:
    p.add_argument("-a", "--all", action="store_true")
    p.add_argument("-f", "--force", action="store_true", help="accepted; a notebook never prompts")
    p.add_argument("--filter", action="append", metavar="K=V")
    return lambda a, ctx: helpers.image_prune(all=a.all, filters=key_values(a.filter))


@command("images|image ls|image list", "List images, one row per tag.")
def _images(p: Parser) -> Handler:
    p.switch("-a", "--all")
    add_filter(p)
    p.switch("-q", "--quiet", help="only ids")
    p.switch("--digests", help="add a DIGEST column")
    p.switch("--no-trunc")
    add_format(p)
    p.add_argument("reference", nargs="?", metavar="REPOSITORY[:TAG]")

    def handle(a: argparse.Namespace, ctx: Context) -> Any:
        table = helpers.images(
            a.all, reference=a.reference, filters=filters(a, BUILT), digests=a.digests
        )
        if a.quiet:
            return listing(
                list(dict.fromkeys(image_fields(r, not a.no_trunc)["ID"] for r in table))
            )
        template = a.format
        if (a.digests or a.no_trunc) and template in (None, "table"):
            digest = "\t{{.Digest}}" if a.digests else ""
            head = "table {{.Repository}}\t{{.Tag}}"
            template = f"{head}{digest}\t{{{{.ID}}}}\t{{{{.CreatedSince}}}}\t{{{{.Size}}}}"
        if template and template != "table":
            return format_rows(
                template, table.rows, image_fields, IMAGE_TITLES, trunc=not a.no_trunc
            )
        return table

    return handle


@command("search", "Search a registry for images.")
def _search(p: Parser) -> Handler:
    p.add_argument("-f", "--filter", action="append", metavar="K=V")
    p.add_argument("--limit", type=int64)
    p.switch("--no-trunc")
    add_format(p)
    p.add_argument("term")

    def handle(a: argparse.Namespace, ctx: Context) -> Any:
        table = helpers.search(a.term, limit=a.limit, filters=key_values(a.filter))
        return formatted(table, a.format)

    return handle


@command("login", "Log in to a registry; the credentials are kept where the docker CLI keeps them.")
def _login(p: Parser) -> Handler:
    p.add_argument("-u", "--username")
    p.add_argument("-p", "--password")
    p.switch("--password-stdin", help="not in a notebook: use -p with a variable, e.g. -p $token")
    p.add_argument("server", nargs="?")

    def handle(a: argparse.Namespace, ctx: Context) -> Any:
        if a.password_stdin:
            raise CommandError(
                "%docker login --password-stdin: a notebook has no stdin; use -p $variable"
            )
        if not a.username or not a.password:
            raise CommandError(
                "%docker login needs -u USER and -p PASSWORD (a notebook cannot prompt)"
            )
        return helpers.login(a.username, a.password, a.server)

    return handle


@command("logout", "Forget a registry's stored credentials.")
def _logout(p: Parser) -> Handler:
    p.add_argument("server", nargs="?")
    return lambda a, ctx: helpers.logout(a.server)


@command(
    "lab", "dockmagic: build the offline lab image (busybox tools) from this host's static busybox."
)
def _lab(p: Parser) -> Handler:
    p.add_argument("tag", nargs="?", default=helpers.LAB_IMAGE)
    p.add_argument("--force", action="store_true", help="rebuild even if it exists")
    return lambda a, ctx: helpers.lab_image(a.tag, force=a.force)
