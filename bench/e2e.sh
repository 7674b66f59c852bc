#!/usr/bin/env bash
# End-to-end throughput of `switchyard run` as a ratio to a bare rdkafka consume → produce passthrough on
# the same broker, in the same run (absolute numbers on a shared machine mislead; the ratio holds).
#
#   bash bench/e2e.sh [RECORDS] [ROUNDS]      (defaults 200000 and 3; needs .ci/broker's venv)
#
# Both sides read the same JSON_SR topic of flattened Debezium records (`switchyard produce --sample
# business-events`, ~250 bytes each) from the beginning, as a new consumer group, and produce with the
# same producer settings (switchyard-kafka's: idempotent, murmur2_random, linger.ms=5, many records in
# flight). The pipeline is examples/business-events/pipeline.sql (four statements, every record decoded
# once, routed and re-encoded as JSON_SR: about one output per input); the passthrough copies each
# record's bytes to one topic.
#
# Each side is timed as a whole process, from exec to exit: client start-up, group join, reading,
# producing, the final flush and (for `run`) sink schema registration and offset commits. The two
# alternate for ROUNDS rounds, each with a fresh group, and take turns going first; the ratio reported
# is the median of the rounds' ratios. The CPU seconds each client used (user + sys) are reported too:
# on a 2-core machine shared with the broker they are the steadier measure of the client's own cost.
# When the broker runs on this machine, the CPU seconds it spent serving each side are reported as well.
#
# The steady state is timed too, from the first record read (each side logs its wall-clock time) to the
# process's exit: group join and the first fetch are left out, the final flush stays in on both sides.
#
# The broker: by default a fresh noida-db of its own (port SWITCHYARD_E2E_PORT, default 19099), stopped
# and wiped at the end, and each side's output topics are deleted after it ran, so both sides meet a
# broker holding the same data. (noida-db persists its whole store as it goes, so its CPU cost grows
# with what it holds; a side that ran later on a fuller broker would pay for the other's output.)
# Each side's output topics are created before it starts, with as many partitions as the source (in
# production sink topics exist before a job starts; noida-db rewrites its whole store for each topic it
# creates, which would bill run's four outputs against one of the passthrough's), and each side starts
# once the broker has been idle for half a second.
# SWITCHYARD_E2E_BOOTSTRAP=host:port runs against another broker instead (a real Kafka, nisshi).
#
# SWITCHYARD_E2E_BIN=path runs that `switchyard` binary as the router (e.g. a copy of an earlier build,
# to compare two builds against the same baseline); the passthrough and the producer are built here.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
n="${1:-200000}"
rounds="${2:-3}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/root/.cache/switchyard/target}"
cargo build --release -q -p switchyard -p switchyard-router --examples --bins
bin="$CARGO_TARGET_DIR/release/switchyard"
router="${SWITCHYARD_E2E_BIN:-$bin}"
pass="$CARGO_TARGET_DIR/release/examples/passthrough"
own_port="${SWITCHYARD_E2E_PORT:-19099}"
if [[ -n "${SWITCHYARD_E2E_BOOTSTRAP:-}" ]]; then
    bootstrap="$SWITCHYARD_E2E_BOOTSTRAP"
    own_broker=false
else
    # `.ci/broker up` on a port nobody answers on starts a broker on a fresh data dir.
    SWITCHYARD_BROKER_PORT="$own_port" bash .ci/broker down
    bootstrap="$(SWITCHYARD_BROKER_PORT="$own_port" bash .ci/broker up)"
    own_broker=true
fi
port=18089
data="$(mktemp -d)"
"$bin" registry serve --listen "127.0.0.1:$port" --data "$data" >/dev/null &
reg_pid=$!
tag="bench-$$"
python="${SWITCHYARD_PYTHON:-${SWITCHYARD_CACHE:-/root/.cache/switchyard}/venv/bin/python}"
# Deletes the broker's topics named $@ (that exist), or with `--containing TEXT` those whose names contain it.
delete_topics() {
    "$python" - "$bootstrap" "$@" <<'PY' || true
import sys
from confluent_kafka.admin import AdminClient
admin = AdminClient({"bootstrap.servers": sys.argv[1]})
existing = admin.list_topics(timeout=10).topics
if sys.argv[2] == "--containing":
    topics = [t for t in existing if sys.argv[3] in t]
else:
    topics = [t for t in sys.argv[2:] if t in existing]
if topics:
    for f in admin.delete_topics(topics, operation_timeout=30).values():
        f.result()
PY
}
# Creates the topics named $@ with as many partitions as the source has (outputs exist before a side
# starts: creating a topic is a deployment step, not throughput, and noida-db rewrites its whole store
# for each one, ≈0.4 s of its CPU with 200k records stored, which would land in the side's window).
create_topics() {
    "$python" - "$bootstrap" "$src" "$@" <<'PY'
import sys
from confluent_kafka.admin import AdminClient, NewTopic
admin = AdminClient({"bootstrap.servers": sys.argv[1]})
partitions = len(admin.list_topics(sys.argv[2], timeout=10).topics[sys.argv[2]].partitions)
for f in admin.create_topics([NewTopic(t, partitions, 1) for t in sys.argv[3:]], operation_timeout=30).values():
    f.result()
PY
}
cleanup() {
    kill "$reg_pid" 2>/dev/null || true
    rm -rf "$data"
    if [[ "$own_broker" == true ]]; then
        SWITCHYARD_BROKER_PORT="$own_port" bash .ci/broker down
        rm -rf "${SWITCHYARD_CACHE:-/root/.cache/switchyard}/broker-$own_port"
    else
        # The broker keeps every record: delete this run's topics, or a few runs fill its disk.
        delete_topics --containing "$tag"
    fi
}
trap cleanup EXIT
sleep 1
registry="http://127.0.0.1:$port"
# The broker's own CPU seconds per side, when it runs here (its process listens on the bootstrap port).
broker_pid="$(ss -ltnpH "sport = :${bootstrap##*:}" 2>/dev/null | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2 || true)"
broker_cpu() {
    if [[ -n "$broker_pid" && -r "/proc/$broker_pid/stat" ]]; then
        awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' "/proc/$broker_pid/stat"
    else
        echo 0
    fi
}
src="raw-business-events-$tag"
echo "producing $n records to $src …" >&2
"$bin" produce "$src" --sample business-events "$n" -b "$bootstrap" --registry "$registry" >/dev/null 2>&1

now() { date +%s.%N; }
# Waits (up to 30 s) until the broker, when it runs here, has been idle for half a second: work it does
# after one side (store rewrites for deleted or created topics) must not land in the next side's window.
quiet_broker() {
    [[ -n "$broker_pid" && -r "/proc/$broker_pid/stat" ]] || return 0
    local before after
    for _ in $(seq 60); do
        before=$(broker_cpu)
        sleep 0.5
        after=$(broker_cpu)
        if (( $(echo "$after - $before < 0.02" | bc -l) )); then
            return 0
        fi
    done
}
# The wall-clock seconds of the first record a side read, from its stderr (else the start, $2).
first_secs() {
    local ms
    ms="$(sed 's/\x1b\[[0-9;]*m//g' "$1" | grep -o 'unix_ms=[0-9]*' | head -1 | cut -d= -f2 || true)"
    if [[ -n "$ms" ]]; then echo "$ms / 1000" | bc -l; else echo "$2"; fi
}
# Runs one side; appends its wall, steady and CPU seconds to `results`, then deletes its output topics.
side() {
    local which="$1" round="$2" start end cpu broker_before broker_after
    local TIMEFORMAT='%U %S'
    if [[ "$which" == pass ]]; then
        create_topics "copy-$tag-$round"
    else
        create_topics "loan-events-$tag" "servicing-events-$tag" "audit-$tag" "$src-dlq"
    fi
    quiet_broker
    broker_before=$(broker_cpu)
    start=$(now)
    if [[ "$which" == pass ]]; then
        cpu=$( { time "$pass" "$bootstrap" "$src" "copy-$tag-$round" "$n" >/dev/null 2>"$data/pass.err"; } 2>&1 )
        end=$(now)
        broker_after=$(broker_cpu)
        results+=("$(echo "$end - $start" | bc -l)" "$(echo "$end - $(first_secs "$data/pass.err" "$start")" | bc -l)")
        delete_topics "copy-$tag-$round"
    else
        sed "s/'raw-business-events'/'$src'/; s/'raw-business-events-dlq'/'$src-dlq'/; s/'business-events-routing'/'routing-$tag-$round'/; \
             s/'loan-events'/'loan-events-$tag'/; s/'servicing-events'/'servicing-events-$tag'/; s/'business-events-audit'/'audit-$tag'/" \
            examples/business-events/pipeline.sql > "$data/pipeline.sql"
        cpu=$( { time SWITCHYARD_LOG="warn,switchyard_router::run=info" \
            "$router" run "$data/pipeline.sql" -b "$bootstrap" --registry "$registry" --until-end >/dev/null 2>"$data/run.err"; } 2>&1 )
        end=$(now)
        broker_after=$(broker_cpu)
        results+=("$(echo "$end - $start" | bc -l)" "$(echo "$end - $(first_secs "$data/run.err" "$start")" | bc -l)")
        delete_topics "loan-events-$tag" "servicing-events-$tag" "audit-$tag" "$src-dlq"
    fi
    results+=("$(echo "$cpu" | awk '{print $1 + $2}')" "$(echo "$broker_after - $broker_before" | bc -l)")
}
results=()
for round in $(seq 1 "$rounds"); do
    # Take turns going first; the results are kept in the order pass, run.
    if (( round % 2 == 1 )); then
        side pass "$round"
        side run "$round"
    else
        side run "$round"
        side pass "$round"
        results=("${results[@]:0:${#results[@]}-8}" "${results[@]: -4}" "${results[@]: -8:4}")
    fi
done
python3 - "$n" "${results[@]}" <<'PY'
import statistics, sys
n = int(sys.argv[1])
t = [float(x) for x in sys.argv[2:]]
rounds = [t[i:i + 8] for i in range(0, len(t), 8)]
print(f"records:      {n} per side, {len(rounds)} round(s), each side timed as a whole process")
for i, (p, ps, pc, pb, r, rs, rc, rb) in enumerate(rounds, 1):
    print(f"round {i}:      passthrough {p:.2f} s ({n/p:,.0f} records/s)   switchyard run {r:.2f} s ({n/r:,.0f} records/s)   ratio {p/r:.2f}x")
    print(f"  steady:     passthrough {ps:.2f} s ({n/ps:,.0f} records/s)   switchyard run {rs:.2f} s ({n/rs:,.0f} records/s)   ratio {ps/rs:.2f}x")
    print(f"  cpu:        passthrough {pc:.2f} s ({pc/n*1e6:.2f} us/record)   switchyard run {rc:.2f} s ({rc/n*1e6:.2f} us/record)")
    if pb or rb:
        print(f"  broker cpu: passthrough {pb:.2f} s ({pb/n*1e6:.2f} us/record)   switchyard run {rb:.2f} s ({rb/n*1e6:.2f} us/record)")
ratio = statistics.median(r[0] / r[4] for r in rounds)
steady = statistics.median(r[1] / r[5] for r in rounds)
cpu = statistics.median(r[6] / r[2] for r in rounds)
print(f"ratio:        {ratio:.2f}x of passthrough throughput, median of rounds (target >= 0.7x)")
print(f"steady state: {steady:.2f}x, median of rounds (from each side's first record to its exit)")
print(f"client cpu:   run uses {cpu:.2f}x the passthrough's CPU seconds, median of rounds")
if any(r[3] or r[7] for r in rounds):
    broker = statistics.median(r[7] / r[3] for r in rounds if r[3])
    print(f"broker cpu:   run's side costs the broker {broker:.2f}x the passthrough's, median of rounds")
PY
