#!/usr/bin/env bash
# Builds the container image with the .NET SDK as an archive (no Docker daemon needed) and checks its configuration
# (.ci/check-image.py). CI builds it on a loopback stand-in for the base image (.ci/stand-in-registry.py), since it
# reaches no image registry: the configuration the csproj sets is the same, but that image does not run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
work=$(mktemp -d)
registry=""
cleanup() { [ -n "$registry" ] && kill "$registry" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

# CONTAINER_BASE_IMAGE names a reachable base image (e.g. a registry mirror); without it the build uses the stand-in.
base=()
if [ -n "${CONTAINER_BASE_IMAGE:-}" ]; then
  base=(-p:ContainerBaseImage="$CONTAINER_BASE_IMAGE")
else
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  python3 .ci/stand-in-registry.py "$port" & registry=$!
  for _ in $(seq 1 100); do curl -sf -o /dev/null "http://127.0.0.1:$port/v2/" && break; sleep 0.1; done
  echo "== building on the stand-in base image at 127.0.0.1:$port (set CONTAINER_BASE_IMAGE to use a real one)"
  base=(-p:ContainerBaseImage=localhost:$port/dotnet/aspnet:10.0)
fi
dotnet publish src/PaymentJournal -c Release -t:PublishContainer -p:ContainerArchiveOutputPath="$work/paymentjournal.tar.gz" \
  -o "$work/publish" "${base[@]}" -v:minimal -nologo
python3 .ci/check-image.py "$work/paymentjournal.tar.gz"
