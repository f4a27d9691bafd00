"""The public Python API: everything a magic can do, a plain function can do too.

The functions load with the module that holds them, on first use: a script that copies a file
does not pay for the build, option and table machinery (``import dockmagic; dockmagic.cp(...)``:
~100 ms less). Names are looked up before submodules, so ``helpers.run`` is always the function,
even once ``helpers/run.py`` is loaded (the import system binds submodules on their package).
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .auth import login as login
    from .auth import logout as logout
    from .build import build as build
    from .containers import commit as commit
    from .containers import diff as diff
    from .containers import export as export
    from .containers import inspect as inspect
    from .containers import kill as kill
    from .containers import pause as pause
    from .containers import port as port
    from .containers import prune as prune
    from .containers import ps as ps
    from .containers import rename as rename
    from .containers import restart as restart
    from .containers import rm as rm
    from .containers import start as start
    from .containers import stop as stop
    from .containers import top as top
    from .containers import unpause as unpause
    from .containers import update as update
    from .containers import wait as wait
    from .contexts import context_create as context_create
    from .contexts import context_export as context_export
    from .contexts import context_get as context_get
    from .contexts import context_import as context_import
    from .contexts import context_rm as context_rm
    from .contexts import context_show as context_show
    from .contexts import context_update as context_update
    from .contexts import context_use as context_use
    from .contexts import contexts as contexts
    from .copy import cp as cp
    from .copy import write_file as write_file
    from .execs import exec_ as exec_
    from .fanout import Engines as Engines
    from .fanout import engines as engines
    from .images import history as history
    from .images import image_inspect as image_inspect
    from .images import image_prune as image_prune
    from .images import import_image as import_image
    from .images import load as load
    from .images import pull as pull
    from .images import push as push
    from .images import rmi as rmi
    from .images import save as save
    from .images import tag as tag
    from .lab import LAB_IMAGE as LAB_IMAGE
    from .lab import lab_image as lab_image
    from .logs import attach as attach
    from .logs import logs as logs
    from .networking import network_connect as network_connect
    from .networking import network_create as network_create
    from .networking import network_disconnect as network_disconnect
    from .networking import network_prune as network_prune
    from .networking import network_rm as network_rm
    from .resources import events as events
    from .resources import images as images
    from .resources import networks as networks
    from .resources import search as search
    from .resources import system_df as system_df
    from .resources import system_info as system_info
    from .resources import system_prune as system_prune
    from .resources import system_version as system_version
    from .resources import versions as versions
    from .resources import volumes as volumes
    from .run import create as create
    from .run import run as run
    from .services import converge as converge
    from .services import service_create as service_create
    from .services import service_inspect as service_inspect
    from .services import service_logs as service_logs
    from .services import service_ps as service_ps
    from .services import service_rm as service_rm
    from .services import service_rollback as service_rollback
    from .services import service_scale as service_scale
    from .services import service_stats as service_stats
    from .services import service_update as service_update
    from .services import services as services
    from .session import default_engine as default_engine
    from .session import use as use
    from .shell import Shell as Shell
    from .shell import shell as shell
    from .shell import shell_close as shell_close
    from .stacks import stack_deploy as stack_deploy
    from .stacks import stack_ps as stack_ps
    from .stacks import stack_rm as stack_rm
    from .stacks import stack_services as stack_services
    from .stacks import stacks as stacks
    from .stats import StatsSeries as StatsSeries
    from .stats import sample as sample
    from .stats import stats as stats
    from .stats import watch as watch
    from .storage import volume_create as volume_create
    from .storage import volume_prune as volume_prune
    from .storage import volume_rm as volume_rm
    from .swarm import config_create as config_create
    from .swarm import config_inspect as config_inspect
    from .swarm import config_rm as config_rm
    from .swarm import configs as configs
    from .swarm import node_inspect as node_inspect
    from .swarm import node_rm as node_rm
    from .swarm import node_update as node_update
    from .swarm import nodes as nodes
    from .swarm import secret_create as secret_create
    from .swarm import secret_inspect as secret_inspect
    from .swarm import secret_rm as secret_rm
    from .swarm import secrets as secrets
    from .swarm import swarm_init as swarm_init
    from .swarm import swarm_inspect as swarm_inspect
    from .swarm import swarm_join as swarm_join
    from .swarm import swarm_join_token as swarm_join_token
    from .swarm import swarm_leave as swarm_leave
    from .swarm_settings import swarm_ca as swarm_ca
    from .swarm_settings import swarm_unlock as swarm_unlock
    from .swarm_settings import swarm_unlock_key as swarm_unlock_key
    from .swarm_settings import swarm_update as swarm_update

_WHERE = {
    "Engines": "fanout",
    "LAB_IMAGE": "lab",
    "Shell": "shell",
    "StatsSeries": "stats",
    "attach": "logs",
    "build": "build",
    "commit": "containers",
    "config_create": "swarm",
    "config_inspect": "swarm",
    "config_rm": "swarm",
    "configs": "swarm",
    "context_create": "contexts",
    "context_export": "contexts",
    "context_get": "contexts",
    "context_import": "contexts",
    "context_rm": "contexts",
    "context_show": "contexts",
    "context_update": "contexts",
    "context_use": "contexts",
    "contexts": "contexts",
    "converge": "services",
    "cp": "copy",
    "create": "run",
    "default_engine": "session",
    "diff": "containers",
    "engines": "fanout",
    "events": "resources",
    "exec_": "execs",
    "export": "containers",
    "history": "images",
    "image_inspect": "images",
    "image_prune": "images",
    "images": "resources",
    "import_image": "images",
    "inspect": "containers",
    "kill": "containers",
    "lab_image": "lab",
    "load": "images",
    "login": "auth",
    "logout": "auth",
    "logs": "logs",
    "network_connect": "networking",
    "network_create": "networking",
    "network_disconnect": "networking",
    "network_prune": "networking",
    "network_rm": "networking",
    "networks": "resources",
    "node_inspect": "swarm",
    "node_rm": "swarm",
    "node_update": "swarm",
    "nodes": "swarm",
    "pause": "containers",
    "port": "containers",
    "prune": "containers",
    "ps": "containers",
    "pull": "images",
    "push": "images",
    "rename": "containers",
    "restart": "containers",
    "rm": "containers",
    "rmi": "images",
    "run": "run",
    "sample": "stats",
    "save": "images",
    "search": "resources",
    "secret_create": "swarm",
    "secret_inspect": "swarm",
    "secret_rm": "swarm",
    "secrets": "swarm",
    "service_create": "services",
    "service_inspect": "services",
    "service_logs": "services",
    "service_ps": "services",
    "service_rm": "services",
    "service_rollback": "services",
    "service_scale": "services",
    "service_stats": "services",
    "service_update": "services",
    "services": "services",
    "shell": "shell",
    "shell_close": "shell",
    "stack_deploy": "stacks",
    "stack_ps": "stacks",
    "stack_rm": "stacks",
    "stack_services": "stacks",
    "stacks": "stacks",
    "start": "containers",
    "stats": "stats",
    "stop": "containers",
    "swarm_ca": "swarm_settings",
    "swarm_init": "swarm",
    "swarm_inspect": "swarm",
    "swarm_join": "swarm",
    "swarm_join_token": "swarm",
    "swarm_leave": "swarm",
    "swarm_unlock": "swarm_settings",
    "swarm_unlock_key": "swarm_settings",
    "swarm_update": "swarm_settings",
    "system_df": "resources",
    "system_info": "resources",
    "system_prune": "resources",
    "system_version": "resources",
    "tag": "images",
    "top": "containers",
    "unpause": "containers",
    "update": "containers",
    "use": "session",
    "versions": "resources",
    "volume_create": "storage",
    "volume_prune": "storage",
    "volume_rm": "storage",
    "volumes": "resources",
    "wait": "containers",
    "watch": "stats",
    "write_file": "copy",
}
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
