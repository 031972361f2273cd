#!/usr/bin/env bash
# Starts Debian's Docker engine by hand (these machines have no systemd) unless one already answers,
# and makes sure the local base image `debian:bookworm-slim` exists: no registry is reachable here, so
# it is made once with debootstrap + `docker import` and cached as a tarball under
# $SLUICE_CACHE (default /var/cache/sluice), from which a fresh engine re-imports it in seconds.
# The imported image is slimmed the way Debian's official -slim images are (no man pages, info,
# translations or docs other than copyright files, and a dpkg config that keeps later installs
# from adding them back), so runtime images built on it stay small.
#
#   dockerd.sh start [--no-bridge]   engine up (--no-bridge: no docker0 and no iptables, for the
#                                    Kubernetes node, whose pods use CNI)
#   dockerd.sh base-image            engine up + debian:bookworm-slim present
#   dockerd.sh stop                  stop the engine this script started (by PID) and clean its network
set -euo pipefail
CACHE=${SLUICE_CACHE:-/var/cache/sluice}
RUN=${SLUICE_DOCKER_RUN:-$CACHE/dockerd}
BASE_TAR=$CACHE/debian-bookworm-slim.tar
SLIM_TAR=$CACHE/debian-bookworm-slim.slim-1.tar
# Marks an imported image as made from SLIM_TAR; an older import without it is replaced.
BASE_LABEL=dev.sluice.base-image
BASE_LABEL_VALUE=slim-1
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
DOCKER=/usr/bin/docker
[ -x $DOCKER ] || DOCKER=docker

engine_up() { $DOCKER version >/dev/null 2>&1; }

start() {
  if engine_up; then return 0; fi
  mkdir -p "$RUN"
  local extra=()
  if [ "${1:-}" = --no-bridge ]; then extra=(--bridge=none --iptables=false --ip-masq=false); fi
  echo "dockerd: starting the Docker engine (log $RUN/dockerd.log)"
  dockerd --storage-driver=overlay2 "${extra[@]}" >"$RUN/dockerd.log" 2>&1 &
  echo $! >"$RUN/dockerd.pid"
  for _ in $(seq 1 60); do engine_up && return 0; sleep 0.5; done
  tail -20 "$RUN/dockerd.log" >&2
  echo "dockerd: the engine did not answer within 30 s; see $RUN/dockerd.log" >&2
  exit 1
}

# Writes SLIM_TAR from BASE_TAR: what Debian's debuerreotype --slimify removes, plus the
# dpkg path-exclude rules that keep it removed.
make_slim_tar() {
  local rootfs
  rootfs=$(mktemp -d "$CACHE/slim.XXXXXX")
  tar -C "$rootfs" -xf "$BASE_TAR"
  find "$rootfs/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
  find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete
  rm -rf "$rootfs"/usr/share/{man,info,locale,groff,lintian,linda}/*
  rm -f "$rootfs"/var/cache/debconf/*-old "$rootfs"/var/cache/apt/*.bin
  cat >"$rootfs/etc/dpkg/dpkg.cfg.d/docker-slim" <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
CFG
  cat >"$rootfs/etc/apt/apt.conf.d/docker-clean" <<'CFG'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
CFG
  tar -C "$rootfs" -cf "$SLIM_TAR.tmp" . && mv "$SLIM_TAR.tmp" "$SLIM_TAR"
  rm -rf "$rootfs"
}

base_image() {
  start "$@"
  if [ "$($DOCKER image inspect -f "{{index .Config.Labels \"$BASE_LABEL\"}}" debian:bookworm-slim 2>/dev/null)" = "$BASE_LABEL_VALUE" ]; then
    return 0
  fi
  if [ ! -s "$BASE_TAR" ]; then
    local mirror rootfs t0
    mirror=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
    mirror=${mirror:-http://deb.debian.org/debian}
    rootfs=$(mktemp -d "$CACHE/rootfs.XXXXXX")
    t0=$(date +%s)
    echo "dockerd: making the base image with debootstrap from $mirror (~2.5 min, once)"
    debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$CACHE/debootstrap.log" 2>&1 ||
      { tail -20 "$CACHE/debootstrap.log" >&2; echo "dockerd: debootstrap failed; log in $CACHE/debootstrap.log" >&2; exit 1; }
    chroot "$rootfs" apt-get clean
    rm -rf "$rootfs"/var/lib/apt/lists/*
    tar -C "$rootfs" -cf "$BASE_TAR.tmp" . && mv "$BASE_TAR.tmp" "$BASE_TAR"
    rm -rf "$rootfs"
    echo "dockerd: base rootfs cached in $BASE_TAR after $(( $(date +%s) - t0 )) s"
  fi
  [ -s "$SLIM_TAR" ] || make_slim_tar
  # Without --change the imported image has no PATH and no CMD.
  $DOCKER import --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["bash"]' --change "LABEL $BASE_LABEL=$BASE_LABEL_VALUE" \
    "$SLIM_TAR" debian:bookworm-slim >/dev/null
  echo "dockerd: imported debian:bookworm-slim ($(( $($DOCKER image inspect -f '{{.Size}}' debian:bookworm-slim) / 1000000 )) MB)"
}

stop() {
  [ -f "$RUN/dockerd.pid" ] || return 0
  local pid; pid=$(cat "$RUN/dockerd.pid")
  if kill -0 "$pid" 2>/dev/null; then
    $DOCKER ps -q | xargs -r $DOCKER kill >/dev/null 2>&1 || true
    kill "$pid"; for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$RUN/dockerd.pid"
}

case "${1:-}" in
  start) shift; start "$@" ;;
  base-image) shift; base_image "$@" ;;
  stop) stop ;;
  *) echo "usage: $0 start [--no-bridge] | base-image [--no-bridge] | stop" >&2; exit 2 ;;
esac
