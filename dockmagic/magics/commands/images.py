"""%docker pull, push, build, tag, rmi, save, load, import, history, image inspect, image prune."""

from __future__ import annotations

import argparse
from typing import Any

from ... import helpers
from ..argv import CommandError, Parser, key_value, key_values
from .registry import Context, command


def add_build_options(p: Parser) -> None:
    """The options %docker build and %%dockerfile share."""
    p.add_argument("--build-arg", action="append", metavar="K=V")
    p.add_argument("--label", action="append", metavar="K=V")
    p.add_argument("--target")
    p.add_argument("--no-cache", action="store_true")
    p.add_argument("--pull", action="store_true")
    p.add_argument("-q", "--quiet", action="store_true", help="do not show the step output")


def build_options(a: argparse.Namespace) -> dict[str, Any]:
    return {
        "buildargs": key_value(a.build_arg),
        "labels": key_value(a.label),
        "target": a.target,
        "nocache": a.no_cache,
        "pull": a.pull,
        "quiet": a.quiet,
    }


@command("pull|image pull", "Pull an image, with a progress bar per layer.")
def _pull(p: Parser) -> Any:
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    p.add_argument("--platform")
    p.unsupported("-a", "--all-tags", "--disable-content-trust")
    p.add_argument("ref", metavar="IMAGE[:TAG]")
    return lambda a, ctx: helpers.pull(a.ref, platform=a.platform, quiet=a.quiet)


@command("push|image push", "Push an image, with a progress bar per layer.")
def _push(p: Parser) -> Any:
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    p.unsupported("-a", "--all-tags", "--disable-content-trust")
    p.add_argument("ref", metavar="IMAGE[:TAG]")
    return lambda a, ctx: helpers.push(a.ref, quiet=a.quiet)


@command("build|image build", "Build an image from a folder (streamed; .dockerignore honoured).")
def _build(p: Parser) -> Any:
    p.add_argument("-t", "--tag", action="append", metavar="NAME[:TAG]")
    p.add_argument("-f", "--file", metavar="PATH", help="the Dockerfile, relative to the context")
    add_build_options(p)
    p.unsupported(
        "--platform",
        "--secret",
        "--ssh",
        "--cache-from",
        "--network",
        "--add-host",
        "--iidfile",
        "--squash",
        "--output",
        "-o",
        "--progress",
        "--memory",
        "-m",
        "--shm-size",
        "--ulimit",
    )
    p.add_argument("context", metavar="PATH")

    def handle(a: argparse.Namespace, ctx: Context) -> Any:
        if a.context == "-":
            raise CommandError("%docker build - (context on stdin) is not supported; use %%dockerfile")
        return helpers.build(a.context, tag=a.tag, dockerfile=a.file, **build_options(a))

    return handle


@command("tag|image tag", "Give an image another name.")
def _tag(p: Parser) -> Any:
    p.add_argument("source")
    p.add_argument("target")
    return lambda a, ctx: helpers.tag(a.source, a.target)


@command("rmi|image rm|image remove", "Remove images.")
def _rmi(p: Parser) -> Any:
    p.add_argument("-f", "--force", action="store_true")
    p.add_argument("--no-prune", action="store_true")
    p.add_argument("images", nargs="+", metavar="IMAGE")
    return lambda a, ctx: helpers.rmi(*a.images, force=a.force, no_prune=a.no_prune)


@command("save|image save", "Write images to a tar file (streamed).")
def _save(p: Parser) -> Any:
    p.add_argument("-o", "--output", required=True, help="the tar file to write")
    p.add_argument("images", nargs="+", metavar="IMAGE")
    return lambda a, ctx: helpers.save(a.images, a.output)


@command("load|image load", "Load images from a tar file (streamed).")
def _load(p: Parser) -> Any:
    p.add_argument("-i", "--input", required=True, help="the tar file to read")
    p.add_argument("-q", "--quiet", action="store_true")
    return lambda a, ctx: helpers.load(a.input, quiet=a.quiet)


@command("import|image import", "Make an image from a root filesystem tar file.")
def _import(p: Parser) -> Any:
    p.add_argument("-c", "--change", action="append", metavar="INSTRUCTION", help="e.g. 'CMD [\"sh\"]'")
    p.add_argument("-m", "--message")
    p.unsupported("--platform")
    p.add_argument("file", metavar="FILE")
    p.add_argument("ref", nargs="?", metavar="REPOSITORY[:TAG]")
    return lambda a, ctx: helpers.import_image(a.file, a.ref, changes=a.change, message=a.message)


@command("history|image history", "The layers of an image.")
def _history(p: Parser) -> Any:
    p.unsupported("--format", "--no-trunc", "-H", "--human", "-q", "--quiet")
    p.add_argument("image")
    return lambda a, ctx: helpers.history(a.image)


@command("image inspect", "Details of an image, as a tree.")
def _image_inspect(p: Parser) -> Any:
    p.unsupported("-f", "--format")
    p.add_argument("image")
    return lambda a, ctx: helpers.image_inspect(a.image)


@command("image prune", "Remove dangling images (-a: all unused).")
def _image_prune(p: Parser) -> Any:
    p.add_argument("-a", "--all", action="store_true")
    p.add_argument("-f", "--force", action="store_true", help="accepted; a notebook never prompts")
    p.add_argument("--filter", action="append", metavar="K=V")
    return lambda a, ctx: helpers.image_prune(all=a.all, filters=key_values(a.filter))
