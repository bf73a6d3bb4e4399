#!/usr/bin/env bash
# Side-by-side load test: the same JDBC workload (io.stillpoint.bench.harness.LoadHarness) against a throw-away
# local PostgreSQL 15 and a throw-away Stillpoint server, both on loopback, both fsyncing on commit.
#
# Builds nothing. Build first, from the repository root:
#   mvn -q -B -o -pl benchmarks package -DskipTests     # benchmarks/target/benchmarks.jar
#   mvn -q -B -o -pl server package -DskipTests         # server/target/stillpoint.jar (for Stillpoint)
#
# Each round runs the harness once (--runs 1) against each server, alternating which goes first, so that
# neither always gets the cooler machine; the medians over rounds and the ratio Stillpoint/PostgreSQL are
# printed at the end. Both servers are stopped and their data removed on exit, whatever the exit.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: benchmarks/scripts/side-by-side.sh [options]
  --rows N             rows inserted per run (default 1000000)
  --batch N            rows per batch/commit (default 1000)
  --warmup-rows N      each harness JVM first inserts N rows the same way into a scratch table, untimed, the same
                       for every server, so that the clock does not run while the JIT compiles pgjdbc (default 0)
  --lookups N          point lookups per run (default 10000)
  --lookup-seconds S   time budget of the lookup phase per run (default 300)
  --runs N             rounds; each round runs both servers once, order alternating (default 3)
  --only WHICH         postgres | stillpoint: run one server only
  --pg-index           give PostgreSQL a primary key on id for the lookups (Stillpoint has no index)
  --copy-rows N        rows of the COPY FROM phase; 0 skips COPY FROM and COPY TO (default 1000000)
  --rewrite-days N     UPDATE of one whole day and DELETE of one whole day, N times each (default 3; 0 skips)
  --checkpoint         Stillpoint only: insert with and without an active CHECKPOINT CREATE in the same run,
                       then CHECKPOINT CREATE/RELEASE latency (PostgreSQL has no such statement)
  --checkpoint-rows N  rows per insert segment of --checkpoint (default 100000)
  --checkpoint-segments N  measured insert segments of --checkpoint, a multiple of 4 (default 8)
  --checkpoint-cycles N  CREATE/RELEASE pairs timed by --checkpoint (default 20)
  --workdir DIR        parent of the temporary data directories (default $TMPDIR or /tmp); must be a real disk
  --results FILE       where to keep the harness output (default benchmarks/target/side-by-side-<utc>.log)
  --timeout S          kill a harness invocation after S seconds (default 1800)
  --nofsync-ceiling    also run a second Stillpoint whose fsyncs are no-ops (eatmydata, label stillpoint_nofsync):
                       NOT durable, only to measure how fast the same workload could go if a commit's fsync
                       cost nothing (the ceiling of any commit-path change); needs the eatmydata package
  --other-jar JAR      also run a second Stillpoint from another build (label stillpoint_other) in the same rounds:
                       an A/B of two builds against the same PostgreSQL (not with --nofsync-ceiling)
  --keep               keep the data directories and logs
environment: PG_BIN (default /usr/lib/postgresql/15/bin), STILLPOINT_JAR (default server/target/stillpoint.jar),
             STILLPOINT_JAVA_OPTS, HARNESS_JAVA_OPTS (extra JVM options)
USAGE
}

ROWS=1000000 WARMUP_ROWS=0 BATCH=1000 LOOKUPS=10000 LOOKUP_SECONDS=300 RUNS=3 ONLY="" PG_INDEX="" KEEP=0 TIMEOUT=1800
NOFSYNC=0 OTHER_JAR="" COPY_ROWS=1000000 REWRITE_DAYS=3 CHECKPOINT="" CHECKPOINT_ROWS=100000 CHECKPOINT_SEGMENTS=8 CHECKPOINT_CYCLES=20
WORK_PARENT="${TMPDIR:-/tmp}" RESULTS=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rows) ROWS="$2"; shift 2 ;;
    --batch) BATCH="$2"; shift 2 ;;
    --warmup-rows) WARMUP_ROWS="$2"; shift 2 ;;
    --lookups) LOOKUPS="$2"; shift 2 ;;
    --lookup-seconds) LOOKUP_SECONDS="$2"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    --only) ONLY="$2"; shift 2 ;;
    --pg-index) PG_INDEX="--pg-index"; shift ;;
    --copy-rows) COPY_ROWS="$2"; shift 2 ;;
    --rewrite-days) REWRITE_DAYS="$2"; shift 2 ;;
    --checkpoint) CHECKPOINT="--checkpoint"; shift ;;
    --checkpoint-rows) CHECKPOINT_ROWS="$2"; shift 2 ;;
    --checkpoint-cycles) CHECKPOINT_CYCLES="$2"; shift 2 ;;
    --checkpoint-segments) CHECKPOINT_SEGMENTS="$2"; shift 2 ;;
    --workdir) WORK_PARENT="$2"; shift 2 ;;
    --results) RESULTS="$2"; shift 2 ;;
    --timeout) TIMEOUT="$2"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --nofsync-ceiling) NOFSYNC=1; shift ;;
    --other-jar) OTHER_JAR="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "side-by-side: unknown option [option=$1]" >&2; usage >&2; exit 2 ;;
  esac
done
case "$ONLY" in ""|postgres|stillpoint) ;; *) echo "side-by-side: --only takes postgres or stillpoint [only=$ONLY]" >&2; exit 2 ;; esac

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BENCH_JAR="$REPO/benchmarks/target/benchmarks.jar"
SP_JAR="${STILLPOINT_JAR:-$REPO/server/target/stillpoint.jar}"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
[[ -n "$RESULTS" ]] || RESULTS="$REPO/benchmarks/target/side-by-side-$(date -u +%Y%m%dT%H%M%SZ).log"

log() { echo "side-by-side: $*" >&2; }

if [[ ! -f "$BENCH_JAR" ]]; then
  log "harness jar missing, build it first: mvn -q -B -o -pl benchmarks package -DskipTests [jar=$BENCH_JAR]"
  exit 2
fi

RUN_PG=1 RUN_SP=1
[[ "$ONLY" == stillpoint ]] && RUN_PG=0
[[ "$ONLY" == postgres ]] && RUN_SP=0
if [[ $RUN_SP == 1 && ! -f "$SP_JAR" ]]; then
  log "skipping Stillpoint: server jar missing, build it with mvn -q -B -o -pl server package -DskipTests [jar=$SP_JAR]"
  RUN_SP=0
fi
if [[ $RUN_PG == 1 && ! -x "$PG_BIN/initdb" ]]; then
  log "skipping PostgreSQL: no server binaries, install postgresql-15 or set PG_BIN [dir=$PG_BIN]"
  RUN_PG=0
fi
if [[ $RUN_PG == 0 && $RUN_SP == 0 ]]; then
  log "nothing to run"
  exit 2
fi

WORK="$(mktemp -d "$WORK_PARENT/side-by-side.XXXXXX")"
chmod 711 "$WORK"
mkdir -p "$(dirname "$RESULTS")"
: > "$RESULTS"
PG_STARTED=0 SP_PID="" NF_PID="" HARNESS_PID=""
AS_PG=()

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [[ -n "$HARNESS_PID" ]]; then
    kill -TERM "$HARNESS_PID" 2>/dev/null || true   # timeout passes it on to the harness JVM
    wait "$HARNESS_PID" 2>/dev/null || true
  fi
  if [[ -n "$SP_PID" ]] && kill -0 "$SP_PID" 2>/dev/null; then
    log "stopping Stillpoint [pid=$SP_PID]"
    kill -TERM "$SP_PID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$SP_PID" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$SP_PID" 2>/dev/null || true
    wait "$SP_PID" 2>/dev/null || true
  fi
  if [[ -n "$NF_PID" ]] && kill -0 "$NF_PID" 2>/dev/null; then
    kill -KILL "$NF_PID" 2>/dev/null || true   # nothing of it is meant to survive
    wait "$NF_PID" 2>/dev/null || true
  fi
  if [[ $PG_STARTED == 1 ]]; then
    log "stopping PostgreSQL"
    "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -m fast -w -t 60 stop >/dev/null 2>&1 || true
  fi
  if [[ $KEEP == 1 ]]; then
    log "kept data and logs [dir=$WORK]"
  else
    rm -rf "$WORK"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A port nobody listens on now (the tiny race until the server binds is acceptable on a private machine).
free_port() {
  local port
  for _ in $(seq 1 200); do
    port=$(( 20000 + RANDOM % 40000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"; return 0
    fi
  done
  log "no free port found"; return 1
}

wait_for_port() { # name port pid-or-empty seconds
  local deadline=$(( SECONDS + $4 ))
  while (( SECONDS < deadline )); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null; then return 0; fi
    if [[ -n "$3" ]] && ! kill -0 "$3" 2>/dev/null; then log "$1 exited before listening"; return 1; fi
    sleep 0.2
  done
  log "$1 did not listen in time [port=$2, seconds=$4]"; return 1
}

PG_USER=bench PG_PASSWORD=bench-password PG_PORT="" SP_PORT=""
start_postgres() {
  mkdir -p "$WORK/pg"
  if [[ $(id -u) == 0 ]]; then
    # PostgreSQL refuses to run as root: use an unprivileged system user.
    id spbench >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin spbench
    chown spbench: "$WORK/pg"
    AS_PG=(runuser -u spbench --)
  fi
  printf '%s\n' "$PG_PASSWORD" > "$WORK/pg/pwfile"
  if [[ $(id -u) == 0 ]]; then chown spbench: "$WORK/pg/pwfile"; fi
  # Password (SCRAM) authentication everywhere; the server listens on 127.0.0.1 and a socket in $WORK only.
  "${AS_PG[@]}" "$PG_BIN/initdb" -D "$WORK/pg/data" -U "$PG_USER" --pwfile="$WORK/pg/pwfile" \
    --auth=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >"$WORK/pg/initdb.log" 2>&1 \
    || { cat "$WORK/pg/initdb.log" >&2; return 1; }
  PG_PORT=$(free_port)
  # fsync=on and synchronous_commit=on are PostgreSQL's defaults; stated here so nobody "tunes" them away.
  "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -l "$WORK/pg/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -c port=$PG_PORT -c unix_socket_directories=$WORK/pg -c fsync=on -c synchronous_commit=on" \
    start >/dev/null || { cat "$WORK/pg/server.log" >&2; return 1; }
  PG_STARTED=1
  wait_for_port PostgreSQL "$PG_PORT" "" 60
  log "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') listening [port=$PG_PORT, data=$WORK/pg/data]"
  if [[ -x "$PG_BIN/psql" ]]; then
    PGPASSWORD="$PG_PASSWORD" "$PG_BIN/psql" -X -q -A -t -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" -d postgres \
      -c "SELECT 'postgres settings: ' || string_agg(name || '=' || current_setting(name), ', ' ORDER BY name) FROM pg_settings
          WHERE name IN ('fsync','synchronous_commit','wal_sync_method','full_page_writes','shared_buffers',
                         'max_wal_size','wal_level')" | tee -a "$RESULTS" >&2
  fi
}

start_stillpoint() {
  mkdir -p "$WORK/sp"
  SP_PORT=$(free_port) || return 1
  # shellcheck disable=SC2086
  java ${STILLPOINT_JAVA_OPTS:-} -jar "$SP_JAR" --root "$WORK/sp/root" --port "$SP_PORT" --http-port 0 \
    >"$WORK/sp/server.out" 2>"$WORK/sp/server.log" &
  SP_PID=$!
  if ! wait_for_port Stillpoint "$SP_PORT" "$SP_PID" 60; then
    cat "$WORK/sp/server.log" >&2
    return 1
  fi
  log "Stillpoint listening [port=$SP_PORT, pid=$SP_PID, root=$WORK/sp/root, ready=$(grep -m1 ready "$WORK/sp/server.log" || true)]"
}

# The optional second Stillpoint: without fsync (--nofsync-ceiling) or from another jar (--other-jar).
NF_PORT="" THIRD=""
if [[ $NOFSYNC == 1 && -n "$OTHER_JAR" ]]; then
  log "--nofsync-ceiling and --other-jar exclude each other"; exit 2
fi
[[ $NOFSYNC == 1 ]] && THIRD=stillpoint_nofsync
[[ -n "$OTHER_JAR" ]] && THIRD=stillpoint_other
start_third() {
  local prefix=() jar="$SP_JAR"
  if [[ $THIRD == stillpoint_nofsync ]]; then
    if ! command -v eatmydata >/dev/null; then
      log "--nofsync-ceiling needs eatmydata (apt-get install eatmydata)"; return 1
    fi
    prefix=(eatmydata)
  else
    jar="$OTHER_JAR"
    [[ -f "$jar" ]] || { log "--other-jar: no such file [jar=$jar]"; return 1; }
  fi
  mkdir -p "$WORK/nf"
  NF_PORT=$(free_port) || return 1
  # shellcheck disable=SC2086
  "${prefix[@]}" java ${STILLPOINT_JAVA_OPTS:-} -jar "$jar" --root "$WORK/nf/root" --port "$NF_PORT" --http-port 0 \
    >"$WORK/nf/server.out" 2>"$WORK/nf/server.log" &
  NF_PID=$!
  wait_for_port "$THIRD" "$NF_PORT" "$NF_PID" 60
  if [[ $THIRD == stillpoint_nofsync ]]; then
    log "Stillpoint WITHOUT fsync (eatmydata, not durable: a ceiling only) listening [port=$NF_PORT, pid=$NF_PID]"
  else
    log "Stillpoint from $jar listening [port=$NF_PORT, pid=$NF_PID]"
  fi
}

run_harness() { # label
  local label="$1" args
  if [[ "$label" == postgres ]]; then
    args=(--url "jdbc:postgresql://127.0.0.1:$PG_PORT/postgres" --user "$PG_USER" --password "$PG_PASSWORD"
          --dialect postgres $PG_INDEX)
  elif [[ "$label" == "$THIRD" && -n "$THIRD" ]]; then
    args=(--url "jdbc:postgresql://127.0.0.1:$NF_PORT/stillpoint" --user admin --password stillpoint
          --dialect stillpoint)
  else
    args=(--url "jdbc:postgresql://127.0.0.1:$SP_PORT/stillpoint" --user admin --password stillpoint
          --dialect stillpoint)
    if [[ -n "$CHECKPOINT" ]]; then
      args+=(--checkpoint --checkpoint-rows "$CHECKPOINT_ROWS" --checkpoint-segments "$CHECKPOINT_SEGMENTS"
             --checkpoint-cycles "$CHECKPOINT_CYCLES")
    fi
  fi
  # Other work on the machine moves these figures a lot: keep the load next to them.
  echo "round $round/$RUNS: $label, load average $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$RESULTS" >&2
  # shellcheck disable=SC2086
  # In the background and waited for, so that a TERM to this script runs the cleanup at once instead of after
  # the harness; the output still streams to the terminal and the results file.
  timeout --kill-after=10 "$TIMEOUT" java ${HARNESS_JAVA_OPTS:-} -cp "$BENCH_JAR" \
      io.stillpoint.bench.harness.LoadHarness "${args[@]}" --label "$label" --rows "$ROWS" --warmup-rows "$WARMUP_ROWS" --batch "$BATCH" \
      --lookups "$LOOKUPS" --lookup-seconds "$LOOKUP_SECONDS" --copy-rows "$COPY_ROWS" \
      --rewrite-days "$REWRITE_DAYS" --runs 1 > >(tee -a "$RESULTS") 2>&1 &
  HARNESS_PID=$!
  local status=0
  wait "$HARNESS_PID" || status=$?
  HARNESS_PID=""
  if [[ $status != 0 ]]; then
    log "harness failed [label=$label, round=$round, status=$status]"
    FAILED=1
  fi
}

{ echo "side-by-side $(date -u +%Y-%m-%dT%H:%M:%SZ) rows=$ROWS warmupRows=$WARMUP_ROWS batch=$BATCH lookups=$LOOKUPS runs=$RUNS pgIndex=${PG_INDEX:-no} copyRows=$COPY_ROWS rewriteDays=$REWRITE_DAYS checkpoint=${CHECKPOINT:-no}"
  echo "machine: $(nproc) cpus, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr), $(java -version 2>&1 | head -1)"
} | tee -a "$RESULTS" >&2

# Plain if, not "&&": errexit stays in force inside the functions.
if [[ $RUN_PG == 1 ]]; then start_postgres; fi
FAILED=0
if [[ $RUN_SP == 1 ]] && ! start_stillpoint; then
  log "skipping Stillpoint: the server did not start (log above); PostgreSQL still runs, exit status will be 1"
  RUN_SP=0 FAILED=1
  if [[ $RUN_PG == 0 ]]; then exit 1; fi
fi

if [[ -n "$THIRD" && $RUN_SP == 1 ]]; then start_third; fi

for round in $(seq 1 "$RUNS"); do
  order=(postgres stillpoint)
  (( round % 2 == 0 )) && order=(stillpoint postgres)
  # The second Stillpoint runs last in odd rounds and first in even ones, so that a drift of the load cancels out.
  if [[ -n "$THIRD" && $RUN_SP == 1 ]]; then
    if (( round % 2 == 0 )); then order=("$THIRD" "${order[@]}"); else order+=("$THIRD"); fi
  fi
  for label in "${order[@]}"; do
    [[ $label == postgres && $RUN_PG == 0 ]] && continue
    [[ $label == stillpoint && $RUN_SP == 0 ]] && continue
    run_harness "$label"
  done
done

if [[ $RUN_PG == 1 ]]; then log "PostgreSQL data directory size: $(du -sh "$WORK/pg/data" | cut -f1)"; fi
if [[ $RUN_SP == 1 ]]; then log "Stillpoint root size: $(du -sh "$WORK/sp/root" 2>/dev/null | cut -f1)"; fi

echo
echo "== side by side: medians over rounds (n = runs that finished) =="
java -cp "$BENCH_JAR" io.stillpoint.bench.harness.ResultComparison --base postgres --other stillpoint "$RESULTS" \
  | tee -a "$RESULTS" || FAILED=1
if [[ -n "$THIRD" && $RUN_SP == 1 ]]; then
  echo
  if [[ $THIRD == stillpoint_nofsync ]]; then
    echo "== ceiling: Stillpoint with fsync as a no-op (NOT durable) against PostgreSQL =="
  else
    echo "== the other build ($OTHER_JAR) against PostgreSQL =="
  fi
  java -cp "$BENCH_JAR" io.stillpoint.bench.harness.ResultComparison --base postgres --other "$THIRD" \
    "$RESULTS" | tee -a "$RESULTS" || FAILED=1
  if [[ $THIRD == stillpoint_other ]]; then
    echo "== the other build against this one =="
    java -cp "$BENCH_JAR" io.stillpoint.bench.harness.ResultComparison --base stillpoint --other "$THIRD" \
      "$RESULTS" | tee -a "$RESULTS" || FAILED=1
  fi
fi
log "harness output kept [file=$RESULTS]"
exit "$FAILED"
