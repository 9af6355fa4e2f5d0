#!/usr/bin/env bash
# End-to-end smoke test of the packaged jar, as a CI pipeline would use it: start it with the demo
# upstream, drive faults and a scenario over the control API with curl, read the journal and the
# metrics, stop it with SIGTERM. Loopback only; stops by itself. Needs `mvn package` first, on the
# JDK it checks and without -DskipArchive (it checks the archive that the build leaves).
set -uo pipefail
cd "$(dirname "$0")/../.."

JAR=proxy/target/chaos-proxy.jar
JAVA=${JAVA:-java} # CI runs this once per JDK
[ -f "$JAR" ] || { echo "smoke: $JAR is missing: run 'mvn -B -q -DskipTests package' first"; exit 1; }
command -v curl >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq curl >/dev/null; }
command -v openssl >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq openssl >/dev/null; }

work=$(mktemp -d)
# the README's run command: the launcher next to the jar, on the JVM this run checks (env and the
# launcher exec, so $! is the JVM's pid)
JVM_ENV=()
[ "$JAVA" = java ] || JVM_ENV=(JAVA_HOME="$(dirname "$(dirname "$JAVA")")")
LAUNCH=(env CHAOS_PROXY_CACHE_DIR="$work" "${JVM_ENV[@]}" bash proxy/target/chaos-proxy)
pid=
trap 'kill -9 $pid 2>/dev/null; rm -rf "$work"' EXIT

# start OUT COMMAND...: runs the proxy on free loopback ports in the background ($pid), waits for
# its port file (the moment it is ready) and sets $proxy and $control from it
start() {
  local out=$1
  shift
  rm -f "$work/ports.json"
  "$@" --listen 127.0.0.1:0 --control 127.0.0.1:0 --port-file "$work/ports.json" >"$out" 2>&1 &
  pid=$!
  for _ in $(seq 1 300); do
    [ -s "$work/ports.json" ] && break
    kill -0 $pid 2>/dev/null || { echo "smoke: the proxy exited early:"; cat "$out"; exit 1; }
    sleep 0.1
  done
  [ -s "$work/ports.json" ] || { echo "smoke: no port file after 30 s"; cat "$out"; exit 1; }
  control=$(sed -E 's/.*"control": ([0-9]+).*/\1/' "$work/ports.json")
  proxy=$(sed -E 's/.*"default": ([0-9]+).*/\1/' "$work/ports.json")
}

passed=0
failed=0
check() { # check NAME EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then passed=$((passed + 1)); echo "ok   $1"; else failed=$((failed + 1)); echo "FAIL $1: expected '$2', got '$3'"; fi
}
status() { curl -s -o /dev/null -w '%{http_code}' "$@"; }

# the build's training run (proxy/src/build/TrainArchive.java) left this JVM's archive beside the
# jar, and the first run after the build starts with it: -Xshare:on (-XX:AOTMode=on on 25) makes a
# JVM that cannot use its archive fail instead of starting without it
feature=$("$JAVA" -version 2>&1 | sed -nE 's/.*version "([0-9]+).*/\1/p' | head -n 1)
[ -n "$feature" ] || { echo "smoke: cannot tell the Java version of $JAVA"; exit 1; }
if [ "$feature" -ge 25 ]; then built=proxy/target/chaos-proxy-java$feature.aot; must=-XX:AOTMode=on
else built=proxy/target/chaos-proxy-java$feature.jsa; must=-Xshare:on; fi
check "the build (mvn package on this JDK, without -DskipArchive) left $built, newer than the jar" "yes" \
  "$([ "$built" -nt "$JAR" ] && echo yes || echo no)"
touch -r "$built" "$work/built.ref" 2>/dev/null
start "$work/out-built.txt" env -u CHAOS_PROXY_CACHE_DIR CHAOS_PROXY_JAVA_OPTS="$must" "${JVM_ENV[@]}" bash proxy/target/chaos-proxy
check "with the build's archive ($must): the demo upstream answers" 200 "$(status "http://127.0.0.1:$proxy/built")"
kill -TERM $pid
wait $pid
check "with the build's archive: SIGTERM exits 0" 0 "$?"
check "the build's archive is used as it is, not written again" "kept" \
  "$([ -f "$built" ] && [ -f "$work/built.ref" ] && ! [ "$built" -nt "$work/built.ref" ] && echo kept || echo changed)"

start "$work/out.txt" "${LAUNCH[@]}" --seed 7
P="http://127.0.0.1:$proxy"
C="http://127.0.0.1:$control"

check "ready line printed" "yes" "$(grep -q ready "$work/out.txt" && echo yes || echo no)"
check "health" 200 "$(status "$C/health")"
check "demo upstream answers through the proxy" 200 "$(status "$P/hello")"
check "request id kept" "smoke-1" "$(curl -s -D - -o /dev/null -H 'X-Request-Id: smoke-1' "$P/x" | tr -d '\r' | sed -n 's/^X-Request-Id: //Ip')"

check "install an error fault" 201 "$(status -X POST -H 'Content-Type: application/json' -d '{"type":"error","status":503,"match":{"path":"/orders/**"}}' "$C/faults")"
check "matching path gets the injected 503" 503 "$(status "$P/orders/42")"
check "other paths pass" 200 "$(status "$P/health-of-something-else")"
check "journal names the fault" "yes" "$(curl -s "$C/requests?path=/orders/**" | grep -q '"faults":\["f1"\]' && echo yes || echo no)"
check "bad rule is a 400 naming the field" "yes" "$(curl -s -X POST -H 'Content-Type: application/json' -d '{"type":"error","status":99}' "$C/faults" | grep -q '"field":"status"' && echo yes || echo no)"
check "remove all faults" 204 "$(status -X DELETE "$C/faults")"
check "healthy again" 200 "$(status "$P/orders/42")"

check "start the outage scenario" 201 "$(status -X POST -H 'Content-Type: application/json' -d '{"name":"outage"}' "$C/scenarios")"
curl -s -o /dev/null "$P/during-outage"; code=$?
check "outage resets the connection (curl exit 52 or 56)" "yes" "$([ $code -eq 52 ] || [ $code -eq 56 ] && echo yes || echo no)"
check "stop the scenario" 204 "$(status -X DELETE "$C/scenarios/running")"
check "healthy after the scenario" 200 "$(status "$P/after")"
check "HTTP/2 with prior knowledge (h2c) on the same port" "2 200" "$(curl -s --http2-prior-knowledge -o /dev/null -w '%{http_version} %{http_code}' "$P/h2")"
check "a drop fault on /h2-drop" 201 "$(status -X POST -H 'Content-Type: application/json' -d '{"type":"drop","match":{"path":"/h2-drop"}}' "$C/faults")"
curl -s --http2-prior-knowledge -o /dev/null "$P/h2-drop"; code=$?
check "over HTTP/2 a reset drop resets the stream (curl exit 92)" 92 "$code"
check "remove the drop fault" 204 "$(status -X DELETE "$C/faults")"

check "metrics count requests" "yes" "$(curl -s "$C/metrics" | grep -q '^chaosproxy_requests_total' && echo yes || echo no)"
check "reset" 204 "$(status -X POST "$C/reset")"

kill -TERM $pid
wait $pid
check "SIGTERM exits 0" 0 "$?"
check "the launcher's first run left its class-data archive" "yes" \
  "$(ls "$work"/chaos-proxy-java*.* >/dev/null 2>&1 && echo yes || echo no)"

# a second launch uses that archive
start "$work/out-again.txt" "${LAUNCH[@]}"
check "launcher with its archive: the demo upstream answers" 200 "$(status "http://127.0.0.1:$proxy/again")"
check "launcher with its archive: no JVM warning on the console" "" "$(grep -iE 'warning|error' "$work/out-again.txt" | head -n 1)"
kill -TERM $pid
wait $pid
check "launcher with its archive: SIGTERM exits 0" 0 "$?"

# the launcher's locale data is the JVM's fallback set, not CLDR's: under an Arabic locale the
# console's timestamps keep ASCII digits (with CLDR they came out in Arabic-Indic digits)
start "$work/out-locale.txt" env CHAOS_PROXY_JAVA_OPTS="-Duser.language=ar -Duser.country=EG" "${LAUNCH[@]}" \
  --upstream https://127.0.0.1:9 --upstream-insecure
check "an Arabic locale: the warning's timestamp in ASCII digits" "yes" \
  "$(grep -m 1 WARN "$work/out-locale.txt" | grep -qE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:' && echo yes || echo no)"
kill -TERM $pid
wait $pid
check "an Arabic locale: SIGTERM exits 0" 0 "$?"

# an archive older than the jar (the jar was rebuilt) is made again, not ignored for good
touch -d '2000-01-01' "$work"/chaos-proxy-java*.*
start "$work/out-stale.txt" "${LAUNCH[@]}"
kill -TERM $pid
wait $pid
check "an archive older than the jar: SIGTERM exits 0" 0 "$?"
check "an archive older than the jar is written again" "yes" \
  "$(for f in "$work"/chaos-proxy-java*.*; do [ "$f" -nt "$JAR" ] && echo yes; done | head -n 1)"

# HTTPS on the listener: a self-signed certificate made here, h2 and http/1.1 by ALPN
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=localhost \
  -addext "subjectAltName=DNS:localhost" -keyout "$work/key.pem" -out "$work/cert.pem" >/dev/null 2>&1
start "$work/out-tls.txt" "$JAVA" -jar "$JAR" --tls-cert "$work/cert.pem" --tls-key "$work/key.pem"
T="https://localhost:$proxy"
check "TLS listener: h2 by ALPN" "2 200" "$(curl -s --cacert "$work/cert.pem" -o /dev/null -w '%{http_version} %{http_code}' "$T/tls")"
check "TLS listener: http/1.1 by ALPN" "1.1 200" "$(curl -s --http1.1 --cacert "$work/cert.pem" -o /dev/null -w '%{http_version} %{http_code}' "$T/tls")"
check "TLS listener: the backend hears X-Forwarded-Proto https" "yes" \
  "$(curl -s --cacert "$work/cert.pem" "$T/tls" | grep -q '"X-Forwarded-Proto" : "https"' && echo yes || echo no)"
kill -TERM $pid
wait $pid
check "TLS listener: SIGTERM exits 0" 0 "$?"

echo "smoke: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
