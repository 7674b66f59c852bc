#!/usr/bin/env bash
# End-to-end throughput of `switchyard run` as a ratio to a bare rdkafka consume → produce passthrough on
# the same broker, in the same run (absolute numbers on a shared machine mislead; the ratio holds).
#
#   bash bench/e2e.sh [RECORDS] [ROUNDS]      (defaults 100000 and 3; needs .ci/broker's venv)
#
# Both sides read the same JSON_SR topic of ~1 KB flattened Debezium records from the beginning, as a
# new consumer group, and produce with the same producer settings (switchyard-kafka's: idempotent,
# murmur2_random, linger.ms=5, many records in flight). The pipeline is
# examples/business-events/pipeline.sql (four statements, every record decoded once, routed and
# re-encoded as JSON_SR); the passthrough copies each record's bytes to one topic.
#
# Each side is timed as a whole process, from exec to exit: client start-up, group join, reading,
# producing, the final flush and (for `run`) sink schema registration and offset commits. The two
# alternate for ROUNDS rounds, each with a fresh group; the ratio reported is the median of the
# rounds' ratios.
#
# The steady state is timed too, from the first record read (each side logs its wall-clock time) to the
# process's exit: group join and the first fetch are left out, the final flush stays in on both sides.
#
# SWITCHYARD_E2E_BIN=path runs that `switchyard` binary as the router (e.g. a copy of an earlier build,
# to compare two builds against the same baseline); the passthrough and the producer are built here.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
n="${1:-100000}"
rounds="${2:-3}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/root/.cache/switchyard/target}"
cargo build --release -q -p switchyard -p switchyard-router --examples --bins
bin="$CARGO_TARGET_DIR/release/switchyard"
router="${SWITCHYARD_E2E_BIN:-$bin}"
pass="$CARGO_TARGET_DIR/release/examples/passthrough"
bootstrap="$(bash .ci/broker up)"
port=18089
data="$(mktemp -d)"
"$bin" registry serve --listen "127.0.0.1:$port" --data "$data" >/dev/null &
reg_pid=$!
tag="bench-$$"
# The broker keeps every record (noida-db: one JSON file): delete this run's topics when done, or a few
# runs fill the disk.
cleanup() {
    kill "$reg_pid" 2>/dev/null || true
    rm -rf "$data"
    "${SWITCHYARD_PYTHON:-${SWITCHYARD_CACHE:-/root/.cache/switchyard}/venv/bin/python}" - "$bootstrap" "$tag" <<'PY' || true
import sys
from confluent_kafka.admin import AdminClient
admin = AdminClient({"bootstrap.servers": sys.argv[1]})
topics = [t for t in admin.list_topics(timeout=10).topics if sys.argv[2] in t]
if topics:
    for f in admin.delete_topics(topics, operation_timeout=30).values():
        f.result()
PY
}
trap cleanup EXIT
sleep 1
registry="http://127.0.0.1:$port"
src="raw-business-events-$tag"
echo "producing $n records to $src …" >&2
"$bin" produce "$src" --sample business-events "$n" -b "$bootstrap" --registry "$registry" >/dev/null 2>&1

now() { date +%s.%N; }
# The wall-clock seconds of the first record a side read, from its stderr (else the start, $2).
first_secs() {
    local ms
    ms="$(sed 's/\x1b\[[0-9;]*m//g' "$1" | grep -o 'unix_ms=[0-9]*' | head -1 | cut -d= -f2 || true)"
    if [[ -n "$ms" ]]; then echo "$ms / 1000" | bc -l; else echo "$2"; fi
}
results=()
for round in $(seq 1 "$rounds"); do
    start=$(now)
    "$pass" "$bootstrap" "$src" "copy-$tag-$round" "$n" >/dev/null 2>"$data/pass.err"
    end=$(now)
    pass_secs=$(echo "$end - $start" | bc -l)
    pass_steady=$(echo "$end - $(first_secs "$data/pass.err" "$start")" | bc -l)
    sed "s/'raw-business-events'/'$src'/; s/'raw-business-events-dlq'/'$src-dlq'/; s/'business-events-routing'/'routing-$tag-$round'/; \
         s/'loan-events'/'loan-events-$tag'/; s/'servicing-events'/'servicing-events-$tag'/; s/'business-events-audit'/'audit-$tag'/" \
        examples/business-events/pipeline.sql > "$data/pipeline.sql"
    start=$(now)
    SWITCHYARD_LOG="warn,switchyard_router::run=info" \
        "$router" run "$data/pipeline.sql" -b "$bootstrap" --registry "$registry" --until-end >/dev/null 2>"$data/run.err"
    end=$(now)
    run_secs=$(echo "$end - $start" | bc -l)
    run_steady=$(echo "$end - $(first_secs "$data/run.err" "$start")" | bc -l)
    results+=("$pass_secs" "$run_secs" "$pass_steady" "$run_steady")
done
python3 - "$n" "${results[@]}" <<'PY'
import statistics, sys
n = int(sys.argv[1])
times = [float(t) for t in sys.argv[2:]]
rounds = [times[i:i + 4] for i in range(0, len(times), 4)]
print(f"records:      {n} per side, {len(rounds)} round(s), each side timed as a whole process")
for i, (p, r, ps, rs) in enumerate(rounds, 1):
    print(f"round {i}:      passthrough {p:.2f} s ({n/p:,.0f} records/s)   switchyard run {r:.2f} s ({n/r:,.0f} records/s)   ratio {p/r:.2f}x")
    print(f"  steady:     passthrough {ps:.2f} s ({n/ps:,.0f} records/s)   switchyard run {rs:.2f} s ({n/rs:,.0f} records/s)   ratio {ps/rs:.2f}x")
ratio = statistics.median(p / r for p, r, _, _ in rounds)
steady = statistics.median(ps / rs for _, _, ps, rs in rounds)
print(f"ratio:        {ratio:.2f}x of passthrough throughput, median of rounds (target >= 0.7x)")
print(f"steady state: {steady:.2f}x, median of rounds (from each side's first record to its exit)")
PY
