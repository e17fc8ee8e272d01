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
  libmicrohttpd-dev                   # `ludus mcp --http`: the Streamable HTTP transport
  libcurl4-openssl-dev                # `ludus agent`: HTTP to OpenAI-compatible model servers
  libsqlite3-dev                      # `ludus agent --memory cases`: the memory of past episodes (FTS5)
  libhdf5-dev                         # datasets (ludus collect, src/data/): Minari's HDF5 files
  libjpeg62-turbo-dev                 # datasets: frames Minari stores as JPEG (Crafter's pixels)
  python3-h5py python3-pil            # datasets: read back with h5py as Minari does (tests, ludus.datasets)
  curl                                # the MCP HTTP tests' raw requests (docs/mcp.md examples)
  python3 python3-numpy python3-pytest  # the Python package and its tests
  libopenmpi-dev openmpi-bin          # `mpirun -np N ludus train`: distributed PPO over Open MPI (LUDUS_MPI)
  chromium                            # headless browser: tests/test_report_cli.sh screenshots report.html
  # optional, for bench/ppo_torch.py only (the tests never need it): python3-torch
)
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
# The official MCP client for tests/mcp (test_mcp_client): Node.js and npm
# from Debian unless a node is already there, then the SDK at the version
# tests/mcp/package-lock.json pins, from the npm registry.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  $SUDO apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
here="$(cd "$(dirname "$0")/.." && pwd)"
npm ci --prefix "$here/tests/mcp" --no-audit --no-fund >/dev/null
echo "setup-debian: installed ${#pkgs[@]} package groups and the MCP test client"
