#!/usr/bin/env bash
# Loads GET /tenants/status with wrk against the release binary over a realistic table
# (10,000 workspaces with domains and tenants in 2 regions each), at 8 and at 64
# connections, and prints requests/s and p50/p99 latency. Results go in docs/benchmarks.md.
#
#   scripts/bench-status.sh            # defaults below
#   DURATION=30s WORKSPACES=10000 scripts/bench-status.sh
#   HTTP_WORKERS=1 DATABASE_POOL_SIZE=4 WRK_THREADS=1 scripts/bench-status.sh   # knobs
#   STATUS_CACHE_TTL=0s scripts/bench-status.sh     # every request reads PostgreSQL
#   TOKENS=10000 scripts/bench-status.sh            # every workspace polled
#   BENCH_VERBOSE=1 scripts/bench-status.sh         # wrk's whole report too
#   BENCH_BIN=/tmp/posthawk-a scripts/bench-status.sh   # that binary, not a fresh build
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-15s}
WORKSPACES=${WORKSPACES:-10000}
TOKENS=${TOKENS:-500}
PORT=${PORT:-18080}
SERVER_URL=${BENCH_SERVER_URL:-postgres://postgres@127.0.0.1:5432}
DATABASE=posthawk_bench
export DATABASE_URL="$SERVER_URL/$DATABASE"
export RUST_LOG=${RUST_LOG:-warn}
export JWT_SECRET=bench-secret-bench-secret-bench-secret-0123456789

scripts/ensure-postgres.sh
if ! command -v wrk >/dev/null; then
  echo "installing wrk (Debian package)" >&2
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi

if [ -n "${BENCH_BIN:-}" ]; then
  bin=$BENCH_BIN  # a prebuilt binary, to compare builds run for run
else
  cargo build --release -q -p posthawk-tenants
  bin="${CARGO_TARGET_DIR:-target}/release/posthawk-tenants"
fi
work=$(mktemp -d)
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  psql -q "$SERVER_URL/postgres" -c "DROP DATABASE IF EXISTS $DATABASE WITH (FORCE)" >/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

psql -q "$SERVER_URL/postgres" -c "DROP DATABASE IF EXISTS $DATABASE WITH (FORCE)" >/dev/null
"$bin" migrate
echo "seeding $WORKSPACES workspaces x 2 regions" >&2
# A steady state: every domain active, every tenant ready with nothing left for the
# background workers. Otherwise the column defaults (needs_work = true, step 'nothing',
# a refresh due now) would have the workers provisioning and refreshing 20,000 tenants
# in the built-in emulator during the run, and the benchmark would measure that too.
psql -q -v ON_ERROR_STOP=1 "$DATABASE_URL" <<SQL
INSERT INTO workspaces (id)
  SELECT md5('ws' || i)::uuid FROM generate_series(1, $WORKSPACES) AS i;
INSERT INTO domains (id, workspace_id, name, region, state)
  SELECT gen_random_uuid(), md5('ws' || i)::uuid, 'd' || d || '.' || r || '.ws' || i || '.example.com', r,
         'active'
  FROM generate_series(1, $WORKSPACES) AS i,
       unnest(ARRAY['us-east-1', 'eu-north-1']) AS r,
       generate_series(1, 2) AS d;
INSERT INTO tenants (workspace_id, region, name, configuration_set_name, arn,
                     provisioning_state, provisioning_step, needs_work, sending_status,
                     last_checked_at)
  SELECT md5('ws' || i)::uuid, r, 'ph-' || left(md5('ws' || i), 12), 'ph-' || left(md5('ws' || i), 12),
         'arn:aws:ses:' || r || ':123456789012:tenant/ph-' || left(md5('ws' || i), 12) || '/tn-' || i,
         'ready', 'configuration_set_associated', false, 'ENABLED', now()
  FROM generate_series(1, $WORKSPACES) AS i, unnest(ARRAY['us-east-1', 'eu-north-1']) AS r;
INSERT INTO regions (region, vdm_enabled_at) VALUES ('us-east-1', now()), ('eu-north-1', now());
-- Nor any reputation refresh due during the run (when the schema has that schedule).
DO \$\$
BEGIN
  IF EXISTS (SELECT FROM information_schema.columns
             WHERE table_name = 'tenants' AND column_name = 'next_refresh_at') THEN
    UPDATE tenants SET next_refresh_at = now() + interval '1 day';
  END IF;
END
\$\$;
SQL
# Settle the bulk load before measuring: otherwise autovacuum (the tables just grew from
# nothing) and the checkpoint that flushes the load can land inside a measured run.
# VACUUM cannot run inside the transaction a multi-statement -c would make.
psql -q -v ON_ERROR_STOP=1 "$DATABASE_URL" -c "VACUUM (ANALYZE)"
psql -q -v ON_ERROR_STOP=1 "$DATABASE_URL" -c "CHECKPOINT"

echo "minting $TOKENS tokens for random workspaces" >&2
psql -Atq "$DATABASE_URL" -c "SELECT id FROM workspaces ORDER BY random() LIMIT $TOKENS" |
  while read -r ws; do "$bin" token --workspace "$ws" --ttl 1h; done > "$work/tokens.txt"

# Requests are formatted once, up front; no response() callback (it would make wrk parse
# every response in Lua and slow the load generator down). Non-2xx answers are counted
# by wrk itself and reported in the errors column.
cat > "$work/status.lua" <<'LUA'
local requests = {}
local i = 0
-- In init, not at load time: wrk sets the Host header just before calling it.
init = function()
  for line in io.lines(os.getenv("TOKENS_FILE")) do
    requests[#requests + 1] =
      wrk.format("GET", "/tenants/status", { ["Authorization"] = "Bearer " .. line })
  end
end
request = function()
  i = i % #requests + 1
  return requests[i]
end
LUA

HTTP_ADDR="127.0.0.1:$PORT" "$bin" serve &
server_pid=$!
for _ in $(seq 1 50); do
  curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null && break
  sleep 0.2
done
sample=$(head -n 1 "$work/tokens.txt")
curl -fs -H "Authorization: Bearer $sample" "http://127.0.0.1:$PORT/tenants/status" >/dev/null \
  || { echo "server did not answer" >&2; exit 1; }

export TOKENS_FILE="$work/tokens.txt"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; wrk $(wrk -v 2>&1 | head -n 1 | awk '{print $2}')"
echo "server: HTTP_WORKERS=${HTTP_WORKERS:-<one per core>} DATABASE_POOL_SIZE=${DATABASE_POOL_SIZE:-16} STATUS_CACHE_TTL=${STATUS_CACHE_TTL:-30s} RUST_LOG=$RUST_LOG; wrk -t${WRK_THREADS:-2}, $DURATION per run; $TOKENS workspaces polled"
printf '%-12s %12s %10s %10s %8s\n' connections requests/s p50 p99 errors
failed=0
for connections in 8 64; do
  # Warm-up, then the measured run.
  wrk -t"${WRK_THREADS:-2}" -c"$connections" -d3s -s "$work/status.lua" "http://127.0.0.1:$PORT" >/dev/null
  out=$(wrk -t"${WRK_THREADS:-2}" -c"$connections" -d"$DURATION" --latency -s "$work/status.lua" "http://127.0.0.1:$PORT")
  [ -z "${BENCH_VERBOSE:-}" ] || echo "$out" >&2
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx|Socket errors/ {print}' <<<"$out" | tr '\n' ' ')
  printf '%-12s %12s %10s %10s %8s\n' "$connections" "$rps" "$p50" "$p99" "${errors:-0}"
  [ -z "$errors" ] || failed=1
done
# How the status cache served the runs (warm-ups included).
curl -fs "http://127.0.0.1:$PORT/metrics" | awk '/^status_cache_lookups_total/ {
    match($0, /outcome="[a-z]+"/); outcome = substr($0, RSTART + 9, RLENGTH - 10)
    counts[outcome] = $NF; total += $NF
  }
  END {
    if (total == 0) { print "status cache: off"; exit }
    printf "status cache: %d lookups, %.2f%% hits, %d misses, %d bypassed\n",
      total, 100 * counts["hit"] / total, counts["miss"], counts["bypass"]
  }'
if [ "$failed" = 1 ]; then
  echo "some requests failed: the numbers above do not measure GET /tenants/status" >&2
  exit 1
fi
