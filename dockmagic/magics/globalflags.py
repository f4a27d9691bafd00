"""The docker CLI's global flags before the subcommand: ``%docker -H tcp://host:2376 --tlsverify ps``."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from ..engine import Engine, TLSConfig
from ..engine.cliconfig import config_dir
from ..engine.hosts import cert_folder, context_host
from ..errors import CommandError

_VALUED = {
    "-H": "host",
    "--host": "host",
    "-c": "context",
    "--context": "context",
    "--tlscacert": "tlscacert",
    "--tlscert": "tlscert",
    "--tlskey": "tlskey",
    "-l": "log_level",
    "--log-level": "log_level",
    "--config": "config",
}
_SWITCHES = {"--tls": "tls", "--tlsverify": "tlsverify", "-D": "debug", "--debug": "debug"}


@dataclass
class GlobalFlags:
    host: str | None = None
    context: str | None = None
    tls: bool = False
    tlsverify: bool = False
    tlscacert: str | None = None
    tlscert: str | None = None
    tlskey: str | None = None
    debug: bool = False
    log_level: str | None = None
    config: str | None = None
    given: list[str] = field(default_factory=list)

    def engine(self) -> Engine | None:
        """The engine these flags name, or None to use the notebook's."""
        if self.host and self.context:
            raise CommandError("%docker: give -H/--host or --context, not both (as the docker CLI)")
        if self.context:
            found = context_host(self.context, self.env())
            return Engine(found)
        tls = self.tls_config()
        if not self.host and tls is None:
            return None
        return Engine(self.host or os.environ.get("DOCKER_HOST"), tls=tls)

    def many(self) -> str | None:
        """``a,b,c`` when the flags name several engines (hosts, contexts or both), else None."""
        spec = ",".join(s for s in (self.host, self.context) if s)
        return spec if "," in spec or (self.host and self.context) else None

    def env(self) -> dict[str, str]:
        return {**os.environ, **({"DOCKER_CONFIG": self.config} if self.config else {})}

    def tls_config(self) -> TLSConfig | None:
        if not (self.tls or self.tlsverify or any((self.tlscacert, self.tlscert, self.tlskey))):
            return None
        if self.tlscacert and self.tlscert and self.tlskey:
            return TLSConfig(self.tlscacert, self.tlscert, self.tlskey)
        env = self.env()
        default = (
            TLSConfig.from_dir(env.get("DOCKER_CERT_PATH") or config_dir(env))
            if self.tlscacert
            else cert_folder(env)
        )
        return TLSConfig(
            ca_cert=self.tlscacert or default.ca_cert,
            client_cert=self.tlscert or default.client_cert,
            client_key=self.tlskey or default.client_key,
        )


def split_global_flags(argv: list[str]) -> tuple[GlobalFlags, list[str]]:
    """The global flags at the front of a line, and the rest (the subcommand and its arguments)."""
    flags = GlobalFlags()
    i = 0
    while i < len(argv) and argv[i].startswith("-") and argv[i] not in ("--help", "-h"):
        word, sep, value = argv[i].partition("=")
        if word in _SWITCHES:
            setattr(flags, _SWITCHES[word], True)
            i += 1
        elif word in _VALUED:
            if not sep:
                if i + 1 >= len(argv):
                    raise CommandError(f"%docker: flag needs an argument: {word}")
                value, i = argv[i + 1], i + 1
            setattr(flags, _VALUED[word], value)
            i += 1
        else:
            raise CommandError(
                f"%docker: unknown global flag: {word} (the subcommand comes after global flags)"
            )
        flags.given.append(word)
    return flags, argv[i:]
