#!/bin/bash
# Benchmark (not a test): importing one 10,000-event .ics file with
# `netctl import`, `khal import` and `calcurse -i`, in the same run, on the
# same file.
#
#   bench/import.sh [--build DIR] [--count N] [--runs N] [--khal-runs N]
#                   [--netctl-only]
#
# The file comes from bench/gen-ics.py (deterministic: the same arguments
# give the same bytes): timed meetings in Europe/Berlin and America/New_York
# with their VTIMEZONEs, weekly RRULEs with COUNT (some with EXDATE),
# all-day events, organizers and attendees, folded descriptions.  Its
# events gather around the Monday of the current week, as a user's would,
# so netctl makes prep and thank-you reminders for the upcoming ones.
#
# Each run starts from nothing: netctld on a fresh database (on a private
# bus; its start-up is not timed), khal with a fresh vdir and cache,
# calcurse with a fresh data directory.  Timed: wall clock of the import
# command (netctl's includes the daemon's work: the reply comes after the
# commit), and CPU time (netctl: the daemon's and the client's).  Medians
# and the ratios khal/netctl and calcurse/netctl are printed and written as
# JSON to bench/results/import-<UTC time>.json.
#
# khal needs close to three minutes for 10,000 events, so it runs once by
# default; netctl and calcurse three times.  Needs khal, calcurse (Debian
# packages khal, calcurse), python3, dbus-daemon and a build of netctl.
# --netctl-only times netctl alone (no khal, no calcurse, no ratios), for
# quick before/after comparisons while working on the import.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$SRC/build
COUNT=10000
RUNS=3
KHAL_RUNS=1
PEERS=1
while (($#)); do
    case $1 in
    --build) BUILD=${2:?}; shift 2 ;;
    --count) COUNT=${2:?}; shift 2 ;;
    --runs) RUNS=${2:?}; shift 2 ;;
    --khal-runs) KHAL_RUNS=${2:?}; shift 2 ;;
    --netctl-only) PEERS=0; shift ;;
    -h | --help) sed -n '2,/^set -e/p' "$0" | sed 's/^# \{0,1\}//; /^set -e/d'; exit 0 ;;
    *) echo "bench/import.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
case $BUILD in /*) ;; *) BUILD=$SRC/$BUILD ;; esac
export NETCTL_BUILD=$BUILD NETCTL_SRC=$SRC TEST_NAME=bench/import

# The test harness gives a private bus, netctld on it, cleanup on exit.
# shellcheck source=../tests/lib/bus.sh
. "$SRC/tests/lib/bus.sh"
need_cmd python3
if ((PEERS)); then
    need_cmd khal calcurse
else
    KHAL_RUNS=0
fi
PYTHON=$(command -v python3)
[[ -f $SRC/bench/gen-ics.py ]] || fail "bench/gen-ics.py not found"

# Everything in one zone with DST, for all three tools alike.
export TZ=Europe/Berlin LC_ALL=C.UTF-8
bus_start
WORK=$BUS_DIR
FILE=$WORK/bench.ics
MONDAY=$(date -d "$(date +%F) -$(($(date +%u) - 1)) days" +%F)
"$PYTHON" "$SRC/bench/gen-ics.py" --count "$COUNT" --start "$MONDAY" "$FILE"
EVENTS=$(grep -c '^BEGIN:VEVENT' "$FILE")
[[ $EVENTS == "$COUNT" ]] || fail "generated $EVENTS events, asked for $COUNT"
log "file: $FILE, $EVENTS events, $(stat -c %s "$FILE") bytes (gen-ics.py --count $COUNT --start $MONDAY)"

TICK=$(getconf CLK_TCK)
# cpu_of PID: user+system seconds of a process so far.
cpu_of() { awk -v t="$TICK" '{ sub(/^.*\) /, ""); printf "%.3f\n", ($12 + $13) / t }' "/proc/$1/stat"; }
secs_since() { awk -v a="$1" -v b="${EPOCHREALTIME/./}" 'BEGIN { printf "%.3f\n", (b - a) / 1e6 }'; }
# timed CMD...: runs CMD, stdout/stderr to $WORK/out; sets WALL and CPU
# (CMD's children's user+system, as bash's `times` reports them).
timed() {
    local t0 c
    t0=${EPOCHREALTIME/./}
    c=$(
        "$@" >"$WORK/out" 2>&1 || exit 1
        times >"$WORK/times"
        awk 'NR == 2 { split($1, u, /[ms]/); split($2, s, /[ms]/); printf "%.3f\n", u[1] * 60 + u[2] + s[1] * 60 + s[2] }' "$WORK/times"
    ) || { cat "$WORK/out" >&2; fail "failed: $*"; }
    WALL=$(secs_since "$t0")
    CPU=$c
}

NETCTL_WALL=() NETCTL_CPU=() NETCTL_AGAIN=() NETCTL_RSS=()
# rss_kib PID: resident memory of a process, KiB.
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
KHAL_WALL=() KHAL_CPU=()
CAL_WALL=() CAL_CPU=()
PARSE_WALL=()
WRITE_WALL=()

run_netctl() {
    local n=$1
    export XDG_DATA_HOME=$WORK/netctl-$n
    mkdir -p "$XDG_DATA_HOME"
    daemon_start
    local c0 c1
    c0=$(cpu_of "$DAEMON_PID")
    timed netctl import "$FILE"
    c1=$(cpu_of "$DAEMON_PID")
    grep -q ": added ($EVENTS added" "$WORK/out" || fail "netctl import: $(cat "$WORK/out")"
    NETCTL_WALL+=("$WALL")
    NETCTL_CPU+=("$(awk -v a="$CPU" -v b="$c0" -v c="$c1" 'BEGIN { printf "%.3f", a + c - b }')")
    # The same file again: everything unchanged.
    timed netctl import "$FILE"
    grep -q ": unchanged ($EVENTS unchanged" "$WORK/out" || fail "netctl re-import: $(cat "$WORK/out")"
    NETCTL_AGAIN+=("$WALL")
    # Memory once the imports are over (a call later: the daemon has
    # gone idle between the two).
    netctl status >/dev/null
    NETCTL_RSS+=("$(rss_kib "$DAEMON_PID")")
    log "netctl run $n: ${NETCTL_WALL[-1]} s wall, ${NETCTL_CPU[-1]} s CPU; re-import ${NETCTL_AGAIN[-1]} s;" \
        "$(netctl list --json | jq length) reminders; RSS afterwards ${NETCTL_RSS[-1]} KiB"
    daemon_stop || fail "netctld did not stop cleanly"
    # What the first import stored, for the SQLite floor below.
    if [[ $n == 1 ]]; then cp "$XDG_DATA_HOME/netctl/netctl.db" "$WORK/imported.db"; fi
    rm -rf "$XDG_DATA_HOME"
}

run_khal() {
    local n=$1
    local dir=$WORK/khal-$n
    mkdir -p "$dir/vdir"
    cat >"$dir/config" <<EOF
[calendars]
[[bench]]
path = $dir/vdir
type = calendar
[locale]
timeformat = %H:%M
dateformat = %Y-%m-%d
longdateformat = %Y-%m-%d
datetimeformat = %Y-%m-%d %H:%M
longdatetimeformat = %Y-%m-%d %H:%M
local_timezone = Europe/Berlin
default_timezone = Europe/Berlin
[sqlite]
path = $dir/khal.db
EOF
    timed khal -c "$dir/config" import --batch -a bench "$FILE"
    local files
    files=$(find "$dir/vdir" -name '*.ics' | wc -l)
    [[ $files == "$EVENTS" ]] || fail "khal import wrote $files files for $EVENTS events: $(tail -n 5 "$WORK/out")"
    KHAL_WALL+=("$WALL") KHAL_CPU+=("$CPU")
    log "khal run $n: $WALL s wall, $CPU s CPU"
    rm -rf "$dir"
}

run_calcurse() {
    local n=$1
    local dir=$WORK/calcurse-$n
    mkdir -p "$dir"
    timed calcurse -D "$dir" -i "$FILE"
    local got
    got=$(sed -n 's|^\([0-9]*\) apps / \([0-9]*\) events .*|\1 \2|p' "$WORK/out" | awk '{ print $1 + $2 }')
    [[ $got == "$EVENTS" ]] || fail "calcurse imported ${got:-?} of $EVENTS: $(tail -n 3 "$WORK/out")"
    CAL_WALL+=("$WALL") CAL_CPU+=("$CPU")
    log "calcurse run $n: $WALL s wall, $CPU s CPU"
    rm -rf "$dir"
}

# libical's parse of the file, nothing else (bench-client parse): what any
# importer built on libical spends at least, netctl included.  Its own
# clock, from the bytes in memory to the parsed tree.
PARSER=$BUILD/bench/bench-client
run_parse() {
    local out
    out=$("$PARSER" parse "$FILE") || fail "bench-client parse failed"
    [[ ${out#* } == "$EVENTS" ]] || fail "libical saw ${out#* } events of $EVENTS"
    PARSE_WALL+=("${out%% *}")
    log "libical parse only, run $1: ${out%% *} s"
}
[[ -x $PARSER ]] || log "no $PARSER (make $BUILD/bench/bench-client): libical's parse not timed"

# SQLite alone writing what the import stored (meetings, occurrences,
# reminders), into an empty database of the same schema with netctld's
# settings for an import, one INSERT ... SELECT per table and one commit:
# the fastest way SQLite has to write those rows, whoever parsed them.
# Python's sqlite3 module, on the system's libsqlite3; its own clock, from
# the ATTACH to the commit's return.
run_write() {
    local out
    rm -f "$WORK/write.db" "$WORK/write.db-wal" "$WORK/write.db-shm"
    out=$("$PYTHON" - "$WORK/imported.db" "$WORK/write.db" <<'PY'
import sqlite3, sys, time
src, dst = sys.argv[1:]
schema = [r[0] for r in sqlite3.connect(src).execute(
    "SELECT sql FROM sqlite_schema WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' "
    "ORDER BY type = 'index', rowid")]
db = sqlite3.connect(dst, isolation_level=None)
db.execute("PRAGMA journal_mode = WAL")
for sql in schema:
    db.execute(sql)
for pragma in ("synchronous = FULL", "foreign_keys = ON", "cache_size = -65536", "temp_store = MEMORY"):
    db.execute("PRAGMA " + pragma)
t0 = time.perf_counter()
db.execute("ATTACH ? AS src", (src,))
db.execute("BEGIN")
rows = 0
for table in ("meetings", "occurrences", "followups"):
    rows += db.execute("INSERT INTO main.%s SELECT * FROM src.%s ORDER BY rowid" % (table, table)).rowcount
db.execute("COMMIT")
print("%.6f %d" % (time.perf_counter() - t0, rows))
PY
) || fail "the SQLite write of the imported rows failed"
    WRITE_WALL+=("${out%% *}")
    WRITE_ROWS=${out#* }
    log "SQLite writing the imported rows alone, run $1: ${out%% *} s ($WRITE_ROWS rows)"
}

# Interleaved, so that a slower stretch of the machine does not fall on
# one tool only.
max=$((RUNS > KHAL_RUNS ? RUNS : KHAL_RUNS))
for ((i = 1; i <= max; i++)); do
    ((i <= RUNS)) && run_netctl "$i"
    ((i <= RUNS)) && [[ -x $PARSER ]] && run_parse "$i"
    ((i <= RUNS)) && run_write "$i"
    ((i <= KHAL_RUNS)) && run_khal "$i"
    ((i <= RUNS && PEERS)) && run_calcurse "$i"
done

mkdir -p "$SRC/bench/results"
OUT_JSON=$SRC/bench/results/import-$(date -u +%Y%m%dT%H%M%SZ).json
"$PYTHON" - "$OUT_JSON" <<EOF
import json, platform, statistics, sys

def nums(s):
    return [float(x) for x in s.split()]

def med(xs):
    return round(statistics.median(xs), 3) if xs else None

tools = {
    "netctl": {"wall": nums("${NETCTL_WALL[*]}"), "cpu": nums("${NETCTL_CPU[*]}"),
               "reimport_wall": nums("${NETCTL_AGAIN[*]}"),
               "rss_after_kib": nums("${NETCTL_RSS[*]}"),
               "what": "netctl import FILE: parse, store meetings and occurrences, prep and thank-you "
                       "reminders, one SQLite transaction (daemon CPU + client CPU)"},
    "khal": {"wall": nums("${KHAL_WALL[*]}"), "cpu": nums("${KHAL_CPU[*]}"),
             "what": "khal import --batch: one .ics per event into a vdir, plus its SQLite cache"},
    "calcurse": {"wall": nums("${CAL_WALL[*]}"), "cpu": nums("${CAL_CPU[*]}"),
                 "what": "calcurse -D DIR -i FILE: appointments file plus one note file per description"},
}
parse = nums("${PARSE_WALL[*]}")
write = nums("${WRITE_WALL[*]}")
for t in tools.values():
    t["runs"] = len(t["wall"])
    t["wall_median_s"] = med(t["wall"])
    t["cpu_median_s"] = med(t["cpu"])
    if "reimport_wall" in t:
        t["reimport_wall_median_s"] = med(t["reimport_wall"])
n = tools["netctl"]
ratios = {}
for name in ("khal", "calcurse"):
    t = tools[name]
    if not t["runs"]:
        continue
    ratios[name + "_vs_netctl"] = {
        "wall": round(t["wall_median_s"] / n["wall_median_s"], 2),
        "cpu": round(t["cpu_median_s"] / n["cpu_median_s"], 2) if n["cpu_median_s"] else None,
    }
# The floor: libical's parse alone.  The best ratio any libical-based
# importer could show against each peer in this run.
floor = None
if parse:
    floor = {"runs": len(parse), "wall": parse, "wall_median_s": med(parse),
             "what": "bench-client parse FILE: icalparser_parse_string() of the file in memory, nothing else"}
    for name in ("khal", "calcurse"):
        t = tools[name]
        if t["runs"]:
            floor["best_ratio_" + name] = round(t["wall_median_s"] / floor["wall_median_s"], 1)
# The other floor: SQLite writing the rows the import stored.
write_floor = None
if write:
    write_floor = {"runs": len(write), "wall": write, "wall_median_s": med(write), "rows": ${WRITE_ROWS:-0},
                   "what": "INSERT ... SELECT of the imported meetings, occurrences and reminders into an "
                           "empty database of the same schema, one transaction (python3's sqlite3 module)"}
    for name in ("khal", "calcurse"):
        t = tools[name]
        if t["runs"]:
            write_floor["best_ratio_" + name] = round(t["wall_median_s"] / write_floor["wall_median_s"], 1)
result = {
    "benchmark": "import",
    "date_utc": "$(date -u +%FT%TZ)",
    "host": {"system": platform.platform(), "cpus": $(nproc),
             "cpu_model": "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)"},
    "versions": {"netctl": "$("$BUILD/netctl" --version 2>/dev/null | head -n1)",
                 "khal": "$(khal --version 2>/dev/null | head -n1)",
                 "calcurse": "$(calcurse --version 2>/dev/null | head -n1)",
                 "libical": "$(dpkg-query -W -f '${Version}' libical3 2>/dev/null || true)"},
    "file": {"generator": "bench/gen-ics.py --count $COUNT --start $MONDAY", "events": $EVENTS,
             "bytes": $(stat -c %s "$FILE"), "sha256": "$(sha256sum "$FILE" | cut -d' ' -f1)"},
    "tz": "$TZ",
    "tools": tools,
    "ratios": ratios,
    "libical_parse": floor,
    "sqlite_write": write_floor,
}
with open(sys.argv[1], "w") as f:
    json.dump(result, f, indent=2)
    f.write("\n")

print("Import of %d events (%s bytes), medians:" % ($EVENTS, result["file"]["bytes"]))
print("  %-9s %5s %12s %12s %12s" % ("tool", "runs", "wall s", "CPU s", "wall ratio"))
for name, t in tools.items():
    if not t["runs"]:
        continue
    ratio = 1.0 if name == "netctl" else ratios[name + "_vs_netctl"]["wall"]
    print("  %-9s %5d %12.2f %12.2f %11.1fx" % (name, t["runs"], t["wall_median_s"], t["cpu_median_s"], ratio))
print("  netctl re-import of the same file (all unchanged): %.2f s" % n["reimport_wall_median_s"])
if floor:
    print("  libical's parse of the file alone: %.2f s%s" % (floor["wall_median_s"], "".join(
        "; at best %.0fx %s" % (floor["best_ratio_" + k], k) for k in ("calcurse", "khal") if "best_ratio_" + k in floor)))
if write_floor:
    print("  SQLite writing the imported rows alone: %.2f s%s" % (write_floor["wall_median_s"], "".join(
        "; at best %.0fx %s" % (write_floor["best_ratio_" + k], k) for k in ("calcurse", "khal")
        if "best_ratio_" + k in write_floor)))
print("  netctld's RSS after the imports: %.1f MiB" % (statistics.median(n["rss_after_kib"]) / 1024.0))
print("Written to %s" % sys.argv[1])
EOF
