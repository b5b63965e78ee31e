#!/usr/bin/env bash
# Capacity of jigsaw and loki over GPU counts and latency SLOs on Loki's traffic app (derived partition
# rows) and the A100 app (measured MIG rows): the sweep in docs/planning.md. One `bin/jigsaw capacity`
# per cell and policy, so a cell's time is its own; about 20 minutes on 2 cores; bisection to 1 % (the
# precision the documented sweep was made with). Run from the checkout:
#   bash bench/scale-sweep.sh [GPU counts, default "8 64 1000"]
set -euo pipefail
cd "$(dirname "$0")/.."
loki_app=../shared/profiles/loki-traffic-analysis/traffic_analysis.json
for gpus in ${1:-8 64 1000}; do
  for slo in 60 250; do
    for policy in loki jigsaw; do
      start=$(date +%s)
      line=$(bin/jigsaw capacity --graph "$loki_app" --gpus "$gpus" --accuracy-slo 0.9 --latency-slo "$slo" --policy "$policy" --tolerance 0.01 2>/dev/null \
        | grep -E "^$policy ")
      echo "loki-traffic gpus=$gpus slo=$slo $line [$(( $(date +%s) - start )) s]"
    done
  done
  for slo in 50 100 250; do
    for policy in loki jigsaw; do
      start=$(date +%s)
      line=$(bin/jigsaw capacity --graph examples/a100-vision/graph.yaml --mig --gpus "$gpus" --latency-slo "$slo" --policy "$policy" --tolerance 0.01 2>/dev/null \
        | grep -E "^$policy ")
      echo "a100-vision gpus=$gpus slo=$slo $line [$(( $(date +%s) - start )) s]"
    done
  done
done
