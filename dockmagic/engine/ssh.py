"""``ssh://[user@]host[:port]``: the engine of another machine, reached as the docker CLI reaches it,
through ``ssh HOST -- docker system dial-stdio`` (the user's ssh config, keys and agent apply).

Each connection is one ssh session whose stdin and stdout are one end of a socket pair, so the HTTP
layer, hijacked streams and half-close work as on a unix socket. Sessions ride on one ssh
connection per host (ControlMaster, kept 60 s after the last), and the HTTP pool keeps sessions
between requests: one ssh process per pooled connection, never one per request. A new session is
checked with a ping, so what ssh or the remote says (unknown host, host key, auth, no docker, no
daemon) becomes one line.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import shlex
import socket
import subprocess
import tempfile
import threading
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import EngineUnavailable

OPTIONS_ENV = "DOCKMAGIC_SSH_OPTS"  # more ssh options, e.g. "-F ~/lab/ssh_config" (shell words)


class SSHSocket(socket.socket):
    """Our end of the socket pair; closing it ends the ssh session (and reaps its process)."""

    process: subprocess.Popen[bytes] | None = None

    def close(self) -> None:
        super().close()
        process, self.process = self.process, None
        if process is not None:
            threading.Thread(target=_reap, args=(process,), daemon=True).start()


def _reap(process: subprocess.Popen[bytes]) -> None:
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


_masters: set[str] = set()  # control paths of the ssh connections this process started


def close_masters() -> None:
    """End the shared ssh connections this process opened (run at exit: none outlives the kernel
    by more than this; within it, they are kept 60 s after their last session)."""
    for path in list(_masters):
        subprocess.run(
            ["ssh", "-o", f"ControlPath={path}", "-O", "exit", "dockmagic"],
            capture_output=True,
            timeout=10,
        )
        _masters.discard(path)


def ssh_argv(url: str) -> list[str]:
    parts = urlsplit(url)
    if not parts.hostname:
        raise EngineUnavailable(url, "an ssh:// address names no host (write ssh://user@host)")
    control = Path(tempfile.gettempdir()) / f"dockmagic-ssh-{os.getuid()}"
    control.mkdir(mode=0o700, exist_ok=True)
    key = hashlib.sha256(url.encode()).hexdigest()[
        :16
    ]  # short: a control socket's path has a limit
    if not _masters:
        atexit.register(close_masters)
    _masters.add(str(control / key))
    # the user's own options first: for ssh the first value of an option is the one that holds
    argv = ["ssh", *shlex.split(os.environ.get(OPTIONS_ENV, "")), "-T", "-o", "BatchMode=yes"]
    argv += [
        "-o",
        "ControlMaster=auto",
        "-o",
        f"ControlPath={control}/{key}",
        "-o",
        "ControlPersist=60",
    ]
    argv += ["-o", "ConnectTimeout=10"]
    if parts.port:
        argv += ["-p", str(parts.port)]
    if parts.username:
        argv += ["-l", parts.username]
    return [*argv, "--", parts.hostname, "docker", "system", "dial-stdio"]


def open_ssh_socket(url: str, timeout: float) -> SSHSocket:
    """A new session to the remote engine, checked with a ping; one-line errors otherwise."""
    ours, theirs = socket.socketpair()
    try:
        process = subprocess.Popen(
            ssh_argv(url),
            stdin=theirs.fileno(),
            stdout=theirs.fileno(),
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
    except FileNotFoundError:
        ours.close()
        raise EngineUnavailable(
            url, "no ssh client on this machine (install openssh-client)"
        ) from None
    finally:
        theirs.close()
    sock = SSHSocket(fileno=ours.detach())
    sock.process = process
    try:
        sock.settimeout(timeout + 10)  # ssh's own ConnectTimeout first, then the handshake
        try:
            sock.sendall(b"HEAD /_ping HTTP/1.1\r\nHost: docker\r\n\r\n")
            head = b""
            while b"\r\n\r\n" not in head:
                data = sock.recv(4096)
                if not data:
                    raise ConnectionResetError("the session ended")
                head += data
        except TimeoutError:
            raise EngineUnavailable(url, "no answer through ssh in time") from None
        except OSError:  # ssh (or the remote docker) gave up: what it said is the error
            raise EngineUnavailable(url, _why(process)) from None
        sock.settimeout(None)
        return sock
    except BaseException:
        sock.close()
        raise


def _why(process: subprocess.Popen[bytes]) -> str:
    """What ssh (or the remote docker) said before the session ended, as one line."""
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
    said = process.stderr.read().decode(errors="replace") if process.stderr else ""
    lines = [ln.strip() for ln in said.splitlines() if ln.strip() and not ln.startswith("@")]
    text = " ".join(lines)
    for needle, meaning in (
        ("Could not resolve hostname", "unknown host"),
        (
            "Host key verification failed",
            "the host key does not match known_hosts (or is not in it)",
        ),
        (
            "REMOTE HOST IDENTIFICATION HAS CHANGED",
            "the host key changed since known_hosts was written",
        ),
        ("Permission denied", "ssh authentication refused"),
        ("Connection refused", "nothing listens for ssh there"),
        ("docker: not found", "no docker CLI on the remote machine (dial-stdio needs it)"),
        ("docker: command not found", "no docker CLI on the remote machine (dial-stdio needs it)"),
        ("Cannot connect to the Docker daemon", "the remote Docker daemon is not running"),
        (
            "failed to open the raw stream connection",
            "the remote Docker daemon is not running (or not reachable)",
        ),
    ):
        if needle in said:
            return f"{meaning} (ssh: {lines[-1] if lines else needle})"
    return f"the ssh session ended: {text[-300:] or 'no word from ssh'}"
