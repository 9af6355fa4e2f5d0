#!/usr/bin/env bash
# The first chaos proxy of a fresh test JVM: start + first proxied response, median of N fresh JVMs.
# Usage: src/bench/cold-start.sh [N] (default 7). Builds junit-extension's test classes first.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-7}
mvn -B -q -o -pl junit-extension -am test-compile -DskipTests >/dev/null
mvn -B -q -o -pl junit-extension -am dependency:build-classpath -Dmdep.outputFile=target/cold-start.classpath -Dmdep.includeScope=test >/dev/null
# this tree's own classes, never a chaos-proxy jar from ~/.m2
deps=$(tr ':' '\n' <junit-extension/target/cold-start.classpath | grep -v '/io/chaosproxy/' | paste -sd: -)
cp="junit-extension/target/test-classes:junit-extension/target/classes:proxy/target/classes:fault-scenarios/target/classes:$deps"
totals=()
cpus=()
for i in $(seq "$runs"); do
  line=$(java -cp "$cp" io.chaosproxy.junit.ColdStartProbe 2>/dev/null | grep total_ms)
  echo "run $i: $line"
  totals+=("$(sed 's/.*total_ms=//' <<<"$line")")
  cpus+=("$(sed 's/.*cpu_ms=\([0-9.]*\).*/\1/' <<<"$line")")
done
printf '%s\n' "${totals[@]}" | sort -n | awk '{a[NR]=$1} END {print "median total_ms over " NR " fresh JVMs: " a[int((NR+1)/2)]}'
printf '%s\n' "${cpus[@]}" | sort -n | awk '{a[NR]=$1} END {print "median cpu_ms (all threads) over " NR " fresh JVMs: " a[int((NR+1)/2)]}'
