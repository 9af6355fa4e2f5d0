#!/usr/bin/env python3
"""Summarise a JFR recording of chaos-proxy: where the CPU goes and who allocates.

    python3 src/bench/jfr_hotspots.py RECORDING.jfr [TOP]

Reads `jfr print --json` (JDK 17 has no `jfr view`) for jdk.ExecutionSample and
jdk.ObjectAllocationSample, and prints
  - the hottest methods by self time (top frame), all code and chaos-proxy's own;
  - chaos-proxy methods by inclusive time (on the stack at all);
  - CPU attributed to the nearest chaos-proxy frame (what our code costs, callees included);
  - allocation (sampled bytes) by the nearest chaos-proxy frame and object class, and by class;
  - samples per thread group.
"""
import collections
import json
import re
import subprocess
import sys

OWN = "io.chaosproxy."


def frame_name(frame):
    method = frame.get("method") or {}
    klass = ((method.get("type") or {}).get("name") or "?").replace("/", ".")
    return f"{klass}.{method.get('name', '?')}"


def frames_of(event):
    trace = event["values"].get("stackTrace") or {}
    return [frame_name(f) for f in trace.get("frames") or []]


def nearest_own(frames):
    for f in frames:
        if f.startswith(OWN):
            return f
    return None


def short(name, width=95):
    return name if len(name) <= width else "..." + name[-(width - 3):]


def table(title, counter, total, top, unit="samples", fmt=lambda v: str(v)):
    print(f"\n{title}")
    if total == 0:
        print("  (none)")
        return
    for name, value in counter.most_common(top):
        print(f"  {100.0 * value / total:5.1f}%  {fmt(value):>10}  {short(name)}")


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    path = sys.argv[1]
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 15
    out = subprocess.run(["jfr", "print", "--json", "--events", "jdk.ExecutionSample,jdk.ObjectAllocationSample", path],
                         check=True, capture_output=True, text=True).stdout
    events = json.loads(out)["recording"]["events"]

    cpu = [e for e in events if e["type"] == "jdk.ExecutionSample"]
    alloc = [e for e in events if e["type"] == "jdk.ObjectAllocationSample"]

    self_all = collections.Counter()
    self_own = collections.Counter()
    inclusive_own = collections.Counter()
    attributed = collections.Counter()
    threads = collections.Counter()
    with_own = 0
    for e in cpu:
        frames = frames_of(e)
        if not frames:
            continue
        self_all[frames[0]] += 1
        if frames[0].startswith(OWN):
            self_own[frames[0]] += 1
        for f in set(frames):
            if f.startswith(OWN):
                inclusive_own[f] += 1
        own = nearest_own(frames)
        if own:
            with_own += 1
            attributed[own] += 1
        thread = (e["values"].get("sampledThread") or {}).get("javaName") or "?"
        threads[re.sub(r"[-#]?\d+$", "", thread)] += 1

    n = len(cpu)
    print(f"{n} CPU samples; {with_own} ({100.0 * with_own / max(n, 1):.1f}%) have a chaos-proxy frame on the stack")
    table("Hottest methods, self time (top frame), all code:", self_all, n, top)
    table("Hottest chaos-proxy methods, self time:", self_own, n, top)
    table("chaos-proxy methods, inclusive (on the stack):", inclusive_own, n, top)
    table("CPU attributed to the nearest chaos-proxy frame (callees included):", attributed, n, top)
    table("CPU samples per thread group:", threads, n, top)

    by_site = collections.Counter()
    by_class = collections.Counter()
    by_own_method = collections.Counter()
    total_bytes = 0
    for e in alloc:
        weight = e["values"].get("weight") or 0
        klass = ((e["values"].get("objectClass") or {}).get("name") or "?").replace("/", ".")
        frames = frames_of(e)
        total_bytes += weight
        by_class[klass] += weight
        own = nearest_own(frames)
        site = own or (frames[0] if frames else "?")
        by_site[f"{klass} <- {site}{'' if own else ' (no chaos-proxy frame)'}"] += weight
        if own:
            by_own_method[own] += weight

    mb = lambda v: f"{v / 1e6:.1f} MB"
    print(f"\n{len(alloc)} allocation samples, {total_bytes / 1e6:.1f} MB sampled weight")
    table("Allocation by nearest chaos-proxy frame (callees included):", by_own_method, total_bytes, top, fmt=mb)
    table("Allocation by object class and site:", by_site, total_bytes, top, fmt=mb)
    table("Allocation by object class:", by_class, total_bytes, top, fmt=mb)


if __name__ == "__main__":
    main()
