#!/usr/bin/env bash
# Regenerates the sample movies exactly (same seed, same bytes). Run from the repository root.
# TEMTRACK may point at a built temtrack binary; by default the CLI is built and run with dotnet.
set -euo pipefail
TEMTRACK=${TEMTRACK:-"dotnet run --project src/TemAreaTracker.Cli -c Release --"}
$TEMTRACK simulate --scenario electrochemical-cluster --seed 1 --frames 60 --size 256x256 --scale-bar --timestamp --force --out sample-movies/01-electrochemical-cluster
$TEMTRACK simulate --scenario redistribution --seed 1 --frames 60 --size 256x256 --timestamp --force --out sample-movies/02-redistribution
$TEMTRACK simulate --scenario chemical --seed 1 --frames 60 --size 256x256 --timestamp --force --out sample-movies/03-chemical-vs-electrochemical/chemical
$TEMTRACK simulate --scenario electrochemical --seed 1 --frames 60 --size 256x256 --timestamp --force --out sample-movies/03-chemical-vs-electrochemical/electrochemical
