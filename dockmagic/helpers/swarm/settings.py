"""A swarm's settings, its unlock key and its root CA (``docker swarm update``, ``unlock-key``,
``unlock`` and ``ca``): what a manager keeps for the whole swarm."""

from __future__ import annotations

import csv
import hashlib
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

from ...engine import Engine
from ...errors import HostFileError, OperationFailed, OptionError
from ...options.values import nanoseconds
from ..engines.session import engine_for
from ..images.progress import CountBar

if TYPE_CHECKING:
    from typing_extensions import Unpack

ROTATION_LIMIT = 300.0  # seconds a CA rotation is waited for


def _count(value: int | None, what: str) -> int | None:
    if value is not None and int(value) < 0:
        raise OptionError(f"{what} must be at least 0, not {value}")
    return None if value is None else int(value)


def _pem(path: str | Path, what: str) -> str:
    try:
        text = Path(path).expanduser().read_text()
    except OSError as exc:
        raise HostFileError(
            f"cannot read the {what} {str(path)!r}: {exc.strerror or exc}"
        ) from None
    if "-----BEGIN " not in text:
        raise OptionError(f"the {what} {str(path)!r} is not PEM (no -----BEGIN line)")
    return text


def external_ca(spec: str | Mapping[str, Any]) -> dict[str, Any]:
    """``protocol=cfssl,url=https://ca:8888[,cacert=FILE][,OPTION=VALUE...]`` (the CLI's CSV form)
    or a mapping with those keys -> the swarm's ExternalCA."""
    if isinstance(spec, str):
        fields = next(csv.reader([spec]), [])
        pairs = []
        for field in fields:
            key, sep, value = field.partition("=")
            if not sep:
                raise OptionError(
                    f"--external-ca: {field!r} is not KEY=VALUE (protocol=cfssl,url=URL[,cacert=FILE])"
                )
            pairs.append((key, value))
        given: dict[str, Any] = dict(pairs)
    else:
        given = dict(spec)
    protocol, url = str(given.pop("protocol", "")), str(given.pop("url", ""))
    if protocol.lower() != "cfssl":
        raise OptionError(
            f"--external-ca: the protocol must be cfssl, not {protocol or 'missing'!r}"
        )
    if not url:
        raise OptionError("--external-ca needs url=URL")
    cacert = given.pop("cacert", None)
    found = {"Protocol": "cfssl", "URL": url, "Options": {k: str(v) for k, v in given.items()}}
    if cacert:
        found["CACert"] = _pem(cacert, "external CA certificate")
    return found


class SwarmSettings(TypedDict, total=False):
    """What ``swarm init`` and ``swarm update`` set for the whole swarm (None: left as it is)."""

    autolock: bool | None  # managers need the unlock key after a restart
    task_history_limit: int | None  # ended tasks kept per slot
    dispatcher_heartbeat: str | float | None  # how often nodes check in ("5s", or seconds)
    max_snapshots: int | None  # Raft snapshots kept besides the latest
    snapshot_interval: int | None  # Raft log entries between snapshots
    cert_expiry: str | float | None  # how long node certificates last ("2160h")
    external_cas: (
        Iterable[str | Mapping[str, Any]] | None
    )  # signing endpoints (protocol=cfssl,url=URL)


def merge_settings(
    spec: dict[str, Any], trust_root: str = "", **settings: Unpack[SwarmSettings]
) -> dict[str, Any]:
    """``spec`` (a SwarmSpec) with the settings that were given; those given as None keep what the
    swarm has, as the CLI changes only the flags written. An external CA without its own
    certificate is trusted through ``trust_root`` (the swarm's current root, on update)."""
    if unknown := sorted(set(settings) - set(SwarmSettings.__annotations__)):
        raise OptionError(
            f"unknown swarm setting {unknown[0]!r} (known: {', '.join(SwarmSettings.__annotations__)})"
        )
    if (limit := settings.get("task_history_limit")) is not None:
        spec.setdefault("Orchestration", {})["TaskHistoryRetentionLimit"] = int(limit)
    if (heartbeat := settings.get("dispatcher_heartbeat")) is not None:
        spec.setdefault("Dispatcher", {})["HeartbeatPeriod"] = nanoseconds(heartbeat)
    if (kept := _count(settings.get("max_snapshots"), "--max-snapshots")) is not None:
        spec.setdefault("Raft", {})["KeepOldSnapshots"] = kept
    if (interval := _count(settings.get("snapshot_interval"), "--snapshot-interval")) is not None:
        spec.setdefault("Raft", {})["SnapshotInterval"] = interval
    if (autolock := settings.get("autolock")) is not None:
        spec.setdefault("EncryptionConfig", {})["AutoLockManagers"] = bool(autolock)
    if (expiry := settings.get("cert_expiry")) is not None:
        spec.setdefault("CAConfig", {})["NodeCertExpiry"] = nanoseconds(expiry)
    if (given := settings.get("external_cas")) is not None:
        cas = [external_ca(each) for each in ([given] if isinstance(given, str) else given)]
        for ca in cas:
            ca.setdefault("CACert", trust_root)
        spec.setdefault("CAConfig", {})["ExternalCAs"] = cas
    return spec


def swarm_update(*, engine: Engine | None = None, **settings: Unpack[SwarmSettings]) -> str:
    """``docker swarm update``: change the given settings (see SwarmSettings), keep the others. The
    unlock key when this turned autolock on (keep it: a restarted manager needs it), else ""."""
    engine = engine_for(engine)
    swarm = engine.swarm_inspect()
    was_locking = bool((swarm["Spec"].get("EncryptionConfig") or {}).get("AutoLockManagers"))
    root = str((swarm.get("TLSInfo") or {}).get("TrustRoot", ""))
    engine.swarm_update(swarm["Version"]["Index"], merge_settings(swarm["Spec"], root, **settings))
    return engine.swarm_unlockkey() if settings.get("autolock") and not was_locking else ""


def swarm_unlock_key(*, rotate: bool = False, engine: Engine | None = None) -> str:
    """The key a manager of this swarm needs after a restart (``docker swarm unlock-key``); a new
    one with ``rotate`` (the old one then stops working)."""
    engine = engine_for(engine)
    if rotate:
        swarm = engine.swarm_inspect()
        if not (swarm["Spec"].get("EncryptionConfig") or {}).get("AutoLockManagers"):
            raise OperationFailed(
                "cannot rotate the unlock key: autolock is off (%docker swarm update --autolock)"
            )
        engine.swarm_update(
            swarm["Version"]["Index"], swarm["Spec"], rotate_manager_unlock_key=True
        )
    key = engine.swarm_unlockkey()
    if not key:
        raise OperationFailed(
            "no unlock key is set: autolock is off (%docker swarm update --autolock turns it on)"
        )
    return key


def swarm_unlock(key: str | Callable[[], str], *, engine: Engine | None = None) -> None:
    """``docker swarm unlock``: give a manager that restarted locked its unlock key. A callable
    (a prompt) is asked only once the node is found locked, as the CLI asks."""
    engine = engine_for(engine)
    state = str((engine.system_info().get("Swarm") or {}).get("LocalNodeState", ""))
    if state in ("", "inactive"):
        raise OperationFailed("this node is not part of a swarm")
    if state != "locked":
        raise OperationFailed("the swarm is not locked on this node")
    given = (key() if callable(key) else key).strip()
    if not given:
        raise OptionError("no unlock key given")
    engine.swarm_unlock(given)


def unlock_instructions(key: str) -> str:
    """What the CLI says with an unlock key."""
    return (
        "To unlock a swarm manager after it restarts, run the `docker swarm unlock`\n"
        f"command and provide the following key:\n\n    {key}\n\n"
        "Remember to store this key in a password manager, since without it you\n"
        "will not be able to restart the manager.\n"
    )


# -- the root CA ----------------------------------------------------------------------------------


def _trust_root(swarm: dict[str, Any]) -> str:
    root = str((swarm.get("TLSInfo") or {}).get("TrustRoot", ""))
    if not root:
        raise OperationFailed("the swarm shows no CA certificate")
    return root


def swarm_ca(
    *,
    rotate: bool = False,
    ca_cert: str | Path | None = None,
    ca_key: str | Path | None = None,
    cert_expiry: str | float | None = None,
    external_cas: Iterable[str | Mapping[str, Any]] | None = None,
    detach: bool = False,
    quiet: bool = False,
    timeout: float | None = None,
    engine: Engine | None = None,
) -> str:
    """The swarm's root CA certificate (PEM), ``docker swarm ca``. With ``rotate``, a new root
    (``ca_cert`` and ``ca_key`` given, or one the swarm makes) that every node's certificate moves to;
    waited for unless ``detach``, with the nodes' progress shown unless ``quiet``."""
    engine = engine_for(engine)
    swarm = engine.swarm_inspect()
    if not rotate:
        given = {
            "--ca-cert": ca_cert,
            "--ca-key": ca_key,
            "--cert-expiry": cert_expiry,
            "--external-ca": external_cas,
        }
        if named := [flag for flag, value in given.items() if value is not None]:
            raise OptionError(f"{named[0]} changes the CA: it needs --rotate")
        return _trust_root(swarm)
    if external_cas and ca_cert is None:
        raise OptionError(
            "rotating to an external CA needs --ca-cert, the external CA's certificate"
        )
    if ca_cert is not None and not external_cas and ca_key is None:
        raise OptionError("--ca-cert needs --ca-key, or --external-ca, beside it")
    cert = _pem(ca_cert, "CA certificate") if ca_cert is not None else ""
    key = _pem(ca_key, "CA key") if ca_key is not None else ""
    spec = merge_settings(
        swarm["Spec"], cert_expiry=cert_expiry, external_cas=external_cas, trust_root=cert
    )
    ca = spec.setdefault("CAConfig", {})
    ca["SigningCACert"], ca["SigningCAKey"] = cert, key
    if not cert and not key:
        ca["ForceRotate"] = int(ca.get("ForceRotate") or 0) + 1  # the swarm makes the new root
    engine.swarm_update(swarm["Version"]["Index"], spec)
    if not detach:
        _rotated(engine, quiet, ROTATION_LIMIT if timeout is None else timeout)
    return _trust_root(engine.swarm_inspect())


def _rotated(engine: Engine, quiet: bool, limit: float) -> None:
    """Wait until every node has a certificate from the new root and trusts only it, as the CLI's
    two bars show it: first the certificates, then the trust roots."""
    deadline = time.monotonic() + limit
    interrupted = "no longer waiting; the CA rotation goes on in the background"
    with (
        CountBar(
            "rotated TLS certificates", "nodes", show=not quiet, interrupted=interrupted
        ) as certs,
        CountBar("rotated CA certificates", "nodes", show=not quiet) as roots,
    ):
        while True:
            info = (
                engine.swarm_inspect()
            )  # its ClusterInfo is inline: TLSInfo, RootRotationInProgress
            want = info.get("TLSInfo") or {}
            nodes = [(n.get("Description") or {}).get("TLSInfo") or {} for n in engine.node_list()]
            issued = sum(
                tls.get("CertIssuerPublicKey") == want.get("CertIssuerPublicKey")
                and tls.get("CertIssuerSubject") == want.get("CertIssuerSubject")
                for tls in nodes
            )
            trusting = sum(tls.get("TrustRoot") == want.get("TrustRoot") for tls in nodes)
            settled = issued == len(nodes) and not info.get("RootRotationInProgress")
            digest = (
                "sha256:" + hashlib.sha256(str(want.get("TrustRoot", "")).encode()).hexdigest()[:12]
            )
            certs.update(issued, len(nodes), f"root {digest}")
            roots.update(trusting if settled else 0, len(nodes))
            if settled and trusting == len(nodes):
                return
            if time.monotonic() > deadline:
                raise OperationFailed(
                    f"the CA rotation did not finish within {limit:.0f} s ({issued}/{len(nodes)} nodes have new"
                    " certificates); it goes on in the background (%docker swarm ca shows the root)"
                )
            time.sleep(0.2)
