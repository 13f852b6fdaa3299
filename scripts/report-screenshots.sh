#!/usr/bin/env bash
# Redraws the README's pictures of report.html: batches sample-movies/ (comparing chemical with electrochemical) and
# takes two screenshots with headless Chromium (Debian's package): the top of the report, and movie 1's section.
# Usage: scripts/report-screenshots.sh [TEMTRACK]   (default: the Release build's apphost)
set -euo pipefail
cd "$(dirname "$0")/.."
temtrack=${1:-src/TemAreaTracker.Cli/bin/Release/net10.0/temtrack}
scripts/ensure-deps.sh chromium
work=$(mktemp -d /tmp/temtrack-shots.XXXXXX)
trap 'rm -rf "$work"' EXIT
"$temtrack" batch sample-movies --out "$work/batch" --compare chemical/electrochemical > /dev/null
shot() { # HTML PNG HEIGHT
  chromium --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking --disable-component-update \
    --disable-sync --user-data-dir="$work/profile-$RANDOM" --hide-scrollbars --window-size=1300,"$3" --screenshot="$2" "file://$1" 2>/dev/null
}
shot "$work/batch/report.html" docs/images/report.png 1250
# Movie 1 alone: everything else hidden by one injected style rule.
sed 's|</head>|<style>body > * {display:none !important} #m-01-electrochemical-cluster--movie-tif {display:block !important}</style></head>|' \
  "$work/batch/report.html" > "$work/one.html"
shot "$work/one.html" docs/images/report-movie.png 1000
ls -l docs/images/report.png docs/images/report-movie.png
