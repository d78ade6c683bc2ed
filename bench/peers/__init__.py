"""Side-by-side benchmarks (issue 21): each hot path against the tool a practitioner would pick
instead, and against the floor the machine allows, in one run on the same data
(`bash bench/peers/run.sh [--quick]`). Every comparison module has `run(quick, workdir)` returning
`Row`s (bench/peers/table.py)."""
