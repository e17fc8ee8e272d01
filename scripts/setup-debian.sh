#!/usr/bin/env bash
# Install what ludus needs on Debian 12, from Debian's own packages.
# Run as root (CI) or with sudo. Safe to run again.
set -euo pipefail
pkgs=(
  build-essential cmake pkg-config   # the compiler and the build
  libcjson-dev                        # JSON: configs, traces, safetensors headers
  zlib1g-dev                          # gzip: reading the reference traces
  libpng-dev                          # PNG frames and textures
  libgif-dev                          # animated GIF episodes
  python3-pip python3-setuptools python3-wheel python3-venv  # `pip install ./python`, offline
  libopenblas-dev                     # matrix products in nn/
  python3 python3-numpy python3-pytest  # the Python package and its tests
  # optional, for bench/ppo_torch.py only (the tests never need it): python3-torch
)
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
echo "setup-debian: installed ${#pkgs[@]} package groups"
