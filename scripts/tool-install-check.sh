#!/usr/bin/env bash
# Proves the .NET tool package works offline: `dotnet pack` the CLI, install it from that folder alone with
# `dotnet tool install --tool-path`, and run the installed `temtrack` on a real movie (native OpenCV and Skia included).
# Usage: scripts/tool-install-check.sh [TOOL_DIR]   (default: a temporary folder; the installed tool stays there)
# Set PACK_NO_BUILD=1 to pack the Release build already made (as .ci/run does after the tests).
set -euo pipefail
cd "$(dirname "$0")/.."
tool_dir=${1:-$(mktemp -d /tmp/temtrack-tool.XXXXXX)}
work=$(mktemp -d /tmp/temtrack-pack.XXXXXX)
trap 'rm -rf "$work"' EXIT
no_build=()
[ "${PACK_NO_BUILD:-0}" = 1 ] && no_build=(--no-build)
dotnet pack src/TemAreaTracker.Cli -c Release -o "$work/pkg" --nologo -v q "${no_build[@]}"
# Only the pack folder as a source: the install must not need any registry.
cat > "$work/nuget.config" <<CFG
<?xml version="1.0" encoding="utf-8"?>
<configuration><packageSources><clear /><add key="temtrack-local" value="$work/pkg" /></packageSources></configuration>
CFG
dotnet tool uninstall --tool-path "$tool_dir" temtrack >/dev/null 2>&1 || true
dotnet tool install --tool-path "$tool_dir" --configfile "$work/nuget.config" --add-source "$work/pkg" temtrack
"$tool_dir/temtrack" --version
movie=sample-movies/03-chemical-vs-electrochemical/chemical
"$tool_dir/temtrack" track "$movie/movie.tif" --rois "$movie/RoiSet.zip" --out "$work/track" > "$work/track.log"
test -s "$work/track/areas.csv" && test -s "$work/track/contact-sheet.png" && test -s "$work/track/overlay.avi"
rows=$(($(wc -l < "$work/track/areas.csv") - 1))
[ "$rows" -eq 120 ] || { echo "tool-install-check: expected 120 rows (2 particles x 60 frames), got $rows" >&2; exit 1; }
echo "tool-install-check: installed temtrack in $tool_dir tracked $movie ($rows rows): OK"
