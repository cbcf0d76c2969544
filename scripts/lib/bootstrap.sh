# Shared set-up steps for scripts/run and scripts/test: install what is missing, by package name.
# Sourced, not run. Every step is idempotent and quiet when there is nothing to do.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TOOLS="$ROOT/.venv-tools"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

apt_install() {
  # apt_install PACKAGE... : install the Debian packages that are not installed yet.
  local missing=()
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing Debian packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

ensure_uv() {
  if command -v uv >/dev/null 2>&1; then UV=$(command -v uv); return 0; fi
  if [ -x "$TOOLS/bin/uv" ]; then UV="$TOOLS/bin/uv"; return 0; fi
  command -v python3 >/dev/null 2>&1 || apt_install python3
  python3 -m venv --help >/dev/null 2>&1 || apt_install python3-venv
  say "installing uv into $TOOLS"
  # With a pip beside python3, a venv without its own pip (seeding one costs ~4 s) takes uv
  # from it; otherwise the venv's own pip does.
  if ! { python3 -m venv --without-pip "$TOOLS" 2>/dev/null \
    && python3 -m pip --python "$TOOLS/bin/python" install -q uv 2>/dev/null; }; then
    rm -rf "$TOOLS"
    python3 -m venv "$TOOLS" || { apt_install python3-venv; python3 -m venv "$TOOLS"; }
    "$TOOLS/bin/pip" install -q uv
  fi
  UV="$TOOLS/bin/uv"
}

ensure_python_env() {
  ensure_uv
  say "installing Python dependencies (uv sync --frozen)"
  (cd "$ROOT" && "$UV" sync --frozen --quiet)
}

ensure_node() {
  command -v npm >/dev/null 2>&1 || apt_install nodejs npm
}

build_web() {
  ensure_node
  if [ ! -d "$ROOT/web/node_modules" ] || [ "$ROOT/web/package-lock.json" -nt "$ROOT/web/node_modules" ]; then
    say "installing web app packages (npm ci)"
    (cd "$ROOT/web" && npm ci --no-audit --no-fund --loglevel=error)
    touch "$ROOT/web/node_modules"
  fi
  say "building the web app"
  (cd "$ROOT/web" && npm run --silent build >/dev/null)
}
