# Sourced by ./dev: installs what the demo and the tests need on a fresh Debian machine.
# System packages: the Docker engine, a static busybox (test images), a registry, htpasswd.

APT_PACKAGES=(docker.io busybox-static docker-registry apache2-utils)
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
    python3 -m venv "$VENV"
  fi
  # Reinstall only when pyproject.toml changed since the last install.
  local stamp="$VENV/.dockmagic-installed"
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    "$VENV/bin/pip" install -q --disable-pip-version-check -e '.[test]' && touch "$stamp"
  fi
  export PATH="$VENV/bin:$PATH"
}
