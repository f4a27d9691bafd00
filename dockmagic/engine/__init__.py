"""The Docker Engine API client: one method per API operation, named for its operationId."""

from __future__ import annotations

from .api.containers import ContainerAPI
from .api.execs import ExecAPI
from .api.images import ImageAPI
from .api.networks import NetworkAPI
from .api.swarm import SwarmAPI
from .api.system import SystemAPI
from .api.volumes import VolumeAPI
from .hosts import Host, TLSConfig, resolve_host
from .streams import STDERR, STDOUT, Chunk, demux


class Engine(ContainerAPI, ExecAPI, ImageAPI, NetworkAPI, VolumeAPI, SwarmAPI, SystemAPI):
    """A connection to one Docker engine.

    >>> engine = Engine()                      # DOCKER_HOST, the current context, or the socket
    >>> engine.container_list(all=True)        # GET /containers/json?all=1
    """


__all__ = ["STDERR", "STDOUT", "Chunk", "Engine", "Host", "TLSConfig", "demux", "resolve_host"]
