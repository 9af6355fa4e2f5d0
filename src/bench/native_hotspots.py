#!/usr/bin/env python3
"""Summarise an async-profiler CPU profile of chaos-proxy: where the time goes, kernel included.

    python3 src/bench/native_hotspots.py PROFILE.collapsed [TOP]

Reads async-profiler's collapsed stacks (`collapsed,threads`: thread name first, one stack and
its sample count per line). Unlike JFR, these samples include the kernel's frames and the JVM's
own threads, and do not land on the frame a virtual thread resumes into. Prints
  - samples per thread group;
  - the split between the kernel, the JVM and libraries' native code, and Java code;
  - kernel time by the Java frame that entered it (which socket read, write or epoll call);
  - the hottest frames by self time;
  - chaos-proxy's frames by inclusive time.
"""
import collections
import re
import sys

from jfr_hotspots import table  # the same tables as the JFR summary

OWN = "io/chaosproxy/"
JAVA_FRAME = re.compile(r"^[\w$]+(/[\w$]+)+\.[\w$<>]+")


def kind(frame):
    if frame.endswith("_[k]"):
        return "kernel"
    return "java" if JAVA_FRAME.match(frame) else "native"


def thread_group(name):
    name = name.strip("[]").split(" tid=")[0]
    return re.sub(r"(?<=[-#])\d+|\d+$", "N", name)  # pool numbers, not "C2"


def main(path, top):
    threads = collections.Counter()
    kinds = collections.Counter()
    self_time = collections.Counter()
    kernel_by_caller = collections.Counter()
    own_inclusive = collections.Counter()
    total = 0
    with open(path) as lines:
        for line in lines:
            stack, _, count = line.rstrip("\n").rpartition(" ")
            if not stack:
                continue
            samples = int(count)
            total += samples
            frames = stack.split(";")
            threads[thread_group(frames[0])] += samples
            frames = frames[1:]
            if not frames:
                continue
            leaf = frames[-1]
            kinds[kind(leaf)] += samples
            self_time[leaf] += samples
            if kind(leaf) == "kernel":
                entry = next(i for i, f in enumerate(frames) if f.endswith("_[k]"))
                caller = next((f for f in reversed(frames[:entry]) if kind(f) == "java"), "(no Java frame)")
                native = frames[entry - 1] if entry > 0 else "?"
                kernel_by_caller[f"{caller}  [{native}]"] += samples
            for frame in set(frames):
                if frame.startswith(OWN):
                    own_inclusive[frame] += samples
    if total == 0:
        sys.exit(f"{path}: no samples")
    print(f"{total} CPU samples")
    table("Samples per thread group:", threads, total, top)
    table("Where the CPU is (the sample's own frame): kernel, JVM and native libraries, Java code:", kinds, total, 3)
    table("Kernel time by the Java frame that entered the kernel [and the native function that did]:",
         kernel_by_caller, total, top)
    table("Hottest frames, self time:", self_time, total, top)
    table("chaos-proxy frames, inclusive (on the stack):", own_inclusive, total, top)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 25)
