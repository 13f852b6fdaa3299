#!/usr/bin/env bash
# Runs the whole test suite (installs native packages first when run as root).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
dotnet test TemAreaTracker.sln -c Release --nologo "$@"
