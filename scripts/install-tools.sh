#!/usr/bin/env bash
# Installs the test tools, pinned, into a world-readable tools directory (default
# /var/cache/poetry-run-tools, outside the clone so CI reuses it; override with
# POETRY_RUN_TOOLS_DIR). Idempotent: a second run checks versions and does nothing.
#
#   bash scripts/install-tools.sh        integration tools: lifecycle + launcher, Poetry,
#                                        watchexec, pyflakes, a deno cache the unprivileged user
#                                        can read
#   bash scripts/install-tools.sh e2e    also: docker.io, debootstrap, docker-registry (a
#                                        local OCI registry), qemu-user-static with an arm64
#                                        glibc root, pack, a lifecycle archive for `pack builder
#                                        create` and a lifecycle image's root file system, and
#                                        the root file systems of the Debian bookworm build and
#                                        run images
#
# The lifecycle refuses to run as root, so everything here must be usable by an unprivileged user.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
mode=${1:-integration}
case "$mode" in integration|e2e) ;; *) echo "usage: $0 [e2e]" >&2; exit 2;; esac

# shellcheck source=../versions.env
. "$repo/versions.env"
LIFECYCLE_VERSION=$LIFECYCLE
PACK_VERSION=$PACK
POETRY_VERSION=$POETRY
CPYTHON_VERSION=$CPYTHON
WATCHEXEC_VERSION=$WATCHEXEC
PYFLAKES_VERSION=$PYFLAKES

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

go_build() { # module dir, output, package, ldflags
  (cd "$1" && GOFLAGS=-mod=mod GOTOOLCHAIN=local CGO_ENABLED=0 go build -trimpath -ldflags "$4" -o "$2" "$3")
}

install_lifecycle() {
  # `go install …@v$LIFECYCLE` is refused by the Go proxy here; tools/lifecycle builds the same
  # module versions with a stand-in for kaniko (see tools/lifecycle/README.md). Static, so the
  # same binaries run on the host and in the Debian images.
  local ld="-s -w -X github.com/buildpacks/lifecycle/cmd.Version=$LIFECYCLE_VERSION"
  mkdir -p "$tools/bin"
  go_build "$repo/tools/lifecycle" "$tools/bin/lifecycle" github.com/buildpacks/lifecycle/cmd/lifecycle "$ld"
  go_build "$repo/tools/lifecycle" "$tools/bin/launcher" github.com/buildpacks/lifecycle/cmd/launcher "$ld"
}

install_python() {
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv >/dev/null
}

install_cpython() {
  # The host's stand-in for Paketo's cpython: the machine's own CPython build (pyenv), not
  # Debian's python3, whose venvs have an extra dist-packages directory that the real
  # poetry-install rejects. Interpreter and standard library only, world-readable; its
  # libpython is found through the cpython layer's lib/ on LD_LIBRARY_PATH, as Paketo's is.
  local src=${POETRY_RUN_CPYTHON_SRC:-$HOME/.pyenv/versions/$CPYTHON_VERSION}
  [ -x "$src/bin/python3" ] || { echo "  no CPython $CPYTHON_VERSION at $src: set POETRY_RUN_CPYTHON_SRC to a CPython installation" >&2; return 1; }
  rm -rf "$tools/cpython"
  mkdir -p "$tools/cpython/bin" "$tools/cpython/lib"
  cp -a "$src/bin/python3.11" "$tools/cpython/bin/"
  ln -s python3.11 "$tools/cpython/bin/python3"
  ln -s python3.11 "$tools/cpython/bin/python"
  cp -a "$src"/lib/libpython3.11.so* "$tools/cpython/lib/"
  tar -C "$src/lib" --exclude=./python3.11/site-packages --exclude=__pycache__ -cf - ./python3.11 | tar -C "$tools/cpython/lib" -xf -
  mkdir -p "$tools/cpython/lib/python3.11/site-packages"
  # Relocate: the build configuration names the original prefix (virtualenv reads LIBDIR from it).
  grep -rlI --null -F "$src" "$tools/cpython/lib/python3.11" | xargs -0 -r sed -i "s#$src#$tools/cpython#g"
  echo "$CPYTHON_VERSION" > "$tools/cpython/.version"
}

install_poetry() {
  rm -rf "$tools/poetry"
  /usr/bin/python3 -m venv "$tools/poetry"
  "$tools/poetry/bin/pip" install -q "poetry==${POETRY_VERSION}"
}

install_pyflakes() {
  rm -rf "$tools/pyflakes"
  /usr/bin/python3 -m venv "$tools/pyflakes"
  "$tools/pyflakes/bin/pip" install -q "pyflakes==${PYFLAKES_VERSION}"
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

install_docker() {
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io debootstrap >/dev/null
}

install_registry() {
  # distribution 2.8 (the reference OCI registry); the suite runs its own on a loopback port.
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-registry >/dev/null
}

install_qemu() {
  # arm64 programs run as `qemu-aarch64-static -L <root> <program>` (there is no binfmt_misc
  # here, so an arm64 file cannot be exec'd). <root> holds Debian's arm64 glibc and libgcc,
  # unpacked from their packages; the arm64 architecture is removed from dpkg afterwards.
  local dir deb
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq qemu-user-static >/dev/null
  dir=$(mktemp -d)
  chmod 0755 "$dir"
  dpkg --add-architecture arm64
  if ! (apt-get update -qq && cd "$dir" && apt-get download -qq libc6:arm64 libgcc-s1:arm64 2>/dev/null); then
    dpkg --remove-architecture arm64; rm -rf "$dir"; return 1
  fi
  dpkg --remove-architecture arm64
  apt-get update -qq
  rm -rf "$tools/arm64-root"
  mkdir -p "$tools/arm64-root"
  for deb in "$dir"/*.deb; do dpkg -x "$deb" "$tools/arm64-root"; done
  rm -rf "$dir"
}

install_lifecycle_image_rootfs() {
  # The root file system of the lifecycle image pack's untrusted flow runs (--lifecycle-image):
  # the same lifecycle binaries under /cnb/lifecycle, a world-writable /tmp, and a passwd and
  # group naming root (pack starts some phases as the user "root").
  local dir
  dir=$(mktemp -d)
  mkdir -p "$dir/cnb/lifecycle" "$dir/tmp" "$dir/etc" "$tools/e2e"
  chmod 1777 "$dir/tmp"
  echo 'root:x:0:0:root:/root:/sbin/nologin' > "$dir/etc/passwd"
  echo 'root:x:0:' > "$dir/etc/group"
  tar -C "$dir/cnb" -xzf "$tools/e2e/lifecycle.tgz" lifecycle
  tar -C "$dir" --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -cf "$tools/e2e/lifecycle-image.tar" cnb etc tmp
  tar -xzOf "$tools/e2e/lifecycle.tgz" lifecycle.toml > "$tools/e2e/lifecycle.toml"
  rm -rf "$dir"
}

install_pack() {
  go_build "$repo/tools/pack" "$tools/bin/pack" github.com/buildpacks/pack \
    "-s -w -X github.com/buildpacks/pack/pkg/client.Version=$PACK_VERSION"
}

toml_list() { # words -> "a", "b"
  local out="" w
  for w in "$@"; do out="${out:+$out, }\"$w\""; done
  printf '%s' "$out"
}

install_lifecycle_archive() {
  # What `pack builder create` takes as [lifecycle] uri: lifecycle.toml and lifecycle/ with the
  # binaries and the phase symlinks (the layout of the lifecycle's release archives).
  local dir
  dir=$(mktemp -d)
  mkdir -p "$dir/lifecycle" "$tools/e2e"
  cp "$tools/bin/lifecycle" "$tools/bin/launcher" "$dir/lifecycle/"
  for phase in detector analyzer restorer builder exporter rebaser creator extender; do
    ln -s lifecycle "$dir/lifecycle/$phase"
  done
  cat > "$dir/lifecycle.toml" <<EOF
[apis]
[apis.buildpack]
  deprecated = []
  supported = [$(toml_list $BUILDPACK_APIS)]
[apis.platform]
  deprecated = []
  supported = [$(toml_list $PLATFORM_APIS)]

[api]
  platform = "0.7"
  buildpack = "0.7"

[lifecycle]
  version = "$LIFECYCLE_VERSION"
EOF
  tar -C "$dir" --sort=name --owner=0 --group=0 --mtime=@0 -czf "$tools/e2e/lifecycle.tgz" lifecycle.toml lifecycle
  rm -rf "$dir"
}

install_rootfs() {
  # Debian bookworm with Python 3 (the images' own, as a stack would provide it) and a `cnb`
  # user (1000:1000). run.tar is the run image; build.tar adds Poetry's wheels (for the poetry
  # stand-in, so builds need no network) and watchexec.
  local dir
  dir=$(mktemp -d)
  debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
    "$DEBIAN_SUITE" "$dir/rootfs" http://deb.debian.org/debian >/dev/null
  chroot "$dir/rootfs" /usr/sbin/groupadd -g 1000 cnb
  chroot "$dir/rootfs" /usr/sbin/useradd -u 1000 -g 1000 -m -s /bin/bash cnb
  rm -rf "$dir/rootfs/var/cache/apt/archives/"*.deb "$dir/rootfs/var/lib/apt/lists/"*
  mkdir -p "$tools/e2e"
  tar -C "$dir/rootfs" --numeric-owner -cf "$tools/e2e/run.tar" .
  mkdir -p "$dir/rootfs/opt/poetry-wheels" "$dir/rootfs/opt/watchexec/bin"
  /usr/bin/python3 -m pip download -q --only-binary=:all: --python-version 3.11 --implementation cp \
    --platform manylinux2014_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux_2_28_x86_64 \
    -d "$dir/rootfs/opt/poetry-wheels" "poetry==$POETRY_VERSION" 2>/dev/null \
    || "$tools/poetry/bin/pip" download -q --only-binary=:all: -d "$dir/rootfs/opt/poetry-wheels" "poetry==$POETRY_VERSION"
  cp "$tools/watchexec/bin/watchexec" "$dir/rootfs/opt/watchexec/bin/"
  tar -C "$dir/rootfs" --numeric-owner -cf "$tools/e2e/build.tar" .
  echo "$DEBIAN_SUITE poetry-$POETRY_VERSION watchexec-$WATCHEXEC_VERSION" > "$tools/e2e/rootfs.version"
  rm -rf "$dir"
}

echo "Installing $mode tools into $tools"
total=$(date +%s)
step "lifecycle $LIFECYCLE_VERSION" "[ \"\$('$tools/bin/lifecycle' -version)\" = $LIFECYCLE_VERSION ] && [ -x '$tools/bin/launcher' ]" install_lifecycle
step "python3 (Debian, usable by any user)" "/usr/bin/python3 -m venv --help" install_python
step "CPython $CPYTHON_VERSION (the machine's pyenv build)" "[ \"\$(cat '$tools/cpython/.version')\" = $CPYTHON_VERSION ] && LD_LIBRARY_PATH='$tools/cpython/lib' '$tools/cpython/bin/python3' -c 'import ssl, sqlite3'" install_cpython
step "poetry $POETRY_VERSION" "readlink -f '$tools/poetry/bin/python3' | grep -q '^/usr/' && '$tools/poetry/bin/poetry' --version | grep -q 'version $POETRY_VERSION)'" install_poetry
step "watchexec $WATCHEXEC_VERSION" "'$tools/watchexec/bin/watchexec' --version | grep -q ' $WATCHEXEC_VERSION'" install_watchexec
step "pyflakes $PYFLAKES_VERSION" "'$tools/pyflakes/bin/python' -m pyflakes --version | grep -q '^$PYFLAKES_VERSION '" install_pyflakes
step "deno cache for the buildpack" "[ -d '$tools/deno_dir/npm' ] && [ \"\$(cat '$tools/deno_dir/.lock-sha')\" = \"\$(sha256sum < '$repo/deno.lock')\" ]" install_deno_cache
if [ "$mode" = e2e ]; then
  step "docker.io and debootstrap (Debian)" "command -v dockerd && command -v docker && command -v debootstrap" install_docker
  step "docker-registry (Debian)" "command -v docker-registry" install_registry
  step "qemu-user-static and an arm64 glibc root" "command -v qemu-aarch64-static && [ -e '$tools/arm64-root/lib/ld-linux-aarch64.so.1' ] && [ -e '$tools/arm64-root/lib/aarch64-linux-gnu/libgcc_s.so.1' ]" install_qemu
  step "pack $PACK_VERSION" "'$tools/bin/pack' version | grep -qx '$PACK_VERSION'" install_pack
  step "lifecycle archive for pack" "tar -xzOf '$tools/e2e/lifecycle.tgz' lifecycle.toml | grep -q 'version = \"$LIFECYCLE_VERSION\"'" install_lifecycle_archive
  step "lifecycle image root file system" "[ \"\$(tar -xOf '$tools/e2e/lifecycle-image.tar' cnb/lifecycle/lifecycle | sha256sum)\" = \"\$(sha256sum < '$tools/bin/lifecycle')\" ] && tar -xOf '$tools/e2e/lifecycle-image.tar' etc/passwd | grep -q '^root:' && [ -s '$tools/e2e/lifecycle.toml' ]" install_lifecycle_image_rootfs
  step "Debian $DEBIAN_SUITE root file systems" "[ \"\$(cat '$tools/e2e/rootfs.version')\" = '$DEBIAN_SUITE poetry-$POETRY_VERSION watchexec-$WATCHEXEC_VERSION' ] && [ -s '$tools/e2e/run.tar' ] && [ -s '$tools/e2e/build.tar' ]" install_rootfs
fi
chmod -R a+rX "$tools" 2>/dev/null || true
echo "Tools ready in $(($(date +%s) - total)) s: $tools"
