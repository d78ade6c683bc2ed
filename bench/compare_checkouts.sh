#!/usr/bin/env bash
# Before/after figures of a refactor, in one run on one machine: the same benchmarks run
# alternately in two checkouts (each with its own .venv, made by its scripts/bootstrap.sh), so
# that a noisy moment of a shared machine falls on both sides rather than on one.
#
#   git worktree add ../before <commit> && bash ../before/scripts/bootstrap.sh
#   bash bench/compare_checkouts.sh ../before [ROUNDS]            # the default benchmarks below
#   bash bench/compare_checkouts.sh ../before 2 "dispatch_latency --cases 100"
#
# Each benchmark prints its own figures; the lines are prefixed with the checkout they came from.
set -euo pipefail
cd "$(dirname "$0")/.."
AFTER=$(pwd)
BEFORE=$(cd "${1:?usage: compare_checkouts.sh OTHER_CHECKOUT [ROUNDS] [BENCH ARGS]...}" && pwd)
ROUNDS=${2:-2}
shift $(( $# >= 2 ? 2 : 1 ))
if (($#)); then
    BENCHES=("$@")
else
    BENCHES=("desktop_start" "popup_latency --calls 30" "dispatch_latency"
             "case_throughput --kind postgresql --clients 8")
fi
for tree in "$BEFORE" "$AFTER"; do
    [[ -x "$tree/.venv/bin/python" ]] || { echo "no .venv in $tree: run its scripts/bootstrap.sh" >&2; exit 1; }
done
for bench in "${BENCHES[@]}"; do
    read -r -a argv <<<"$bench"
    for ((round = 1; round <= ROUNDS; round++)); do
        for side in before after; do
            tree=$BEFORE; [[ $side == after ]] && tree=$AFTER
            echo "== ${argv[0]} [$side, round $round]"
            (cd "$tree" && .venv/bin/python -m "bench.${argv[0]}" "${argv[@]:1}" 2>&1) | sed "s/^/[$side] /"
        done
    done
done
