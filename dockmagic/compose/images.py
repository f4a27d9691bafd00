"""A project's images as compose handles them: a service's image is its ``image``, or
``PROJECT-SERVICE`` when it is built; ``build`` builds with the engine's classic builder as
compose does without BuildKit (labelled ``com.docker.compose.image.builder=classic``); ``up``
builds or pulls what is missing as each service's ``pull_policy`` says."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..engine import Engine
from ..errors import NotFound, OptionError
from .convert import image_of
from .model import Json, Project
from .project import Outcome, selected

BUILDER = "com.docker.compose.image.builder"
# What only BuildKit can do: refused by name, as compose refuses them with the classic builder.
_BUILDKIT_ONLY = ("ssh", "secrets", "additional_contexts", "entitlements", "privileged")


image_name = image_of


def _build_options(service: str, build: Mapping[str, Any]) -> dict[str, Any]:
    """The helpers' build options for a service's ``build:`` section."""
    for key in _BUILDKIT_ONLY:
        if build.get(key):
            raise OptionError(
                f"services.{service}.build.{key}: only BuildKit builds it (the engine's classic "
                "builder, which dockmagic uses, cannot)"
            )
    if len(build.get("platforms") or []) > 1:
        raise OptionError(f"services.{service}.build.platforms: one platform per build here")
    extra: dict[str, Any] = {}
    if build.get("network"):
        extra["networkmode"] = build["network"]
    if build.get("extra_hosts"):
        hosts = build["extra_hosts"]
        pairs = hosts.items() if isinstance(hosts, Mapping) else (h.split("=", 1) for h in hosts)
        extra["extrahosts"] = [
            f"{k}:{v}" for k, v in pairs
        ]  # a parameter each, as compose sends them
    if build.get("shm_size"):
        extra["shmsize"] = int(build["shm_size"])
    return {
        "dockerfile": None if build.get("dockerfile_inline") else build.get("dockerfile"),
        "dockerfile_text": build.get("dockerfile_inline"),
        "buildargs": {k: str(v) for k, v in (build.get("args") or {}).items() if v is not None},
        "target": build.get("target"),
        "labels": {**(build.get("labels") or {}), BUILDER: "classic"},
        "platform": (build.get("platforms") or [None])[0],
        "extra": extra,
    }


def build(
    engine: Engine,
    project: Project,
    services: Iterable[str] = (),
    *,
    no_cache: bool = False,
    pull: bool = False,
    quiet: bool = False,
    outcome: Outcome | None = None,
) -> list[str]:
    """Build the images of the services (all, or those named) that have a ``build:``; the
    images built, by name."""
    from ..helpers.images.build import build as build_image

    outcome = outcome or Outcome()
    built = []
    for service in sorted(selected(project, services) if services else project.services):
        spec = project.services[service]
        if not spec.get("build"):
            continue
        options = _build_options(service, spec["build"])
        name = image_name(project, service)
        tags = [name, *(spec["build"].get("tags") or [])]
        build_image(
            spec["build"].get("context") or project.directory,
            tag=tags,
            nocache=no_cache or bool(spec["build"].get("no_cache")),
            pull=pull or bool(spec["build"].get("pull")),
            quiet=quiet,
            engine=engine,
            **options,
        )
        outcome.say("Image", name, "Built")
        built.append(name)
    return built


def _present(engine: Engine, name: str) -> bool:
    try:
        engine.image_inspect(name)
    except NotFound:
        return False
    return True


def ensure(
    engine: Engine,
    project: Project,
    services: Iterable[str],
    *,
    build_all: bool = False,
    policy: str | None = None,
    outcome: Outcome,
) -> None:
    """What ``up`` does before it makes containers: each service's image built (``build_all``,
    ``pull_policy: build``, or missing and buildable) or pulled (missing, or ``pull_policy:
    always``); ``pull_policy: never`` with no image is an error. ``policy`` (``up --pull``)
    stands for every service's ``pull_policy``."""
    if policy not in (None, "always", "missing", "never", "build"):
        raise OptionError(f"invalid --pull {policy!r} (always, missing, never or build)")
    from ..helpers.images.registry import pull as pull_image

    for service in services:
        spec: Json = project.services[service]
        name, wanted = image_name(project, service), policy or spec.get("pull_policy") or "missing"
        present = _present(engine, name)
        if spec.get("build") and (build_all or wanted == "build" or not present):
            build(engine, project, [service], outcome=outcome)
        elif wanted == "always" or (wanted in ("missing", "if_not_present") and not present):
            pull_image(name, engine=engine)
            outcome.say("Image", name, "Pulled")
        elif wanted == "never" and not present:
            raise OptionError(f"services.{service}: no image {name} and pull_policy is never")


def push(
    engine: Engine, project: Project, services: Iterable[str] = (), *, outcome: Outcome
) -> None:
    """Push the images of the services that are built and name an ``image``."""
    from ..helpers.images.registry import push as push_image

    for service in sorted(services or project.services):
        spec = project.services[service]
        if spec.get("build") and spec.get("image"):
            push_image(str(spec["image"]), engine=engine)
            outcome.say("Image", str(spec["image"]), "Pushed")


def pull(
    engine: Engine,
    project: Project,
    services: Iterable[str] = (),
    *,
    ignore_buildable: bool = False,
    outcome: Outcome,
) -> None:
    """Pull the services' images (those with a ``build:`` too, unless ``ignore_buildable``)."""
    from ..helpers.images.registry import pull as pull_image

    for service in sorted(services or project.services):
        spec = project.services[service]
        if spec.get("build") and (ignore_buildable or not spec.get("image")):
            continue
        if spec.get("pull_policy") in ("build", "never"):
            continue
        pull_image(image_name(project, service), engine=engine)
        outcome.say("Image", image_name(project, service), "Pulled")
