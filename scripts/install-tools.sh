#!/usr/bin/env bash
# Installs the integration-test tools, pinned, into a world-readable tools directory
# (default /var/cache/poetry-run-tools, outside the clone so CI reuses it; override with
# POETRY_RUN_TOOLS_DIR). Idempotent: a second run checks versions and does nothing.
# The lifecycle refuses to run as root, so everything here must be usable by an unprivileged user.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)

LIFECYCLE_VERSION=v0.21.17
POETRY_VERSION=2.5.1
WATCHEXEC_VERSION=2.3.2

tools=${POETRY_RUN_TOOLS_DIR:-/var/cache/poetry-run-tools}
if ! mkdir -p "$tools" 2>/dev/null || [ ! -w "$tools" ]; then tools="$repo/.tools"; mkdir -p "$tools"; fi
ln -sfn "$tools" "$repo/.tools" 2>/dev/null || true

step() { # name, check command, install function
  local name=$1 check=$2 install=$3 start
  if eval "$check" >/dev/null 2>&1; then echo "  $name: already installed"; return; fi
  echo "  $name: installing"
  start=$(date +%s)
  "$install"
  eval "$check" >/dev/null 2>&1 || { echo "  $name: install did not produce a working tool" >&2; exit 1; }
  echo "  $name: installed in $(($(date +%s) - start)) s"
}

install_lifecycle() {
  # `go install …@v0.21.17` is refused by the Go proxy here; tools/lifecycle builds the same
  # module versions with a stand-in for kaniko (see tools/lifecycle/README.md).
  (cd "$repo/tools/lifecycle" && GOFLAGS=-mod=mod GOTOOLCHAIN=local GOBIN="$tools/bin" \
    go install github.com/buildpacks/lifecycle/cmd/lifecycle github.com/buildpacks/lifecycle/cmd/launcher)
  echo "$LIFECYCLE_VERSION" > "$tools/bin/.version"
}

install_python() {
  apt-get update -qq && apt-get install -y -qq python3 python3-venv >/dev/null
}

install_poetry() {
  rm -rf "$tools/poetry"
  /usr/bin/python3 -m venv "$tools/poetry"
  "$tools/poetry/bin/pip" install -q "poetry==${POETRY_VERSION}"
}

install_watchexec() {
  cargo install -q --locked --root "$tools/watchexec" watchexec-cli --version "$WATCHEXEC_VERSION"
}

install_deno_cache() {
  # The buildpack runs as the unprivileged user, who cannot read root's DENO_DIR.
  rm -rf "$tools/deno_dir"
  (cd "$repo" && DENO_DIR="$tools/deno_dir" deno install --frozen -q && DENO_DIR="$tools/deno_dir" deno cache -q src/main.ts)
  sha256sum < "$repo/deno.lock" > "$tools/deno_dir/.lock-sha"
}

echo "Installing integration tools into $tools"
total=$(date +%s)
step "lifecycle $LIFECYCLE_VERSION" "[ -x '$tools/bin/lifecycle' ] && [ -x '$tools/bin/launcher' ] && [ \"\$(cat '$tools/bin/.version' 2>/dev/null)\" = $LIFECYCLE_VERSION ]" install_lifecycle
step "python3 (Debian, usable by any user)" "/usr/bin/python3 -m venv --help" install_python
step "poetry $POETRY_VERSION" "readlink -f '$tools/poetry/bin/python3' | grep -q '^/usr/' && '$tools/poetry/bin/poetry' --version | grep -q 'version $POETRY_VERSION)'" install_poetry
step "watchexec $WATCHEXEC_VERSION" "'$tools/watchexec/bin/watchexec' --version | grep -q ' $WATCHEXEC_VERSION'" install_watchexec
step "deno cache for the buildpack" "[ -d '$tools/deno_dir/npm' ] && [ \"\$(cat '$tools/deno_dir/.lock-sha')\" = \"\$(sha256sum < '$repo/deno.lock')\" ]" install_deno_cache
chmod -R a+rX "$tools"
echo "Tools ready in $(($(date +%s) - total)) s: $tools"
