#!/usr/bin/env bash
# Tracks the bundled sample movie 1, then fits its area curves; outputs go to ./out/demo/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
dotnet build src/TemAreaTracker.Cli -c Release --nologo -v q >/dev/null
temtrack() { dotnet src/TemAreaTracker.Cli/bin/Release/net10.0/temtrack.dll "$@"; }
movie=sample-movies/01-electrochemical-cluster
temtrack track "$movie/movie.tif" --rois "$movie/RoiSet.zip" --force --out out/demo/track
temtrack fit out/demo/track/areas.csv --force --out out/demo/fit
echo "outputs: out/demo/track (areas.csv, areas.png, overlay, contact sheet) and out/demo/fit (fit.json, fit.png)"
