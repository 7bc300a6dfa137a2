#!/usr/bin/env bash
# `make real-frappe`: the drop-in on a real Frappe 16.4.1 site, without and with it, using the kit in
# ../shared/real-frappe (or $REAL_FRAPPE_KIT):
#   1. Frappe's own test modules (`frappe-site compare`, the kit's 10 default modules);
#   2. requests through gunicorn (bench's production command line, 2 workers, --preload): Redis
#      commands per request per endpoint, counted with INFO commandstats, and every worker's own
#      report of whether it runs the drop-in;
#   3. a job through an RQ worker that uses frappe.cache and a @redis_cache function.
# Writes bench/results/real-frappe.md and quotes it in the README. Needs the three source trees the kit
# names (FRAPPE_GIT, PYPIKA_GIT, GUNICORN_GIT), so it is not part of `make test` or CI.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
KIT=${REAL_FRAPPE_KIT:-$ROOT/../shared/real-frappe/frappe-site}
PY=${PY:-$ROOT/.venv/bin/python}
OUT=$ROOT/bench/results/real-frappe.md
W=$ROOT/.real-frappe

die() { echo "make real-frappe: $*" >&2; exit 2; }
[ -x "$KIT" ] || die "the real-Frappe kit is not at $KIT (set REAL_FRAPPE_KIT to its frappe-site script)"
for v in FRAPPE_GIT PYPIKA_GIT GUNICORN_GIT; do
  d=${!v:-}
  [ -n "$d" ] || die "$v is not set: export FRAPPE_GIT, PYPIKA_GIT and GUNICORN_GIT, the git directories of geetesh2-16/nts (Frappe 16.4.1), frappe/pypika and frappe/gunicorn (see $(dirname "$KIT")/README.md)"
  git --git-dir="$d" rev-parse --verify -q HEAD >/dev/null || die "$v=$d is not a git directory"
done
[ -x "$PY" ] || die "$PY is missing: run \`make install\` first"

kit() { "$KIT" "$@"; }
log() { echo "== real-frappe: $*" >&2; }

[ -d "$W/apps/frappe" ] || { log "setting up the bench (first run: a few minutes)"; kit setup; }
kit stop >/dev/null 2>&1 || true
kit start
[ -d "$W/snapshot" ] || kit site
kit dropin

log "1/3 Frappe's own tests, without and with the drop-in"
kit compare | tee "$W/compare.out"
table=$(ls -td "$W"/results/compare-*/ | head -1)table.txt

log "2/3 requests through gunicorn"
requests() {  # requests MODE (without|with)
  kit stop >/dev/null; kit start >/dev/null
  local url
  if [ "$1" = without ]; then url=$(FCACHE_DISABLE=1 kit serve | grep -o 'http://127.0.0.1:[0-9]*/' | head -1)
  else url=$(kit serve | grep -o 'http://127.0.0.1:[0-9]*/' | head -1); fi
  [ -n "$url" ] || die "gunicorn did not start (log: $W/logs/gunicorn.log)"
  # shellcheck disable=SC1091
  . "$W/run/ports.env"
  local probe=(); [ "$1" = with ] && probe=(--probe --workers 2)
  "$PY" tools/frappe_requests.py --url "$url" --redis "redis://127.0.0.1:$REDIS_CACHE_PORT" \
    --label "$1" --out "$W/requests-$1.json" "${probe[@]}"
}
requests without
requests with

log "3/3 a job through an RQ worker"
kit stop >/dev/null; kit start >/dev/null
kit worker >/dev/null
lines_before=$(wc -l < "$W/logs/worker.log")
kit bench --site test.localhost execute frappe.utils.redis_wrapper.frappe_cache_check --kwargs '{"in_worker": 1}'
job=""
for _ in $(seq 60); do
  job=$(tail -n +"$((lines_before + 1))" "$W/logs/worker.log" | grep -a '^frappe_cache.check ' | tail -1 || true)
  [ -n "$job" ] && break
  sleep 0.5
done
kit stop >/dev/null
[ -n "$job" ] || die "the job did not run (log: $W/logs/worker.log)"
echo "$job"

"$PY" - "$table" "$W/requests-without.json" "$W/requests-with.json" "$job" "$OUT" <<'PYEOF'
import json, subprocess, sys, time
table, without, with_, job, out = sys.argv[1:]
wo, wi = json.load(open(without)), json.load(open(with_))
job = json.loads(job.split(" ", 1)[1])
commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
rows = []
worse = 0
for name, e in wi["endpoints"].items():
    base = wo["endpoints"][name]
    worse += e["max"] > base["max"]
    rows.append(f"| {name} | {base['median']:g} ({base['max']}) | {e['median']:g} ({e['max']}) |")
workers = wi.get("workers", [])
lines = [
    f"Run {time.strftime('%Y-%m-%dT%H:%M:%S%z')}, frappe-cache {commit}, Frappe 16.4.1 (real-Frappe kit).",
    "",
    "Frappe's own test modules, each run without and then with the drop-in, from the same",
    "database snapshot (`frappe-site compare`):",
    "",
    "```",
    open(table).read().rstrip(),
    "```",
    "",
    "Redis commands per request through gunicorn (2 workers, `--preload`), logged in as",
    "Administrator, after warm-up: median (and largest) of the counted requests, from",
    "`INFO commandstats` before and after each (not counting PING: our client cache's listener",
    "checks its link once a second in every process, whichever request is running):",
    "",
    "| endpoint | without | with |",
    "| --- | --- | --- |",
    *rows,
    "",
    f"Endpoints where a request with the drop-in sent more commands than the largest without: {worse}.",
    f"The login request (a cold worker's first): {sum(wo['login'].values())} commands without "
    f"({', '.join(f'{k} {v}' for k, v in wo['login'].items())}), {sum(wi['login'].values())} with "
    f"({', '.join(f'{k} {v}' for k, v in wi['login'].items())}).",
    "",
    "Every gunicorn worker's own report (`frappe_cache_status`), asked until each had answered:",
    "",
    *[f"- pid {w['pid']}: installed={w['installed']} ({w['installed_when']}), "
      f"frappe.cache is {w['frappe_cache']}, frappe.local.cache is {w['local_cache']}" for w in workers],
    "",
    f"A job through an RQ worker (`frappe_cache_check`, pid {job['pid']}): ok={job['ok']} "
    f"(frappe.cache {job['frappe_cache']}, get_value round trip {job['get_value_round_trip']}, "
    f"@redis_cache hit on the second call {job['redis_cache_hit']}).",
]
text = "\n".join(lines) + "\n"
open(out, "w").write(text)
print(text)
# quote it in the README, between the real-frappe markers
readme = "README.md"
body = open(readme).read()
start, end = "<!-- real-frappe:start -->\n", "<!-- real-frappe:end -->"
i, j = body.find(start), body.find(end)
if i < 0 or j < i:
    sys.exit("README.md has no <!-- real-frappe:start --> ... <!-- real-frappe:end --> block")
open(readme, "w").write(body[: i + len(start)] + text + body[j:])
PYEOF
