#!/usr/bin/env bash
# Runs every benchmark and prints its figures (not part of CI).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh >/dev/null
for bench in server_start dispatch_latency case_throughput login_flood event_latency directory_scale mssante_import card_read card_to_fields call_pop phone_cpu hotline_ring hotline_state hotline_queue_load desktop_start board_model board_read popup_latency web_offer_latency web_weight web_fanout notify_latency message_latency; do
    echo "== $bench"
    .venv/bin/python -m "bench.$bench" "$@"
done
