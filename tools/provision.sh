# Sourced by ./dev: installs what the demo and the tests need on a fresh Debian machine.
# System packages: the Docker engine, a static busybox (test images), a registry, htpasswd, sshd,
# and a headless browser for the JupyterLab tests.

APT_PACKAGES=(docker.io busybox-static docker-registry apache2-utils openssh-server openssh-client
  chromium chromium-driver  # JupyterLab in a real browser (tests/test_jupyterlab.py)
  podman)  # the Podman lane (tools/podman.py)
VENV="${DOCKMAGIC_VENV:-$PWD/.venv}"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }

provision_system() {
  local missing=()
  for pkg in "${APT_PACKAGES[@]}"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "dev: installing ${missing[*]} with apt-get"
  as_root apt-get update -qq && DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null \
    || echo "dev: could not install ${missing[*]} (no root?); engine tests will say why they cannot run" >&2
}

provision_python() {
  if [ ! -x "$VENV/bin/python" ]; then
    echo "dev: creating $VENV and installing dockmagic[test]"
    python3 -m venv "$VENV"
  fi
  # Reinstall only when pyproject.toml changed since the last install.
  local stamp="$VENV/.dockmagic-installed"
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    local log="$VENV/pip.log"
    if "$VENV/bin/pip" install --disable-pip-version-check -e '.[test]' >"$log" 2>&1; then
      touch "$stamp"
    else
      tail -n 30 "$log" >&2; echo "dev: pip install failed (full log: $log)" >&2; return 1
    fi
  fi
  export PATH="$VENV/bin:$PATH"
}

# Real Ansible (with community.docker) and docker-py, in a venv of their own: the tests use them as
# the judge of the modules. Kept between runs; reinstalled only when the pinned list changes.
ANSIBLE_VENV="${DOCKMAGIC_ANSIBLE_VENV:-$PWD/.venv-ansible}"
ANSIBLE_PACKAGES="ansible>=11 docker>=7 requests"

provision_ansible() {
  local stamp="$ANSIBLE_VENV/.installed"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$ANSIBLE_PACKAGES" ]; then
    echo "dev: installing $ANSIBLE_PACKAGES into $ANSIBLE_VENV (the tests' judge for the modules)"
    python3 -m venv "$ANSIBLE_VENV" && "$ANSIBLE_VENV/bin/pip" install --disable-pip-version-check -q $ANSIBLE_PACKAGES \
      >"$ANSIBLE_VENV/pip.log" 2>&1 && echo "$ANSIBLE_PACKAGES" >"$stamp" \
      || { tail -n 20 "$ANSIBLE_VENV/pip.log" >&2; echo "dev: could not install Ansible; its tests will say why" >&2; }
  fi
  export DOCKMAGIC_ANSIBLE_VENV="$ANSIBLE_VENV"
}
