#!/usr/bin/env bash
# End-to-end throughput of `switchyard run` as a ratio to a bare rdkafka consume → produce passthrough on
# the same broker, in the same run (absolute numbers on a shared machine mislead; the ratio holds).
#
#   bash bench/e2e.sh [RECORDS]      (default 100000; needs .ci/run's venv for the broker)
#
# Both sides read the same JSON_SR topic of ~1 KB flattened Debezium records from the beginning. The
# pipeline is examples/business-events/pipeline.sql (four statements, every record decoded once, routed
# and re-encoded as JSON_SR); the passthrough copies each record's bytes to one topic.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
n="${1:-100000}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/root/.cache/switchyard/target}"
cargo build --release -q -p switchyard -p switchyard-router --examples --bins
bin="$CARGO_TARGET_DIR/release/switchyard"
pass="$CARGO_TARGET_DIR/release/examples/passthrough"
bootstrap="$(bash .ci/broker up)"
port=18089
data="$(mktemp -d)"
"$bin" registry serve --listen "127.0.0.1:$port" --data "$data" >/dev/null &
reg_pid=$!
trap 'kill $reg_pid 2>/dev/null; rm -rf "$data"' EXIT
sleep 1
registry="http://127.0.0.1:$port"
tag="bench-$$"
src="raw-business-events-$tag"
sed "s/'raw-business-events'/'$src'/; s/'raw-business-events-dlq'/'$src-dlq'/; s/'business-events-routing'/'routing-$tag'/; \
     s/'loan-events'/'loan-events-$tag'/; s/'servicing-events'/'servicing-events-$tag'/; s/'business-events-audit'/'audit-$tag'/" \
    examples/business-events/pipeline.sql > "$data/pipeline.sql"
echo "producing $n records to $src …" >&2
"$bin" produce "$src" --sample business-events "$n" -b "$bootstrap" --registry "$registry" >/dev/null 2>&1

read -r moved pass_secs < <("$pass" "$bootstrap" "$src" "copy-$tag" "$n")
start=$(date +%s.%N)
"$bin" run "$data/pipeline.sql" -b "$bootstrap" --registry "$registry" --until-end >/dev/null 2>&1
end=$(date +%s.%N)
run_secs=$(echo "$end - $start" | bc -l)
python3 - "$n" "$pass_secs" "$run_secs" <<'PY'
import sys
n, p, r = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
print(f"records:      {n}")
print(f"passthrough:  {p:.2f} s  {n/p:,.0f} records/s")
print(f"switchyard:   {r:.2f} s  {n/r:,.0f} records/s  (includes start-up and sink schema registration)")
print(f"ratio:        {p/r:.2f}x of passthrough throughput (target >= 0.7x)")
PY
