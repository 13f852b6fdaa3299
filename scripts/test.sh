#!/usr/bin/env bash
# Runs the whole test suite (installs native packages first when run as root).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh chromium   # chromium: the report.html browser test
dotnet test TemAreaTracker.sln -c Release --nologo "$@"
