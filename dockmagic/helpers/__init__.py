"""The public Python API: everything a magic can do, a plain function can do too.

The functions load with the module that holds them, on first use: a script that copies a file
does not pay for the build, option and table machinery (``import dockmagic; dockmagic.cp(...)``:
~100 ms less). Names are looked up before submodules, so ``helpers.run`` is always the function,
even once ``helpers/containers/run.py`` is loaded (the import system binds submodules on their package).
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the same names, for type checkers and editors (a test keeps them equal)
    from .containers.copy import cp as cp
    from .containers.copy import write_file as write_file
    from .containers.execs import exec_ as exec_
    from .containers.inspecting import commit as commit
    from .containers.inspecting import diff as diff
    from .containers.inspecting import export as export
    from .containers.inspecting import inspect as inspect
    from .containers.inspecting import port as port
    from .containers.inspecting import ps as ps
    from .containers.inspecting import top as top
    from .containers.lifecycle import kill as kill
    from .containers.lifecycle import pause as pause
    from .containers.lifecycle import prune as prune
    from .containers.lifecycle import rename as rename
    from .containers.lifecycle import restart as restart
    from .containers.lifecycle import rm as rm
    from .containers.lifecycle import start as start
    from .containers.lifecycle import stop as stop
    from .containers.lifecycle import unpause as unpause
    from .containers.lifecycle import update as update
    from .containers.lifecycle import wait as wait
    from .containers.logs import attach as attach
    from .containers.logs import logs as logs
    from .containers.run import create as create
    from .containers.run import run as run
    from .containers.shell import Shell as Shell
    from .containers.shell import shell as shell
    from .containers.shell import shell_close as shell_close
    from .engines.contexts import context_create as context_create
    from .engines.contexts import context_export as context_export
    from .engines.contexts import context_get as context_get
    from .engines.contexts import context_import as context_import
    from .engines.contexts import context_rm as context_rm
    from .engines.contexts import context_show as context_show
    from .engines.contexts import context_update as context_update
    from .engines.contexts import context_use as context_use
    from .engines.contexts import contexts as contexts
    from .engines.fanout import Engines as Engines
    from .engines.fanout import engines as engines
    from .engines.session import default_engine as default_engine
    from .engines.session import use as use
    from .images.build import build as build
    from .images.busybox import LAB_IMAGE as LAB_IMAGE
    from .images.busybox import lab_image as lab_image
    from .images.credentials import login as login
    from .images.credentials import logout as logout
    from .images.local import history as history
    from .images.local import image_inspect as image_inspect
    from .images.local import image_prune as image_prune
    from .images.local import images as images
    from .images.local import import_image as import_image
    from .images.local import load as load
    from .images.local import rmi as rmi
    from .images.local import save as save
    from .images.local import tag as tag
    from .images.registry import pull as pull
    from .images.registry import push as push
    from .images.registry import search as search
    from .networks import network_connect as network_connect
    from .networks import network_create as network_create
    from .networks import network_disconnect as network_disconnect
    from .networks import network_prune as network_prune
    from .networks import network_rm as network_rm
    from .networks import networks as networks
    from .stats.series import StatsSeries as StatsSeries
    from .stats.series import sample as sample
    from .stats.series import stats as stats
    from .stats.series import watch as watch
    from .swarm.cluster import config_create as config_create
    from .swarm.cluster import config_inspect as config_inspect
    from .swarm.cluster import config_rm as config_rm
    from .swarm.cluster import configs as configs
    from .swarm.cluster import node_inspect as node_inspect
    from .swarm.cluster import node_rm as node_rm
    from .swarm.cluster import node_update as node_update
    from .swarm.cluster import nodes as nodes
    from .swarm.cluster import secret_create as secret_create
    from .swarm.cluster import secret_inspect as secret_inspect
    from .swarm.cluster import secret_rm as secret_rm
    from .swarm.cluster import secrets as secrets
    from .swarm.cluster import swarm_init as swarm_init
    from .swarm.cluster import swarm_inspect as swarm_inspect
    from .swarm.cluster import swarm_join as swarm_join
    from .swarm.cluster import swarm_join_token as swarm_join_token
    from .swarm.cluster import swarm_leave as swarm_leave
    from .swarm.services import converge as converge
    from .swarm.services import service_create as service_create
    from .swarm.services import service_inspect as service_inspect
    from .swarm.services import service_logs as service_logs
    from .swarm.services import service_ps as service_ps
    from .swarm.services import service_rm as service_rm
    from .swarm.services import service_rollback as service_rollback
    from .swarm.services import service_scale as service_scale
    from .swarm.services import service_stats as service_stats
    from .swarm.services import service_update as service_update
    from .swarm.services import services as services
    from .swarm.settings import swarm_ca as swarm_ca
    from .swarm.settings import swarm_unlock as swarm_unlock
    from .swarm.settings import swarm_unlock_key as swarm_unlock_key
    from .swarm.settings import swarm_update as swarm_update
    from .swarm.stacks import stack_deploy as stack_deploy
    from .swarm.stacks import stack_ps as stack_ps
    from .swarm.stacks import stack_rm as stack_rm
    from .swarm.stacks import stack_services as stack_services
    from .swarm.stacks import stacks as stacks
    from .system import events as events
    from .system import system_df as system_df
    from .system import system_info as system_info
    from .system import system_prune as system_prune
    from .system import system_version as system_version
    from .system import versions as versions
    from .volumes import volume_create as volume_create
    from .volumes import volume_prune as volume_prune
    from .volumes import volume_rm as volume_rm
    from .volumes import volumes as volumes

# Where each public name lives: a module of this package, and the names it gives.
_MODULES = {
    "containers.copy": "cp write_file",
    "containers.execs": "exec_",
    "containers.inspecting": "commit diff export inspect port ps top",
    "containers.lifecycle": "kill pause prune rename restart rm start stop unpause update wait",
    "containers.logs": "attach logs",
    "containers.run": "create run",
    "containers.shell": "Shell shell shell_close",
    "engines.contexts": (
        "context_create context_export context_get context_import context_rm context_show "
        "context_update context_use contexts"
    ),
    "engines.fanout": "Engines engines",
    "engines.session": "default_engine use",
    "images.build": "build",
    "images.busybox": "LAB_IMAGE lab_image",
    "images.credentials": "login logout",
    "images.local": "history image_inspect image_prune images import_image load rmi save tag",
    "images.registry": "pull push search",
    "networks": (
        "network_connect network_create network_disconnect network_prune network_rm networks"
    ),
    "stats.series": "StatsSeries sample stats watch",
    "swarm.cluster": (
        "config_create config_inspect config_rm configs node_inspect node_rm node_update "
        "nodes secret_create secret_inspect secret_rm secrets swarm_init swarm_inspect "
        "swarm_join swarm_join_token swarm_leave"
    ),
    "swarm.services": (
        "converge service_create service_inspect service_logs service_ps service_rm "
        "service_rollback service_scale service_stats service_update services"
    ),
    "swarm.settings": "swarm_ca swarm_unlock swarm_unlock_key swarm_update",
    "swarm.stacks": "stack_deploy stack_ps stack_rm stack_services stacks",
    "system": "events system_df system_info system_prune system_version versions",
    "volumes": "volume_create volume_prune volume_rm volumes",
}
_WHERE = {name: module for module, names in _MODULES.items() for name in names.split()}
__all__ = sorted(_WHERE)


class _Helpers(types.ModuleType):
    def __getattribute__(self, name: str) -> Any:
        where = _WHERE.get(name)
        if where is None:
            return super().__getattribute__(name)
        return getattr(importlib.import_module(f"{__name__}.{where}"), name)

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *_WHERE})


sys.modules[__name__].__class__ = _Helpers
