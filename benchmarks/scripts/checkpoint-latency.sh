#!/usr/bin/env bash
# CHECKPOINT CREATE/RELEASE latency over the wire, measured by psql's \timing, with 1, 10, 100 and 1,000 tables
# (each of 5 rows over 5 DAY partitions, so 15 column files per table); 15 CREATE/RELEASE pairs per size, medians.
# Needs psql and server/target/stillpoint.jar (mvn -q -B package -DskipTests). Usage: checkpoint-latency.sh
set -euo pipefail
JAR="${STILLPOINT_JAR:-$(cd "$(dirname "$0")/../.." && pwd)/server/target/stillpoint.jar}"
ROOT=$(mktemp -d /tmp/ckpt-jdbc.XXXXXX)
java -jar $JAR --root $ROOT/root --port 8899 --http-port 0 2> $ROOT/log &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf $ROOT' EXIT
for i in $(seq 1 50); do grep -q "stillpoint ready" $ROOT/log && break; sleep 0.2; done
export PGPASSWORD=stillpoint
P="psql -h 127.0.0.1 -p 8899 -U admin -d sp -q -X -v ON_ERROR_STOP=1"
made=0
for n in 1 10 100 1000; do
  { for i in $(seq $((made+1)) $n); do
      echo "CREATE TABLE t$i (ts TIMESTAMP, id BIGINT, v DOUBLE PRECISION) TIMESTAMP(ts) PARTITION BY DAY;"
      vals=""; for d in 1 2 3 4 5; do vals="$vals('2026-11-0${d}T00:00:00', $d, 1.5),"; done
      echo "INSERT INTO t$i VALUES ${vals%,};"
    done; } | $P >/dev/null
  made=$n
  out=$( { echo '\timing on'; for k in $(seq 1 15); do echo 'CHECKPOINT CREATE;'; echo 'CHECKPOINT RELEASE;'; done; } | $P 2>&1 | grep '^Time:' | awk '{print $2}')
  c=$(echo "$out" | awk 'NR%2==1' | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}')
  r=$(echo "$out" | awk 'NR%2==0' | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}')
  echo "tables=$n create_p50_ms=$c release_p50_ms=$r (15 pairs, psql \\timing)"
done
