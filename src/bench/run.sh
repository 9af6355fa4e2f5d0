#!/usr/bin/env bash
# chaos-proxy benchmark suite (see src/bench/README.md).
#
#   src/bench/run.sh [--quick] [--out FILE] [--wait-idle|--no-wait] [--pin] [--no-build] [--keep]
#   src/bench/run.sh --profile [--quick]      a JFR profile of chaos-proxy under wrk load instead
#   src/bench/run.sh --profile-native [--quick]   the same with async-profiler: kernel and JVM frames too
#
# Builds the proxy jar, fetches WireMock, MockServer and jetty-proxy with Maven, installs wrk and
# nginx-light from Debian's packages when missing, serves fixed bodies from nginx, and measures in
# one run: wrk throughput and latency direct / nginx proxy_pass / the stack's floor
# (StackFloor.java) / chaos-proxy on Java 17 and on Java 25 / WireMock / MockServer, each JVM's
# throughput in 5 s windows from its start, CPU per request and peak RSS, streaming, 1,000 held
# requests, start times and fault precision; then prints every target with PASS or MISS. Loopback
# only, free ports only, bounded in time; everything it starts is stopped on exit. Not part of
# `mvn verify`.
set -uo pipefail

QUICK=0
PIN=0
BUILD=1
KEEP=0
PROFILE=0
WAIT_IDLE=""
OUT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --pin) PIN=1 ;;
    --no-pin) PIN=0 ;;
    --no-build) BUILD=0 ;;
    --keep) KEEP=1 ;;
    --profile) PROFILE=1 ;;
    --profile-native) PROFILE=2 ;;
    --wait-idle) WAIT_IDLE=1 ;;
    --no-wait) WAIT_IDLE=0 ;;
    --out) OUT="${2:?--out needs a file}"; shift ;;
    --out=*) OUT="${1#--out=}" ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done
# a full run waits for a quiet machine unless told not to; --quick does not wait
[ -n "$WAIT_IDLE" ] || { [ "$QUICK" = 1 ] && WAIT_IDLE=0 || WAIT_IDLE=1; }

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
BENCH="$ROOT/src/bench"
CACHE="$ROOT/target/bench"   # downloaded jars (target/ is ignored by git)
if [ -n "$OUT" ]; then
  mkdir -p "$(dirname "$OUT")"
  exec > >(tee "$OUT") 2>&1
fi

# ---- durations ------------------------------------------------------------------------------
if [ "$QUICK" = 1 ]; then
  DUR=3; WARM_RUNS=1; WARM_DUR=3; NGINX_WARM=1; MOD_DUR=3
  PREC_S=3; PROB_N=2000; JAR_RUNS=2; INPROC_WARM=5; INPROC_RUNS=5; STREAM_WARM=0; PROFILE_S=10
  CURVE_WINDOWS=4; CURVE_S=5
else
  DUR=10; WARM_RUNS=2; WARM_DUR=10; NGINX_WARM=2; MOD_DUR=10
  PREC_S=10; PROB_N=10000; JAR_RUNS=5; INPROC_WARM=20; INPROC_RUNS=20; STREAM_WARM=1; PROFILE_S=30
  CURVE_WINDOWS=12; CURVE_S=5   # throughput in 5 s windows over the first 60 s after start
fi
CONNS=64        # wrk connections for throughput
MOD_CONNS=4     # wrk connections for "moderate load" latency
HELD_N=1000     # concurrent requests under a 1 s latency rule
PREC_RATE=200   # req/s for the delay precision figure
PREC_DELAY=100  # ms
PROB_P=0.3

WIREMOCK_GAV=org.wiremock:wiremock-standalone:3.13.2
MOCKSERVER_GAV=org.mock-server:mockserver-netty:7.6.0:jar:jar-with-dependencies
WIREMOCK_JAR="$CACHE/wiremock-standalone-3.13.2.jar"
MOCKSERVER_JAR="$CACHE/mockserver-netty-7.6.0-jar-with-dependencies.jar"
ASYNC_PROFILER_GAV=tools.profiler:async-profiler:4.1:jar:linux-x64   # --profile-native only
ASYNC_PROFILER_JAR="async-profiler-4.1-linux-x64.jar"

# ---- helpers --------------------------------------------------------------------------------
T_START=$(date +%s)
say() { printf '%s\n' "$*"; }
progress() { printf '.. [%4ds] %s\n' "$(( $(date +%s) - T_START ))" "$*"; }
die() { printf 'run.sh: %s\n' "$*" >&2; exit 1; }
loadavg() { cut -d' ' -f1 /proc/loadavg; }

W=$(mktemp -d /tmp/chaos-bench.XXXXXX) || exit 1
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for _ in $(seq 1 50); do
    local alive=0
    for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && break
    sleep 0.2
  done
  for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null; done
  if [ "$KEEP" = 1 ]; then echo "run.sh: kept the work folder $W"; else rm -rf "$W"; fi
}
trap cleanup EXIT
trap 'echo "run.sh: interrupted"; exit 130' INT TERM

# CPU placement: with two or more CPUs the server under test gets CPU 1 alone; wrk, curl, the
# Java load clients and the backend nginx share CPU 0.
if [ "$PIN" = 1 ] && [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null 2>&1; then
  LOAD=(taskset -c 0); SERVER=(taskset -c 1)
  PLACEMENT="pinned: server under test on CPU 1; wrk, curl, Java clients and the backend nginx on CPU 0 (a JVM pinned to one CPU sizes itself for one CPU: SerialGC, one selector)"
else
  LOAD=(); SERVER=()
  PLACEMENT="not pinned: every process may run on any of the $(nproc) CPUs"
fi

# start_bg NAME CMD...: runs CMD in the background, stderr in $W/NAME.err, pid in $LAST_PID; stdout
# (access logs, per-request console logging) goes to /dev/null so that no disk write is measured
start_bg() {
  local name=$1; shift
  "$@" >/dev/null 2>"$W/$name.err" &
  LAST_PID=$!
  PIDS+=("$LAST_PID")
}
stop_pid() {
  local pid=$1
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  return 0
}
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
# wait_200 URL PID NAME: until URL answers 200 (60 s at most), or the process died
wait_200() {
  local url=$1 pid=$2 name=$3
  for _ in $(seq 1 600); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url")" = 200 ] && return 0
    kill -0 "$pid" 2>/dev/null || { tail -20 "$W/$name.err" 2>/dev/null; die "$name exited before it answered"; }
    sleep 0.1
  done
  tail -20 "$W/$name.err" 2>/dev/null
  die "$name did not answer 200 at $url within 60 s"
}
# wait_port_file_of FILE PID NAME: until FILE has content (60 s at most), or the process died
wait_port_file_of() {
  local file=$1 pid=$2 name=$3
  for _ in $(seq 1 6000); do
    [ -s "$file" ] && return 0
    kill -0 "$pid" 2>/dev/null || { tail -20 "$W/$name.err"; die "$name exited early"; }
    sleep 0.01
  done
  die "$name wrote no port file within 60 s"
}
# wait_port_file FILE PID NAME: chaos-proxy's --port-file, then sets CP_PORT and CP_CONTROL
wait_port_file() {
  local file=$1
  wait_port_file_of "$@"
  CP_PORT=$(sed -E 's/.*"default": *([0-9]+).*/\1/' "$file")
  CP_CONTROL=$(sed -E 's/.*"control": *([0-9]+).*/\1/' "$file")
}
# client CMD...: a Java single-file program on the load CPU, chaos-proxy's jar on the class path
bench_client() { "${LOAD[@]}" "$BENCH_JAVA" -cp "$JAR" "$BENCH/BenchClient.java" "$@"; }
# CPU taken by processes outside this benchmark (other engineers' builds, say) while we measure:
# cpu_mark before, cpu_other after, in % of one CPU
CPU_HZ=$(getconf CLK_TCK 2>/dev/null || echo 100)
cpu_mark() { read -r CPU_MARK_BUSY CPU_MARK_OURS <<<"$(python3 "$BENCH/cpu_snapshot.py" $$)"; CPU_MARK_T=$(date +%s.%N); }
cpu_other() {
  local busy ours t
  read -r busy ours <<<"$(python3 "$BENCH/cpu_snapshot.py" $$)"; t=$(date +%s.%N)
  calc "o = ($busy - $CPU_MARK_BUSY) - ($ours - $CPU_MARK_OURS); if (o < 0) o = 0; printf \"%.0f\", 100 * o / $CPU_HZ / ($t - $CPU_MARK_T)"
}
result_field() { sed -n 's/^RESULT //p' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

# ---- wrk runs and the table -----------------------------------------------------------------
ROWS=()    # "target|body|rps|p50|p99|errors|conns|other CPU %|CPU us per request|backend CPU us per request|host probe ms"
CURVES=()  # "target|req/s of each window from start|backend CPU us per request in each window|host probe ms in each window"
declare -A RSS START_MS   # by target: peak RSS (MiB) after its load, spawn to first 200 (ms)
# run_wrk OUTFILE URL CONNS SECONDS
run_wrk() {
  "${LOAD[@]}" wrk -t1 -c"$3" -d"$4"s --timeout 5s --latency "$2" >"$1" 2>&1
}
# wrk_fields OUTFILE -> "rps p50ms p99ms errors requests"
wrk_fields() {
  awk '
    function ms(v) {
      if (v ~ /us$/) { sub(/us$/, "", v); return v / 1000 }
      if (v ~ /ms$/) { sub(/ms$/, "", v); return v + 0 }
      if (v ~ /m$/)  { sub(/m$/, "", v);  return v * 60000 }
      if (v ~ /s$/)  { sub(/s$/, "", v);  return v * 1000 }
      return v + 0
    }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    /^Requests\/sec:/ { rps = $2 }
    / requests in / { n = $1 }
    /Socket errors:/ { gsub(/,/, ""); err += $4 + $6 + $8 + $10 }
    /Non-2xx or 3xx responses:/ { err += $NF }
    END { if (rps == "") rps = 0; printf "%.0f %.3f %.3f %d %d\n", rps, p50, p99, err, n }' "$1"
}
# cpu_ticks PID: user + system CPU the process has used so far, in clock ticks
cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
peak_rss_mib() { awk '/^VmHWM/ {print int($2/1024)}' "/proc/$1/status" 2>/dev/null; }
# host_ms T0 T1: per CPU, the median ms of the host probe's samples taken between two `date +%s.%N`
# times, as "cpu0/cpu1" (the same fixed work throughout: a change in it is the machine, not the target)
host_ms() {
  awk -v a="$1" -v b="$2" '$1 >= a && $1 <= b { for (i = 2; i <= NF; i++) print i - 1, $i }' "$W/host-probe.txt" 2>/dev/null \
    | sort -k1,1n -k2,2n \
    | awk '{ n[$1]++; v[$1, n[$1]] = $2; if ($1 > c) c = $1 }
      END {
        if (!c) { print "-"; exit }
        for (k = 1; k <= c; k++) { m = n[k]; printf "%s%.1f", (k > 1 ? "/" : ""), (m % 2) ? v[k, (m + 1) / 2] : (v[k, m / 2] + v[k, m / 2 + 1]) / 2 }
      }'
}
# us_per_request TICKS REQUESTS: CPU clock ticks spent on REQUESTS, in microseconds each
us_per_request() { calc "printf \"%.0f\", ($2 > 0) ? $1 * 1e6 / $CPU_HZ / $2 : 0"; }
# wrk_row TARGET LABEL URL BODY CONNS SECONDS PID: one measured run, appended to ROWS
wrk_row() {
  local target=$1 label=$2 url=$3 body=$4 conns=$5 secs=$6 pid=$7 f="$W/wrk-$1-$4-$5.txt" t0 t1 b0 b1 h0 cpu_us backend_us host
  progress "$label $body: measuring (${secs}s, $conns connections)"
  cpu_mark
  t0=$(cpu_ticks "$pid"); b0=$(cpu_ticks "$BACKEND_PID"); h0=$(date +%s.%N)
  run_wrk "$f" "$url" "$conns" "$secs"
  t1=$(cpu_ticks "$pid"); b1=$(cpu_ticks "$BACKEND_PID"); host=$(host_ms "$h0" "$(date +%s.%N)")
  other=$(cpu_other)
  read -r rps p50 p99 err n <<<"$(wrk_fields "$f")"
  cpu_us=$(us_per_request $((t1 - t0)) "$n")
  backend_us=$(us_per_request $((b1 - b0)) "$n")
  ROWS+=("$label|$body|$rps|$p50|$p99|$err|$conns|$other|$cpu_us|$backend_us|$host")
  progress "$label $body @$conns: $rps req/s, p50 $p50 ms, p99 $p99 ms, errors $err, $cpu_us us of CPU per request; other processes took $other% of a CPU"
}
# started LABEL URL PID T0_NS: spawn (at T0_NS) to the first 200 from URL, kept in START_MS
started() {
  local label=$1 url=$2 pid=$3 t0=$4
  for _ in $(seq 1 3000); do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url")" = 200 ]; then
      START_MS[$label]=$(( ($(date +%s%N) - t0) / 1000000 ))
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || die "$label exited before it answered"
    sleep 0.01
  done
  die "$label did not answer 200 at $url within 60 s"
}
# curve LABEL URL: right after start, the 1 KiB throughput in each window (what a test suite gets)
# (and, in each window, the backend's CPU per request and the host probe: both the same work
# throughout, so a change in them is the machine changing speed, not the target)
curve() {
  local label=$1 url=$2 i rates="" backend="" host="" b0 b1 h0 rps n
  for i in $(seq 1 "$CURVE_WINDOWS"); do
    b0=$(cpu_ticks "$BACKEND_PID"); h0=$(date +%s.%N)
    run_wrk "$W/curve-$i.txt" "$url/1k" "$CONNS" "$CURVE_S"
    b1=$(cpu_ticks "$BACKEND_PID")
    read -r rps _ _ _ n <<<"$(wrk_fields "$W/curve-$i.txt")"
    rates="$rates $rps"
    backend="$backend $(us_per_request $((b1 - b0)) "$n")"
    host="$host $(host_ms "$h0" "$(date +%s.%N)")"
  done
  CURVES+=("$label|${rates# }|${backend# }|${host# }")
  progress "$label from start, req/s per ${CURVE_S}s window:$rates (backend us per request:$backend; host probe ms:$host)"
}
# first_10s RATES: the mean req/s of a curve's windows that fall in its first 10 s
first_10s() { echo "$1" | awk -v w="$CURVE_S" '{ n = int(10 / w); if (n < 1) n = 1; s = 0; for (i = 1; i <= n && i <= NF; i++) s += $i; printf "%.0f", s / (i - 1) }'; }
# measure TARGET LABEL BASEURL JVM(0/1) PID: for a JVM, the warm-up curve from start first; then
# both bodies at $CONNS connections and 1 KiB at $MOD_CONNS (latency under moderate load)
measure() {
  local target=$1 label=$2 base=$3 jvm=$4 pid=$5 i
  if [ "$jvm" = 1 ]; then
    curve "$label" "$base"
  else
    progress "$label: warm-up (${NGINX_WARM}s)"
    run_wrk "$W/wrk-$target-warm.txt" "$base/1k" "$CONNS" "$NGINX_WARM"
  fi
  wrk_row "$target" "$label" "$base/1k" 1k "$CONNS" "$DUR" "$pid"
  if [ "$jvm" = 1 ]; then
    for i in $(seq 1 "$WARM_RUNS"); do
      progress "$label 64k: warm-up $i/$WARM_RUNS (${WARM_DUR}s)"
      run_wrk "$W/wrk-$target-64k-warm$i.txt" "$base/64k" "$CONNS" "$WARM_DUR"
    done
  fi
  wrk_row "$target" "$label" "$base/64k" 64k "$CONNS" "$DUR" "$pid"
  wrk_row "$target" "$label" "$base/1k" 1k "$MOD_CONNS" "$MOD_DUR" "$pid"
  RSS[$label]=$(peak_rss_mib "$pid")
}
row_get() { # row_get LABEL BODY CONNS FIELD(3=rps 4=p50 5=p99 6=err)
  local r
  for r in "${ROWS[@]}"; do
    IFS='|' read -r -a f <<<"$r"
    if [ "${f[0]}" = "$1" ] && [ "${f[1]}" = "$2" ] && [ "${f[6]}" = "$3" ]; then echo "${f[$4]}"; return; fi
  done
  echo ""
}
calc() { awk "BEGIN { $1 }"; }

# ---- prerequisites --------------------------------------------------------------------------
need_apt=()
command -v wrk >/dev/null 2>&1 || need_apt+=(wrk)
{ command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; } || need_apt+=(nginx-light)
command -v curl >/dev/null 2>&1 || need_apt+=(curl)
command -v python3 >/dev/null 2>&1 || need_apt+=(python3)
if [ ${#need_apt[@]} -gt 0 ]; then
  progress "installing ${need_apt[*]} from Debian's packages"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"; } >"$W/apt.log" 2>&1 \
    || { tail -20 "$W/apt.log"; die "could not install ${need_apt[*]}"; }
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
command -v java >/dev/null 2>&1 || die "java (17+) is needed"
# chaos-proxy is measured on each JVM: the baseline (the default java, 17) and Java 25 when the
# machine has it (virtual threads; the JVM a user would pick, so its figures decide PASS or MISS)
JAVA17=${JAVA17:-$(command -v java)}
JAVA25=${JAVA25:-$(ls -d /usr/lib/jvm/temurin-25*/bin/java /usr/lib/jvm/java-25*/bin/java 2>/dev/null | head -n 1)}
JVMS=(17)
[ -n "$JAVA25" ] && [ -x "$JAVA25" ] && JVMS+=(25)
java_of() { if [ "$1" = 25 ]; then echo "$JAVA25"; else echo "$JAVA17"; fi; }
MAIN_JVM=${JVMS[${#JVMS[@]}-1]}
MAIN="chaos-proxy $MAIN_JVM"
BENCH_JAVA=$JAVA17
command -v mvn >/dev/null 2>&1 || die "mvn is needed"

if [ "$BUILD" = 1 ]; then
  progress "building proxy/target/chaos-proxy.jar (mvn -B -q -DskipTests -DskipArchive -pl proxy -am package)"
  mvn -B -q -DskipTests -DskipArchive -pl proxy -am package >"$W/build.log" 2>&1 || { tail -40 "$W/build.log"; die "the build failed"; }
fi
[ -f proxy/target/chaos-proxy.jar ] || die "proxy/target/chaos-proxy.jar is missing (drop --no-build)"
JAR="$W/chaos-proxy.jar"
cp proxy/target/chaos-proxy.jar "$JAR"   # a private copy: a rebuild elsewhere cannot change it mid-run
# the README's run command is the launcher next to the jar (its archives are written beside it)
LAUNCHER="$W/chaos-proxy"
cp proxy/src/main/launcher/chaos-proxy "$LAUNCHER"

mkdir -p "$CACHE"
fetch() { # fetch GAV FILE
  [ -s "$2" ] && return 0
  progress "fetching $1"
  (cd "$W" && mvn -B -q dependency:copy -Dartifact="$1" -DoutputDirectory="$CACHE") >"$W/fetch.log" 2>&1 \
    || { tail -20 "$W/fetch.log"; die "could not fetch $1"; }
  [ -s "$2" ] || die "fetched $1 but $2 is missing"
}
if [ "$PROFILE" = 0 ]; then
  fetch "$WIREMOCK_GAV" "$WIREMOCK_JAR"
  fetch "$MOCKSERVER_GAV" "$MOCKSERVER_JAR"
  # the stack's floor (StackFloor.java): Jetty's own reverse proxy, at the jar's Jetty version
  JETTY_VERSION=$(unzip -p "$JAR" META-INF/maven/org.eclipse.jetty/jetty-server/pom.properties 2>/dev/null | sed -n 's/^version=//p')
  [ -n "$JETTY_VERSION" ] || die "no Jetty version in $JAR"
  FLOOR_CP=$JAR
  for a in jetty-proxy jetty-client jetty-alpn-client compression:jetty-compression-common compression:jetty-compression-gzip; do
    group=org.eclipse.jetty; name=$a
    case $a in compression:*) group=org.eclipse.jetty.compression; name=${a#compression:} ;; esac
    fetch "$group:$name:$JETTY_VERSION" "$CACHE/$name-$JETTY_VERSION.jar"
    FLOOR_CP="$FLOOR_CP:$CACHE/$name-$JETTY_VERSION.jar"
  done
fi

# fixed bodies; the streaming files are sparse (no disk space, read from the page cache)
mkdir -p "$W/www" "$W/nginx-tmp"
head -c 768 /dev/urandom | base64 -w 0 | head -c 1024 >"$W/www/1k"
head -c 49152 /dev/urandom | base64 -w 0 | head -c 65536 >"$W/www/64k"
truncate -s 256M "$W/www/256m"
truncate -s 1G "$W/www/1g"

# nginx_conf NAME PORT [UPSTREAM_PORT]: a one-process nginx in the foreground; with an upstream
# port it is a proxy_pass reverse proxy with upstream keep-alive, otherwise the file server
nginx_conf() {
  local name=$1 port=$2 up=${3:-}
  local server
  if [ -n "$up" ]; then
    server="upstream backend { server 127.0.0.1:$up; keepalive 64; keepalive_requests 1000000; }
    server { listen 127.0.0.1:$port; location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection \"\"; } }"
  else
    server="server { listen 127.0.0.1:$port; root $W/www; location / { } }"
  fi
  cat >"$W/$name.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
worker_rlimit_nofile 16384;
pid $W/$name.pid;
error_log $W/$name.error.log warn;
events { worker_connections 8192; }
http {
    access_log off;
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_timeout 120s;
    keepalive_requests 1000000;
    client_body_temp_path $W/nginx-tmp/body;
    proxy_temp_path $W/nginx-tmp/proxy;
    fastcgi_temp_path $W/nginx-tmp/fastcgi;
    uwsgi_temp_path $W/nginx-tmp/uwsgi;
    scgi_temp_path $W/nginx-tmp/scgi;
    $server
}
EOF
}

# the backend: nginx serving the fixed bodies (on the load CPU when pinned)
BACKEND_PORT=$(free_port)
nginx_conf backend "$BACKEND_PORT"
start_bg backend "${LOAD[@]}" "$NGINX" -p "$W" -c "$W/backend.conf"
BACKEND_PID=$LAST_PID
BACKEND="http://127.0.0.1:$BACKEND_PORT"
wait_200 "$BACKEND/1k" "$BACKEND_PID" backend
# the machine's own speed, sampled every second on each CPU beside everything below (about 1% of
# each; not under the load's taskset: it moves itself from CPU to CPU, also to the one that --pin
# gives the server under test)
start_bg host-probe python3 "$BENCH/host_probe.py" "$W/host-probe.txt" 1

# start_chaos_proxy NAME JAVA [JVM OPTIONS...]: through the launcher, as the README runs it; sets
# CP_PID, CP_PORT, CP_CONTROL, START_MS[NAME]
start_chaos_proxy() {
  local name=$1 java=$2 t0; shift 2
  rm -f "$W/$name.ports"
  t0=$(date +%s%N)
  start_bg "$name" "${SERVER[@]}" env JAVA_HOME="$(dirname "$(dirname "$java")")" CHAOS_PROXY_JAVA_OPTS="$*" \
    bash "$LAUNCHER" --listen 127.0.0.1:0 --control 127.0.0.1:0 \
    --upstream "$BACKEND" --port-file "$W/$name.ports"
  CP_PID=$LAST_PID
  wait_port_file "$W/$name.ports" "$CP_PID" "$name"
  started "$name" "http://127.0.0.1:$CP_PORT/1k" "$CP_PID" "$t0"
}

# ---- --profile and --profile-native: what both share ----------------------------------------
if [ "$PROFILE" != 0 ]; then
  stamp=$(date +%Y%m%d-%H%M%S)
  warm=$([ "$QUICK" = 1 ] && echo 3 || echo 10)
fi
# under_profiler WRK_OUTPUT: the load's own figures, to read the profile against
under_profiler() {
  read -r rps p50 p99 err _ <<<"$(wrk_fields "$1")"
  progress "under the profiler: $rps req/s, p50 $p50 ms, p99 $p99 ms, errors $err"
}

# ---- --profile: JFR under wrk load, then the hot spots ---------------------------------------
if [ "$PROFILE" = 1 ]; then
  JFR="$CACHE/chaos-proxy-$stamp.jfr"
  # no class-data archive: a run that writes one has JFR disabled, and warm code is what is profiled
  export CHAOS_PROXY_CACHE_DIR=/nonexistent
  # DebugNonSafepoints: samples name the inlined method they are in, not the nearest safepoint's
  start_chaos_proxy chaos-proxy-jfr "$(java_of "$MAIN_JVM")" -XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints -XX:FlightRecorderOptions=stackdepth=128 "-XX:StartFlightRecording=delay=$((warm + 2))s,duration=${PROFILE_S}s,settings=profile,filename=$JFR"
  progress "warm-up ${warm}s, then ${PROFILE_S}s of wrk load (1 KiB, $CONNS connections) while JFR records; load average $(loadavg)"
  run_wrk "$W/wrk-jfr-warm.txt" "http://127.0.0.1:$CP_PORT/1k" "$CONNS" "$warm"
  sleep 2
  run_wrk "$W/wrk-jfr.txt" "http://127.0.0.1:$CP_PORT/1k" "$CONNS" "$((PROFILE_S + 2))"
  under_profiler "$W/wrk-jfr.txt"
  for _ in $(seq 1 100); do [ -s "$JFR" ] && break; sleep 0.2; done
  stop_pid "$CP_PID"
  [ -s "$JFR" ] || die "no recording at $JFR"
  say "recording: $JFR"
  jfr summary "$JFR" | sed -n '1,12p'
  python3 "$BENCH/jfr_hotspots.py" "$JFR"
  exit 0
fi

# ---- --profile-native: async-profiler under wrk load, kernel frames included -----------------
# JFR sees neither the kernel nor where a virtual thread's time really went (its samples land on
# the frame the thread resumes into); async-profiler samples every thread with perf_events, so
# syscalls show up under the Java frame that made them. Loaded into the running proxy with jcmd.
if [ "$PROFILE" = 2 ]; then
  OUT_PROFILE="$CACHE/chaos-proxy-$stamp.collapsed"
  AP_LIB="$CACHE/async-profiler/linux-x64/libasyncProfiler.so"
  if [ ! -s "$AP_LIB" ]; then
    fetch "$ASYNC_PROFILER_GAV" "$CACHE/$ASYNC_PROFILER_JAR"
    mkdir -p "$CACHE/async-profiler"
    python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$CACHE/$ASYNC_PROFILER_JAR" "$CACHE/async-profiler"
    [ -s "$AP_LIB" ] || die "no libasyncProfiler.so in $ASYNC_PROFILER_JAR"
  fi
  java=$(java_of "$MAIN_JVM")
  jcmd="$(dirname "$java")/jcmd"
  # as the README runs it (launcher flags, class-data archive); DebugNonSafepoints names inlined frames
  start_chaos_proxy chaos-proxy-native "$java" -XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints
  progress "warm-up ${warm}s, then ${PROFILE_S}s of wrk load (1 KiB, $CONNS connections) under async-profiler; perf_event_paranoid $(cat /proc/sys/kernel/perf_event_paranoid 2>/dev/null || echo '?'); load average $(loadavg)"
  run_wrk "$W/wrk-native-warm.txt" "http://127.0.0.1:$CP_PORT/1k" "$CONNS" "$warm"
  # the options in quotes of their own: jcmd would read "a=b" as one of its own named arguments
  "$jcmd" "$CP_PID" JVMTI.agent_load "$AP_LIB" '"start,event=cpu,interval=1ms,threads"' >"$W/ap-start.txt" 2>&1
  grep -q 'return code: 0' "$W/ap-start.txt" || { cat "$W/ap-start.txt"; die "async-profiler did not start"; }
  run_wrk "$W/wrk-native.txt" "http://127.0.0.1:$CP_PORT/1k" "$CONNS" "$PROFILE_S"
  "$jcmd" "$CP_PID" JVMTI.agent_load "$AP_LIB" "\"stop,file=$OUT_PROFILE,collapsed\"" >"$W/ap-stop.txt" 2>&1
  under_profiler "$W/wrk-native.txt"
  stop_pid "$CP_PID"
  [ -s "$OUT_PROFILE" ] || { cat "$W/ap-start.txt" "$W/ap-stop.txt"; die "no profile at $OUT_PROFILE"; }
  say "profile: $OUT_PROFILE"
  python3 "$BENCH/native_hotspots.py" "$OUT_PROFILE"
  exit 0
fi

# ---- wait for a quiet machine ----------------------------------------------------------------
if [ "$WAIT_IDLE" = 1 ]; then
  for i in $(seq 0 30); do
    la=$(loadavg)
    if calc "exit !($la <= 0.8)"; then break; fi
    [ "$i" = 30 ] && { say "WARNING: the load average is still $la after 30 minutes: figures below are taken on a busy machine"; break; }
    progress "1-minute load average $la > 0.8: other work is running; waiting 60 s ($((i + 1))/30)"
    sleep 60
  done
fi

say "chaos-proxy benchmark, $(date -u +%Y-%m-%dT%H:%M:%SZ)$([ "$QUICK" = 1 ] && echo ' (--quick: short runs, not for comparison)')"
say "machine: $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), $(free -g | awk '/^Mem:/ {print $2}') GiB, $(uname -sr)"
say "java: $(for v in "${JVMS[@]}"; do printf '%s: %s; ' "$v" "$("$(java_of "$v")" -version 2>&1 | head -1)"; done)$("$NGINX" -v 2>&1); $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)"
say "chaos-proxy: built from $(git rev-parse --short HEAD 2>/dev/null || echo '?') with $(git status --porcelain -- fault-scenarios proxy 2>/dev/null | wc -l) changed or new files under fault-scenarios/ and proxy/"
say "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
say "CPU placement: $PLACEMENT"
say "load: wrk -t1 -c$CONNS -d${DUR}s --latency, keep-alive; a JVM target first runs $CURVE_WINDOWS x ${CURVE_S}s of 1 KiB from its start (the warm-up curve), then the 1 KiB figure, $WARM_RUNS x ${WARM_DUR}s of 64 KiB warm-up, the 64 KiB figure; nginx targets warm up ${NGINX_WARM}s"
say "backend: nginx, 1 process, static files (1 KiB and 64 KiB) from the page cache"
say ""

# ---- throughput and latency, target by target ------------------------------------------------
START_MS["direct (nginx)"]="-"
measure direct "direct (nginx)" "$BACKEND" 0 "$BACKEND_PID"

NGX_PORT=$(free_port)
nginx_conf nginx-proxy "$NGX_PORT" "$BACKEND_PORT"
t0=$(date +%s%N)
start_bg nginx-proxy "${SERVER[@]}" "$NGINX" -p "$W" -c "$W/nginx-proxy.conf"
NGX_PID=$LAST_PID
started "nginx proxy_pass" "http://127.0.0.1:$NGX_PORT/1k" "$NGX_PID" "$t0"
measure nginx-proxy "nginx proxy_pass" "http://127.0.0.1:$NGX_PORT" 0 "$NGX_PID"
stop_pid "$NGX_PID"
NGX_TEMPFILE_WARNINGS=$(grep -c 'buffered to a temporary file' "$W/nginx-proxy.error.log" 2>/dev/null)

# ---- the stack's floor: the least proxy on chaos-proxy's stack, on the newest JVM --------------
# no faults, journal, access log or retries: what chaos-proxy's own work adds is the gap between
# its rows and these; what the stack itself costs is the gap between these and nginx proxy_pass
floor() { # floor MODE LABEL
  local mode=$1 label=$2 pid port
  rm -f "$W/floor-$mode.port"
  start_bg "floor-$mode" "${SERVER[@]}" "$(java_of "$MAIN_JVM")" -XX:+UseSerialGC -Xmx96m -cp "$FLOOR_CP" \
    "$BENCH/StackFloor.java" "$mode" "$BACKEND" "$W/floor-$mode.port"
  pid=$LAST_PID
  wait_port_file_of "$W/floor-$mode.port" "$pid" "floor-$mode"
  port=$(cat "$W/floor-$mode.port")
  # warm as the chaos-proxy rows are by the time they are measured (its curve and 64 KiB warm-ups)
  progress "$label: warm-up (${WARM_DUR}s of 1 KiB, ${WARM_DUR}s of 64 KiB)"
  run_wrk "$W/wrk-floor-$mode-warm1k.txt" "http://127.0.0.1:$port/1k" "$CONNS" "$WARM_DUR"
  run_wrk "$W/wrk-floor-$mode-warm64k.txt" "http://127.0.0.1:$port/64k" "$CONNS" "$WARM_DUR"
  measure "floor-$mode" "$label" "http://127.0.0.1:$port" 0 "$pid"
  stop_pid "$pid"
}
if [ "$PROFILE" = 0 ]; then
  floor okhttp "floor OkHttp $MAIN_JVM"
  floor jetty "floor Jetty $MAIN_JVM"
  floor jetty-direct "floor direct $MAIN_JVM"
  floor server "Jetty alone $MAIN_JVM"
fi

# chaos_proxy_suite VERSION: every chaos-proxy figure on one JVM; results in R[VERSION.name]
declare -A R
chaos_proxy_suite() {
  local v=$1 label="chaos-proxy $1" java
  java=$(java_of "$v")
  BENCH_JAVA=$java
  # the launcher's class-data archive (AOT cache on 25) as a build on this JVM leaves it: its
  # training run, 4 s of traffic (proxy/src/build/TrainArchive.java), never pinned, as a build is;
  # every run measured uses it
  progress "$label: the build's training run (writes the launcher's archive for Java $v)"
  "$java" "$ROOT/proxy/src/build/TrainArchive.java" "$LAUNCHER" >"$W/train-$v.txt" 2>&1 \
    || { cat "$W/train-$v.txt"; die "the training run on Java $v failed"; }
  sed 's/^/   /' "$W/train-$v.txt"
  start_chaos_proxy "$label" "$java"
  local cp="http://127.0.0.1:$CP_PORT" control="http://127.0.0.1:$CP_CONTROL"
  R[$v.seed]=$(curl -s "$control/status" | sed -nE 's/.*"seed": *(-?[0-9]+).*/\1/p')
  measure "chaos-proxy-$v" "$label" "$cp" 1 "$CP_PID"

  progress "$label: held concurrency, $HELD_N requests at once under a 1 s latency rule"
  curl -s -o /dev/null -X POST -H 'Content-Type: application/json' -d '{"name":"bench-held","type":"latency","delayMs":1000}' "$control/faults"
  cpu_mark
  bench_client held 127.0.0.1 "$CP_PORT" /1k "$HELD_N" >"$W/held-$v.txt" 2>"$W/held-$v.err" || say "held concurrency on $v: the client failed"
  R[$v.other_held]=$(cpu_other)
  curl -s -o /dev/null -X DELETE "$control/faults"
  sed 's/^/   /' "$W/held-$v.err"

  progress "$label: fault precision, ${PREC_DELAY} ms latency rule at $PREC_RATE req/s for ${PREC_S}s (after a ${PREC_S}s baseline)"
  cpu_mark
  bench_client precision 127.0.0.1 "$CP_PORT" "$CP_CONTROL" /1k "$PREC_RATE" "$PREC_S" "$PREC_DELAY" >"$W/precision-$v.txt" 2>"$W/precision-$v.err" \
    || say "fault precision on $v: the client failed"
  R[$v.other_prec]=$(cpu_other)
  sed 's/^/   /' "$W/precision-$v.err"

  progress "$label: fault probability, error rule with probability $PROB_P over $PROB_N requests"
  bench_client probability 127.0.0.1 "$CP_PORT" "$CP_CONTROL" /1k "$PROB_N" "$PROB_P" >"$W/probability-$v.txt" 2>"$W/probability-$v.err" \
    || say "fault probability on $v: the client failed"
  sed 's/^/   /' "$W/probability-$v.err"
  RSS[$label]=$(peak_rss_mib "$CP_PID")
  stop_pid "$CP_PID"

  start_chaos_proxy "chaos-proxy-stream-$v" "$java" -Xmx128m
  if [ "$STREAM_WARM" = 1 ]; then
    progress "$label: streaming 256 MiB warm-up (-Xmx128m)"
    stream "http://127.0.0.1:$CP_PORT" 256m >/dev/null
  fi
  progress "$label: streaming 1 GiB (-Xmx128m)"
  cpu_mark
  local bytes secs
  read -r bytes secs <<<"$(stream "http://127.0.0.1:$CP_PORT" 1g)"
  R[$v.other_stream]=$(cpu_other)
  R[$v.stream_rss]=$(peak_rss_mib "$CP_PID")
  stop_pid "$CP_PID"
  R[$v.stream_mbs]=$(calc "printf \"%.0f\", $bytes / 1e6 / $secs")

  # not pinned: a user's `java -jar` or test JVM gets the whole machine
  progress "$label: the launcher's spawn to the first proxied 200, $JAR_RUNS runs (not pinned)"
  cpu_mark
  "$java" -cp "$JAR" "$BENCH/BenchClient.java" jar-start "$LAUNCHER" "$BACKEND" /1k "$JAR_RUNS" "$W" >"$W/jar-start-$v.txt" 2>"$W/jar-start-$v.err" \
    || say "launcher start on $v: the client failed"
  R[$v.other_jar]=$(cpu_other)
  sed 's/^/   /' "$W/jar-start-$v.err"
  progress "$label: plain java -jar (no flags, no archive) to the first proxied 200, $JAR_RUNS runs"
  "$java" -cp "$JAR" "$BENCH/BenchClient.java" jar-start "$JAR" "$BACKEND" /1k "$JAR_RUNS" "$W" >"$W/plain-start-$v.txt" 2>"$W/plain-start-$v.err" \
    || say "java -jar start on $v: the client failed"
  R[$v.plain_med]=$(result_field "$W/plain-start-$v.txt" median_ms)
  progress "$label: in-process ChaosProxyServer, $INPROC_WARM warm-up starts then $INPROC_RUNS measured (not pinned)"
  "$java" -cp "$JAR" "$BENCH/BenchClient.java" inprocess-start "$BACKEND" /1k "$INPROC_WARM" "$INPROC_RUNS" >"$W/inprocess-$v.txt" 2>"$W/inprocess-$v.err" \
    || say "in-process start on $v: the client failed"
  sed 's/^/   /' "$W/inprocess-$v.err"
}
stream() { # stream URL FILE -> "bytes seconds"
  "${LOAD[@]}" curl -s -o /dev/null --max-time 300 -w '%{size_download} %{time_total}\n' "$1/$2"
}
progress "streaming: 1 GiB direct from nginx (reference)"
read -r s_direct_bytes s_direct_time <<<"$(stream "$BACKEND" 1g)"
S_DIRECT_MBS=$(calc "printf \"%.0f\", $s_direct_bytes / 1e6 / $s_direct_time")
for v in "${JVMS[@]}"; do
  chaos_proxy_suite "$v"
done

# ---- the other JVM proxies -------------------------------------------------------------------
WM_PORT=$(free_port)
mkdir -p "$W/wiremock"
t0=$(date +%s%N)
start_bg wiremock "${SERVER[@]}" env -C "$W/wiremock" java -jar "$WIREMOCK_JAR" --bind-address 127.0.0.1 --port "$WM_PORT" \
  --proxy-all "$BACKEND" --root-dir "$W/wiremock" --disable-banner
WM_PID=$LAST_PID
started "WireMock 3.13.2" "http://127.0.0.1:$WM_PORT/1k" "$WM_PID" "$t0"
measure wiremock "WireMock 3.13.2" "http://127.0.0.1:$WM_PORT" 1 "$WM_PID"
stop_pid "$WM_PID"

MS_PORT=$(free_port)
mkdir -p "$W/mockserver"  # its working folder: MockServer writes mockserver-ca.pem there
t0=$(date +%s%N)
start_bg mockserver "${SERVER[@]}" env -C "$W/mockserver" java -Dmockserver.maxLogEntries=1000 -Dmockserver.localBoundIP=127.0.0.1 \
  -jar "$MOCKSERVER_JAR" proxy -p "$MS_PORT" --to "127.0.0.1:$BACKEND_PORT"
MS_PID=$LAST_PID
started "MockServer 7.6.0" "http://127.0.0.1:$MS_PORT/1k" "$MS_PID" "$t0"
measure mockserver "MockServer 7.6.0" "http://127.0.0.1:$MS_PORT" 1 "$MS_PID"
stop_pid "$MS_PID"

# ---- TCP proxies: TcpBench, side by side with direct loopback, on each JVM --------------------
for v in "${JVMS[@]}"; do
  progress "TCP proxy on Java $v: MB/s for 1 and 64 connections, 64-byte round trips; load average $(loadavg)"
  "${SERVER[@]}" "$(java_of "$v")" -Xmx256m -cp "$JAR" "$BENCH/TcpBench.java" > "$W/tcp-$v.txt" 2>&1 \
    || say "TcpBench on Java $v failed: $(tail -n 3 "$W/tcp-$v.txt")"
done

# ---- the report ------------------------------------------------------------------------------
say ""
say "== Throughput and latency (wrk, keep-alive, ${DUR}s measured) =="
printf '%-18s %-5s %5s %10s %9s %9s %7s %9s %11s %7s %8s %9s\n' target body conns "req/s" "p50 ms" "p99 ms" errors "cpu us/req" "main/this" "other%" "backend" "host"
for r in "${ROWS[@]}"; do
  IFS='|' read -r -a f <<<"$r"
  cp_rps=$(row_get "$MAIN" "${f[1]}" "${f[6]}" 2)
  ratio="-"
  if [ "${f[0]}" != "$MAIN" ] && [ -n "$cp_rps" ] && [ "${f[2]}" != 0 ]; then
    ratio=$(calc "printf \"%.2fx\", $cp_rps / ${f[2]}")
  fi
  printf '%-18s %-5s %5s %10s %9s %9s %7s %9s %11s %7s %8s %9s\n' "${f[0]}" "${f[1]}" "${f[6]}" "${f[2]}" "${f[3]}" "${f[4]}" "${f[5]}" "${f[8]}" "$ratio" "${f[7]}" "${f[9]}" "${f[10]}"
done
say "main/this = $MAIN's req/s divided by this row's, same body and connections (above 1: chaos-proxy is faster)"
say "cpu us/req = CPU time (user + system) of the target's process during the row, divided by the requests wrk completed"
say "other% = CPU that processes outside this benchmark took during the row, in % of one CPU (of $(nproc)): well above 0, the row was measured on a busy machine"
say "backend = the nginx backend's CPU us per request in the row (for 'direct' it is the target): the same work for every request,"
say "  so between rows of one body size and similar req/s, a change in it is the host's CPUs changing speed"
say "host = ms of CPU that the host probe's fixed work took on each CPU (src/bench/host_probe.py; medians of its samples in the row,"
say "  cpu0/cpu1): it does not depend on the request rate; about 6 on a CPU at full speed, about 11 on one the host slows"
say "settings: chaos-proxy defaults (text access log to /dev/null, journal 10,000, retries and breaker on); nginx proxy_pass"
say "  with 'keepalive 64' upstream, HTTP/1.1, default buffering$([ -n "${NGX_TEMPFILE_WARNINGS:-}" ] && [ "$NGX_TEMPFILE_WARNINGS" != 0 ] && echo ", $NGX_TEMPFILE_WARNINGS responses buffered to temp files")"
say "  WireMock --proxy-all with its default request journal (unbounded); MockServer 'proxy --to' (port forwarding)"
say "  with -Dmockserver.maxLogEntries=1000 and its default log level (INFO, console to /dev/null)"
say "  floor OkHttp / floor Jetty (src/bench/StackFloor.java, Java $MAIN_JVM, the launcher's heap and collector): the least"
say "  proxy on chaos-proxy's stack, no faults, journal or access log; a Jetty handler blocking in OkHttp with chaos-proxy's"
say "  client settings, and Jetty's own asynchronous ProxyHandler.Reverse (jetty-proxy ${JETTY_VERSION:-?}, no OkHttp)"
say "  floor direct (StackFloor.java jetty-direct): Jetty's HttpClient called straight from a non-blocking handler on"
say "  the selector thread (no ProxyHandler, no hand-off to a handler thread), the answer written back once it has all come"
say "  Jetty alone (StackFloor.java server): no upstream leg, Jetty's server side with chaos-proxy's blocking handler threads"
say "  answering from memory: the ceiling of any proxy on that server"

say ""
say "== From start: 1 KiB req/s in each ${CURVE_S} s window, $CONNS connections, starting at the first 200 =="
for c in "${CURVES[@]}"; do
  IFS='|' read -r label rates backend host <<<"$c"
  warm=$(row_get "$label" 1k "$CONNS" 2)
  first10=$(first_10s "$rates")
  share=$( [ -n "$warm" ] && [ "$warm" != 0 ] && calc "printf \"%.0f%%\", 100 * $first10 / $warm")
  printf '%-18s %s  (first 10 s: %s req/s = %s of warm %s)\n' "$label" "$rates" "$first10" "${share:-?}" "${warm:-?}"
  printf '%-18s %s\n' "  backend us/req" "$backend"
  printf '%-18s %s\n' "  host probe ms" "$host"
done

say ""
say "== Start and footprint =="
printf '%-18s %16s %16s\n' target "start to 200 ms" "peak RSS MiB"
FOOTPRINT_LABELS=("direct (nginx)" "nginx proxy_pass")
for v in "${JVMS[@]}"; do FOOTPRINT_LABELS+=("chaos-proxy $v"); done
FOOTPRINT_LABELS+=("WireMock 3.13.2" "MockServer 7.6.0")
for label in "${FOOTPRINT_LABELS[@]}"; do
  printf '%-18s %16s %16s\n' "$label" "${START_MS[$label]:-?}" "${RSS[$label]:-?}"
done
say "start: spawn to the first proxied 200 of that run (the process also logs and opens its control port); peak RSS: VmHWM after its load"

say ""
say "== Further figures, per JVM =="
for v in "${JVMS[@]}"; do
  h_ok=$(result_field "$W/held-$v.txt" ok); h_n=$(result_field "$W/held-$v.txt" n); h_wall=$(result_field "$W/held-$v.txt" wall_ms)
  h_fail=$(result_field "$W/held-$v.txt" failed)
  j_med=$(result_field "$W/jar-start-$v.txt" median_ms); i_med=$(result_field "$W/inprocess-$v.txt" median_ms)
  p_abs99=$(result_field "$W/precision-$v.txt" abs_err_p99_ms); b_obs=$(result_field "$W/probability-$v.txt" observed)
  R[$v.h_ok]=$h_ok; R[$v.h_wall]=$h_wall; R[$v.j_med]=$j_med; R[$v.i_med]=$i_med; R[$v.p_abs99]=$p_abs99; R[$v.b_obs]=$b_obs
  say "Java $v: streaming 1 GiB (-Xmx128m) ${R[$v.stream_mbs]} MB/s, peak RSS ${R[$v.stream_rss]} MiB (direct from nginx ${S_DIRECT_MBS} MB/s); held $h_ok/${h_n:-?} (failed ${h_fail:-?}) within ${h_wall:-?} ms;"
  say "  launcher start median ${j_med:-?} ms, plain java -jar ${R[$v.plain_med]:-?} ms ($JAR_RUNS runs each); in-process start median ${i_med:-?} ms; delay |error| p99 ${p_abs99:-?} ms; probability $PROB_P observed ${b_obs:-?} (seed ${R[$v.seed]:-?})"
done

say ""
say "== TCP proxies (TcpBench: proxy and load in one JVM; a sink for MB/s, an echo for 64-byte round trips) =="
printf '%-14s %12s %12s %7s %12s %12s %7s %9s %9s %9s\n' target "1 conn MB/s" direct ratio "64 conn MB/s" direct ratio "p50 us" "added" "p99 us"
for v in "${JVMS[@]}"; do
  f="$W/tcp-$v.txt"
  printf '%-14s %12s %12s %7s %12s %12s %7s %9s %9s %9s\n' "chaos-proxy $v" "$(result_field "$f" proxy1_mbs)" "$(result_field "$f" direct1_mbs)" \
    "$(result_field "$f" ratio1)" "$(result_field "$f" proxy64_mbs)" "$(result_field "$f" direct64_mbs)" "$(result_field "$f" ratio64)" \
    "$(result_field "$f" proxy_p50_us)" "$(result_field "$f" added_p50_us)" "$(result_field "$f" proxy_p99_us)"
done
say "direct: the same clients straight to the sink or echo; added: proxy p50 minus direct p50 of the round trip"

# ---- targets ---------------------------------------------------------------------------------
say ""
say "== Targets (issue goals; PASS or MISS for each JVM, Java $MAIN_JVM is the one a user would pick) =="
ratio_of() { # ratio_of A B [DIGITS]: A / B to DIGITS places (2), or ? when a figure is missing or B is 0
  if [ -n "$1" ] && [ -n "$2" ] && [ "$2" != 0 ]; then calc "printf \"%.${3:-2}f\", $1 / $2"; else echo "?"; fi
}
verdict() { # verdict "awk condition" VALUE...: MISS when a figure is missing
  local cond=$1 v; shift
  for v in "$@"; do [ -z "$v" ] && { echo "MISS"; return; }; done
  if calc "exit !($cond)"; then echo PASS; else echo MISS; fi
}
for v in "${JVMS[@]}"; do
  label="chaos-proxy $v"
  for body in 1k 64k; do
    c=$(row_get "$label" $body $CONNS 2); n=$(row_get 'nginx proxy_pass' $body $CONNS 2)
    # judged on the figures, not on the rounded ratio: 0.796 is a MISS
    say "$(verdict "$c / $n >= 0.8" "$c" "$n")  Java $v: throughput $body >= 0.8x nginx proxy_pass: $(ratio_of "$c" "$n" 3)x (${c:-?} vs ${n:-?} req/s)"
    if [ "$v" = "$MAIN_JVM" ]; then
      fo=$(row_get "floor OkHttp $v" $body $CONNS 2); fj=$(row_get "floor Jetty $v" $body $CONNS 2)
      fd=$(row_get "floor direct $v" $body $CONNS 2); fs=$(row_get "Jetty alone $v" $body $CONNS 2)
      say "      the stack's floor, $body: OkHttp on Jetty $(ratio_of "$fo" "$n")x nginx proxy_pass, Jetty's own proxy $(ratio_of "$fj" "$n")x, Jetty's client direct $(ratio_of "$fd" "$n")x; chaos-proxy $(ratio_of "$c" "$fo")x the OkHttp floor"
      say "      Jetty alone (no upstream leg), $body: $(ratio_of "$fs" "$n")x nginx proxy_pass"
    fi
  done
  n99=$(row_get 'nginx proxy_pass' 1k $MOD_CONNS 4); c99=$(row_get "$label" 1k $MOD_CONNS 4)
  added=$( [ -n "$n99" ] && [ -n "$c99" ] && calc "printf \"%+.3f\", $c99 - $n99")
  say "$(verdict "$added <= 1" "$added")  Java $v: p99 at $MOD_CONNS connections within 1 ms of nginx proxy_pass: ${added:-?} ms (${c99:-?} vs ${n99:-?} ms)"
  for c in "${CURVES[@]}"; do
    IFS='|' read -r l rates _ <<<"$c"
    [ "$l" = "$label" ] || continue
    warm=$(row_get "$label" 1k "$CONNS" 2)
    first10=$(first_10s "$rates")
    say "$(verdict "$first10 / $warm >= 0.7" "$first10" "$warm")  Java $v: first 10 s after start >= 70% of warm throughput: $(ratio_of "$first10" "$warm" 3) ($first10 vs ${warm:-?} req/s)"
  done
  say "$(verdict "${RSS[$label]} <= 256" "${RSS[$label]}")  Java $v: peak RSS after load <= 256 MiB (the README's run command): ${RSS[$label]:-?} MiB"
  say "$(verdict "${R[$v.j_med]} <= 500" "${R[$v.j_med]}")  Java $v: start to first proxied 200 <= 0.5 s (the README's run command): ${R[$v.j_med]:-?} ms (median)"
  say "$(verdict "${R[$v.h_ok]} == $HELD_N && ${R[$v.h_wall]} <= 1300" "${R[$v.h_ok]}" "${R[$v.h_wall]}")  Java $v: $HELD_N delayed (1 s) requests all done within 1.3 s: ${R[$v.h_ok]:-?}/$HELD_N in ${R[$v.h_wall]:-?} ms"
  say "$(verdict "${R[$v.i_med]} <= 150" "${R[$v.i_med]}")  Java $v: in-process start to first response <= 150 ms: ${R[$v.i_med]:-?} ms (median, warm JVM)"
  say "$(verdict "${R[$v.p_abs99]} <= 5" "${R[$v.p_abs99]}")  Java $v: injected delay error p99 <= 5 ms: ${R[$v.p_abs99]:-?} ms"
  t1=$(result_field "$W/tcp-$v.txt" ratio1); t64=$(result_field "$W/tcp-$v.txt" ratio64); tadd=$(result_field "$W/tcp-$v.txt" added_p50_us)
  say "$(verdict "$t1 >= 0.8 && $t64 >= 0.8" "$t1" "$t64")  Java $v: TCP throughput >= 0.8x direct loopback: ${t1:-?}x (1 connection), ${t64:-?}x (64)"
  say "$(verdict "$tadd < 100" "$tadd")  Java $v: TCP added round-trip p50 < 100 us: ${tadd:-?} us"
  say "$(verdict "${R[$v.b_obs]} >= $PROB_P - 0.015 && ${R[$v.b_obs]} <= $PROB_P + 0.015" "${R[$v.b_obs]}")  Java $v: probability within +-1.5 points of $PROB_P: ${R[$v.b_obs]:-?}"
done
say ""
say "load average at end: $(cut -d' ' -f1-3 /proc/loadavg); total time $(( $(date +%s) - T_START )) s"
