#!/usr/bin/env bash
# Runs every benchmark (what `make bench` calls, after the release build).
# Each script prints its tables (markdown) on stdout and progress on stderr; the raw
# JSON lines stay in the work directory it names. Knobs: see each script's header.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "# cardgenius benchmarks — $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD)"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); loadavg $(cut -d' ' -f1-3 /proc/loadavg)"
bench/budget.sh
bench/capacity.sh
bench/memory.sh
bench/plan-vs-run.sh
