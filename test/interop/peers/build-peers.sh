#!/usr/bin/env bash
# Builds the real peers the interop suite runs against, once, into a cache OUTSIDE the repo:
#   - OpenTelemetry Collector, from the official builder (ocb) and otelcol-builder.yaml
#   - Jaeger v2 (`go install .../cmd/jaeger`)
#   - Prometheus 3 (`go install .../cmd/prometheus`): the version docker-compose.yml runs, with
#     OTLP ingest (`--web.enable-otlp-receiver`) and the out-of-order window
#   - Prometheus 2.42, from Debian (`apt-get install prometheus`; CI runs as root): only its
#     `promtool` is still used (rule checks and rule unit tests in deploy-configs.test.ts)
#   - docker-compose, from Debian (no Docker engine here: only `docker-compose config` runs)
# Idempotent: each peer has a stamp file holding the version it was built at; a matching stamp
# skips the build. A failed build exits non-zero with the tool's own error on stderr, so the
# suite fails loudly instead of skipping.
#
# Usage: build-peers.sh [collector|jaeger|prometheus3|prometheus|docker-compose|all]   (default: all)
# Env:   OTELSPOOL_PEERS_CACHE  cache dir (default: $HOME/.cache/otelspool-peers)
set -euo pipefail

COLLECTOR_BUILDER_VERSION="v0.158.0"
# Jaeger tags v2 releases with a v2.x.y tag, but the Go module path has no /v2 suffix, so the Go
# toolchain only sees the parallel v1.x tags. The tagged go.mod also carries a `replace` directive
# (Shopify/sarama), which `go install pkg@version` refuses; a commit pseudo-version of a later
# commit without that directive would work, but none is served by this machine's module proxy,
# so build_jaeger falls back to a wrapper module (see there).
JAEGER_VERSION="${OTELSPOOL_JAEGER_VERSION:-v1.76.0}"
# Prometheus tags v3 releases v3.x.y, but its Go module path has no /v3 suffix, so the Go
# toolchain sees them as v0.3xx.y: v0.316.0 is the source of the v3.x release series this
# machine's module proxy serves (docker-compose.yml pins the prom/prometheus image; see
# deploy/README.md for how the two are kept in step).
PROMETHEUS3_VERSION="${OTELSPOOL_PROMETHEUS3_VERSION:-v0.316.0}"

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${OTELSPOOL_PEERS_CACHE:-$HOME/.cache/otelspool-peers}"
mkdir -p "$CACHE/bin" "$CACHE/logs"
# One build at a time per cache (two test runs, or two engineers, may start this together); the
# second waits, then finds the stamps written and skips.
exec 9>"$CACHE/.lock"
flock 9

log() { printf '[build-peers] %s\n' "$*" >&2; }

# Keep Go's module/build caches in the shared default location so repeated runs are warm, but
# install binaries into the peers cache only.
export GOFLAGS="${GOFLAGS:--buildvcs=false}"
export CGO_ENABLED=0
# Build with the installed Go; never download a toolchain mid-test.
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}"

stamp_ok() { # name version binary
  [[ -x "$3" && -f "$CACHE/$1.stamp" && "$(cat "$CACHE/$1.stamp")" == "$2" ]]
}

timed() { # name logfile cmd...
  local name="$1" logfile="$2"
  shift 2
  local start end
  start=$(date +%s)
  if ! "$@" >>"$logfile" 2>&1; then
    log "FAILED to build $name; last lines of $logfile:"
    tail -n 40 "$logfile" >&2
    return 1
  fi
  end=$(date +%s)
  log "$name built in $((end - start))s"
  echo "$((end - start))" >"$CACHE/$name.build-seconds"
}

build_collector() {
  local manifest_hash version bin="$CACHE/bin/otelcol-otelspool"
  # The stamp covers the builder version and the manifest contents, so editing the manifest
  # (adding a component) rebuilds.
  manifest_hash=$(sha256sum "$HERE/otelcol-builder.yaml" | cut -c1-16)
  version="$COLLECTOR_BUILDER_VERSION+$manifest_hash"
  if stamp_ok collector "$version" "$bin"; then
    log "collector $version cached"
    return 0
  fi
  log "building collector $version (cold build takes minutes)"
  local logfile="$CACHE/logs/collector.log"
  : >"$logfile"
  # `set -e` does not apply inside a function called from an `if`, so every step is chained.
  build_collector_steps() {
    local work="$CACHE/otelcol-build"
    GOBIN="$CACHE/bin" nice -n 10 go install \
      "go.opentelemetry.io/collector/cmd/builder@$COLLECTOR_BUILDER_VERSION" &&
      rm -rf "$work" && mkdir -p "$work" &&
      sed "s|__OUTPUT_PATH__|$work|" "$HERE/otelcol-builder.yaml" >"$work/manifest.yaml" &&
      nice -n 10 "$CACHE/bin/builder" --config="$work/manifest.yaml" &&
      cp "$work/otelcol-otelspool" "$bin"
  }
  timed collector "$logfile" build_collector_steps || return 1
  echo "$version" >"$CACHE/collector.stamp"
}

# Copies the `replace` directives of a go.mod (single-line and block forms) onto the go.mod in
# the current directory, so a wrapper module builds the exact dependency graph upstream builds.
copy_replaces() { # upstream-go.mod
  local line old new
  while IFS= read -r line; do
    old="${line%%=>*}"
    new="${line#*=>}"
    read -r -a o <<<"$old"
    read -r -a n <<<"$new"
    go mod edit -replace="${o[0]}${o[1]:+@${o[1]}}=${n[0]}${n[1]:+@${n[1]}}" || return 1
  done < <(sed -n -e 's/^replace \([^(].*=>.*\)$/\1/p' \
    -e '/^replace ($/,/^)$/{/=>/s/^[[:space:]]*//p}' "$1")
}

build_jaeger() {
  local bin="$CACHE/bin/jaeger"
  if stamp_ok jaeger "$JAEGER_VERSION" "$bin"; then
    log "jaeger $JAEGER_VERSION cached"
    return 0
  fi
  log "building jaeger $JAEGER_VERSION (cold build takes minutes)"
  local logfile="$CACHE/logs/jaeger.log"
  : >"$logfile"
  local pkg="github.com/jaegertracing/jaeger/cmd/jaeger"
  # Preferred: the plain `go install`. Jaeger's tagged go.mod carries a `replace` directive, which
  # `go install pkg@version` refuses ("The go.mod file for the module providing named packages
  # contains one or more replace directives"); and this machine's module proxy serves no commit
  # pseudo-version of a later commit without it. Fallback: a throwaway main module that requires
  # the same tagged version and re-applies upstream's own replace directives, then `go build`s
  # the same package: same sources, same dependency graph as upstream's release build.
  # Upstream's go.sum is copied too: the wrapper then verifies every dependency against the
  # hashes upstream committed (this machine's checksum-database mirror does not answer lookups).
  install_jaeger_wrapped() {
    local work="$CACHE/jaeger-build" module="github.com/jaegertracing/jaeger@$JAEGER_VERSION" src
    rm -rf "$work" && mkdir -p "$work" && cd "$work" || return 1
    go mod init otelspool.local/jaeger-peer || return 1
    src=$(go mod download -json "$module" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' || true)
    if [[ -z "$src" || ! -f "$src/go.mod" || ! -f "$src/go.sum" ]]; then
      go mod download -json "$module" >&2 || true
      echo "[build-peers] cannot download $module" >&2
      return 1
    fi
    copy_replaces "$src/go.mod" || return 1
    cp "$src/go.sum" go.sum && chmod u+w go.sum || return 1
    nice -n 10 go get "$pkg@$JAEGER_VERSION" || return 1
    nice -n 10 go build -trimpath -o "$bin" "$pkg"
  }
  install_jaeger() {
    if GOBIN="$CACHE/bin" nice -n 10 go install "$pkg@$JAEGER_VERSION"; then
      return 0
    fi
    echo "[build-peers] plain go install failed; building through a wrapper module" >&2
    (install_jaeger_wrapped)
  }
  timed jaeger "$logfile" install_jaeger || return 1
  echo "$JAEGER_VERSION" >"$CACHE/jaeger.stamp"
}

build_prometheus3() {
  local bin="$CACHE/bin/prometheus"
  if stamp_ok prometheus3 "$PROMETHEUS3_VERSION" "$bin"; then
    log "prometheus3 $PROMETHEUS3_VERSION cached"
    return 0
  fi
  log "building prometheus3 $PROMETHEUS3_VERSION (cold build takes minutes)"
  local logfile="$CACHE/logs/prometheus3.log"
  : >"$logfile"
  install_prometheus3() {
    local help
    GOBIN="$CACHE/bin" nice -n 10 go install \
      "github.com/prometheus/prometheus/cmd/prometheus@$PROMETHEUS3_VERSION" || return 1
    # The suite relies on OTLP ingest; a build without the flag must fail here, not in a test
    # (kingpin lists it as `--[no-]web.enable-otlp-receiver`). The help is captured first:
    # `grep -q` in a pipe stops reading early, and under pipefail the binary's SIGPIPE fails.
    help=$("$bin" --help 2>&1) || return 1
    if [[ "$help" != *web.enable-otlp-receiver* ]]; then
      echo "[build-peers] $bin has no --web.enable-otlp-receiver" >&2
      return 1
    fi
  }
  timed prometheus3 "$logfile" install_prometheus3 || return 1
  echo "$PROMETHEUS3_VERSION" >"$CACHE/prometheus3.stamp"
}

# Installs a Debian package when its binary is missing. Used for Prometheus 2.42 (bookworm; the
# suite uses only its promtool) and docker-compose (validates docker-compose.yml offline).
install_debian_package() { # package binary
  local pkg="$1" binary="$2"
  if command -v "$binary" >/dev/null 2>&1; then
    log "$pkg present: $(command -v "$binary")"
    return 0
  fi
  if [[ "$(id -u)" != "0" ]]; then
    log "$binary is missing and this is not root: run 'apt-get install -y $pkg'"
    return 1
  fi
  log "installing $pkg from Debian"
  local logfile="$CACHE/logs/$pkg.log"
  : >"$logfile"
  # Installing must not start a packaged service: the tests run the binaries themselves on free
  # ports. A policy-rc.d that exits 101 tells invoke-rc.d to skip every service start.
  local policy=/usr/sbin/policy-rc.d created_policy=0
  if [[ ! -e "$policy" ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod +x "$policy"
    created_policy=1
  fi
  local rc=0
  timed "$pkg" "$logfile" bash -c \
    "apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $pkg" ||
    rc=$?
  if [[ "$created_policy" == 1 ]]; then rm -f "$policy"; fi
  if [[ "$rc" == 0 ]] && ! command -v "$binary" >/dev/null 2>&1; then
    log "installed $pkg but $binary is still not on PATH"
    rc=1
  fi
  return "$rc"
}

what="${1:-all}"
case "$what" in
collector) build_collector ;;
jaeger) build_jaeger ;;
prometheus3) build_prometheus3 ;;
prometheus) install_debian_package prometheus prometheus ;;
docker-compose) install_debian_package docker-compose docker-compose ;;
all)
  # Each step runs even when an earlier one failed, so one broken peer does not hide the others;
  # the exit code still reports the failure.
  rc=0
  build_collector || rc=1
  build_jaeger || rc=1
  build_prometheus3 || rc=1
  install_debian_package prometheus prometheus || rc=1
  install_debian_package docker-compose docker-compose || rc=1
  exit "$rc"
  ;;
*)
  log "unknown target: $what"
  exit 2
  ;;
esac
