"""A real sshd on 127.0.0.1 for the ssh:// tests: a free high port, throwaway host and client keys,
a client config that trusts exactly that host key. The "remote" is this machine, whose docker CLI
(``docker system dial-stdio``) forwards to the local engine. Stopped after; nothing of the user's
ssh set-up is read or changed."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

from .support import free_port, wait_port


def missing() -> str | None:
    for tool in ("/usr/sbin/sshd", "ssh", "ssh-keygen", "docker"):
        if shutil.which(tool) is None:
            return f"the ssh tests need {tool} (openssh-server, openssh-client, the docker CLI)"
    return None


class SSHD:
    def __init__(self, folder: Path, env: dict[str, str] | None = None) -> None:
        self.folder, self.env = folder, env or {}
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> SSHD:
        f = self.folder
        f.mkdir(parents=True, exist_ok=True)
        for name in ("host_key", "client_key"):
            subprocess.run(
                ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(f / name)], check=True
            )
        (f / "authorized_keys").write_text((f / "client_key.pub").read_text())
        (f / "sshd_config").write_text(
            f"Port {self.port}\nListenAddress 127.0.0.1\nHostKey {f / 'host_key'}\nPidFile {f / 'sshd.pid'}\n"
            f"AuthorizedKeysFile {f / 'authorized_keys'}\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n"
            "PermitRootLogin prohibit-password\nUsePAM no\nStrictModes no\nMaxSessions 64\nMaxStartups 64\n"
            + "SetEnv "
            + " ".join(
                f"{k}={v}" for k, v in {"PATH": "/usr/local/bin:/usr/bin:/bin", **self.env}.items()
            )
            + "\n"
        )
        host_key = (f / "host_key.pub").read_text().split()
        (f / "known_hosts").write_text(f"[127.0.0.1]:{self.port} {host_key[0]} {host_key[1]}\n")
        (f / "ssh_config").write_text(
            f"Host *\n  IdentityFile {f / 'client_key'}\n  IdentitiesOnly yes\n"
            f"  UserKnownHostsFile {f / 'known_hosts'}\n  StrictHostKeyChecking yes\n  GlobalKnownHostsFile /dev/null\n"
        )
        Path("/run/sshd").mkdir(exist_ok=True)  # sshd's privilege separation folder
        self.process = subprocess.Popen(
            ["/usr/sbin/sshd", "-D", "-e", "-f", str(f / "sshd_config")],
            stdout=subprocess.DEVNULL,
            stderr=open(f / "sshd.log", "wb"),  # noqa: SIM115 - the daemon's
        )
        wait_port(self.port)
        return self

    @property
    def url(self) -> str:
        return f"ssh://root@127.0.0.1:{self.port}"

    @property
    def options(self) -> str:
        """DOCKMAGIC_SSH_OPTS for a client that uses this server's keys only."""
        return f"-F {self.folder / 'ssh_config'}"

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
            self.process = None
        time.sleep(0)
