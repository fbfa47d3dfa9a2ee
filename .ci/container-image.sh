#!/usr/bin/env bash
# Builds the container image with the .NET SDK as an archive (no Docker daemon needed) and checks its configuration
# (.ci/check-image.py). Where the base image's registry cannot be reached, the SDK builds on a stand-in for it
# (.ci/stand-in-registry.py, loopback only): the configuration the csproj sets is the same, the image does not run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
work=$(mktemp -d)
registry=""
cleanup() { [ -n "$registry" ] && kill "$registry" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

base=()
if ! curl -s -m 10 -o /dev/null https://mcr.microsoft.com/v2/; then
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  python3 .ci/stand-in-registry.py "$port" & registry=$!
  for _ in $(seq 1 100); do curl -sf -o /dev/null "http://127.0.0.1:$port/v2/" && break; sleep 0.1; done
  echo "== the base image's registry is out of reach: building on the stand-in at 127.0.0.1:$port"
  base=(-p:ContainerBaseImage=localhost:$port/dotnet/aspnet:10.0)
fi
dotnet publish src/PaymentJournal -c Release -t:PublishContainer -p:ContainerArchiveOutputPath="$work/paymentjournal.tar.gz" \
  -o "$work/publish" "${base[@]}" -v:minimal -nologo
python3 .ci/check-image.py "$work/paymentjournal.tar.gz"
