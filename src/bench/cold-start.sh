#!/usr/bin/env bash
# The first chaos proxy of a fresh test JVM, as a test suite pays it: the JUnit Platform runs one
# test class whose @RegisterExtension ChaosProxy.builder() field makes its proxy; the clock runs from
# that class's initialisation (just before the builder) to its first test's first proxied response
# (build, the extension's start, the per-test reset, one GET through the proxy to a raw-socket
# backend). One measurement per fresh JVM, medians of N JVMs, on each JVM asked for. See
# junit-extension/src/test/java/io/chaosproxy/junit/ColdStartProbe.java.
#
# Usage: src/bench/cold-start.sh [N]   (default 7)
#   JVMS="java /usr/lib/jvm/temurin-25-jdk-amd64/bin/java"   the java launchers to compare (default:
#                                      `java` on the PATH, and Java 25 there when installed)
#   JAVA_OPTS="-XX:TieredStopAtLevel=1"   extra JVM options for every run (a Surefire argLine trial)
#   MODE=bare                          the same steps straight from main(), without JUnit: everything
#                                      the JVM loads first is charged to the proxy (the probe's first form)
#   MODE=baseline                      the same first test without a proxy (its GET straight to the
#                                      backend): what JUnit and the JVM cost a suite's first test anyway
#   MODE=okhttp                        the same first test, its GET made by a new OkHttp client: OkHttp's
#                                      first call alone, the floor under a proxy whose backend leg is OkHttp
# Builds junit-extension's test classes first (offline); prints every run, then one line per JVM.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-7}
default_jvms="java"
[ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ] && default_jvms="$default_jvms /usr/lib/jvm/temurin-25-jdk-amd64/bin/java"
jvms=${JVMS:-$default_jvms}
read -r -a opts <<<"${JAVA_OPTS:-}"

build() { "$@" >target/cold-start.build.log 2>&1 || { cat target/cold-start.build.log; exit 1; }; }
mkdir -p target
build mvn -B -q -o -pl junit-extension -am test-compile -DskipTests
build mvn -B -q -o -pl junit-extension -am dependency:build-classpath -Dmdep.outputFile=target/cold-start.classpath -Dmdep.includeScope=test
# this tree's own classes, never a chaos-proxy jar from ~/.m2
deps=$(tr ':' '\n' <junit-extension/target/cold-start.classpath | grep -v '/io/chaosproxy/' | paste -sd: -)
cp="junit-extension/target/test-classes:junit-extension/target/classes:proxy/target/classes:fault-scenarios/target/classes:$deps"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
field() { sed "s/.*$1=\([0-9.]*\).*/\1/"; }

summary=()
for jvm in $jvms; do
  version=$("$jvm" -version 2>&1 | head -1)
  lines=()
  for i in $(seq "$runs"); do
    line=$("$jvm" "${opts[@]}" -cp "$cp" io.chaosproxy.junit.ColdStartProbe ${MODE:-} 2>/dev/null | grep total_ms)
    echo "$version run $i: $line"
    lines+=("$line")
  done
  printf '%s\n' "${lines[@]}" >target/cold-start.runs
  summary+=("$(printf '%s: median of %d fresh JVMs: total %s ms (up %s + first request %s), CPU %s ms, %s classes' "$version" "$runs" \
    "$(field total_ms <target/cold-start.runs | median)" "$(field up_ms <target/cold-start.runs | median)" \
    "$(field first_request_ms <target/cold-start.runs | median)" "$(field cpu_ms <target/cold-start.runs | median)" \
    "$(field classes <target/cold-start.runs | median)")")
done
echo "load average before the summary: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%s\n' "${summary[@]}"
