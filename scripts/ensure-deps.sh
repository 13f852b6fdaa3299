#!/usr/bin/env bash
# Makes sure the native libraries OpenCV and ScottPlot need are present.
# As root it installs them; otherwise it stops with the exact apt-get line to run.
set -euo pipefail
pkgs=(libgtk-3-0 fonts-dejavu-core)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "installing ${missing[*]} ..." >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "missing native packages; run: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi
if ! command -v dotnet >/dev/null 2>&1; then
  echo "the .NET 10 SDK is needed (dotnet not on PATH): https://learn.microsoft.com/dotnet/core/install/linux-debian" >&2
  exit 1
fi
