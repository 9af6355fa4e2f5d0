#!/usr/bin/env python3
"""The machine's own speed, sampled beside a benchmark: the same small piece of CPU work, run on
each CPU in turn and timed by the CPU time it took, once every PERIOD seconds. One line per
sample: "wall-clock-seconds ms-on-cpu0 ms-on-cpu1 ...".

The work never changes and does not depend on the request rate, so at the same load its CPU time
changes only when a CPU itself does: a slower clock, or a busy neighbour on the host (this guest
sees no steal time, so a slice the host takes shows up as CPU time taken longer). It runs on each
CPU in turn because the two need not change together: a benchmark whose threads spread over both
slows down when either does. Each sample costs about 6-11 ms of each CPU: about 1% at the
default period.

usage: host_probe.py OUT [PERIOD_SECONDS]   (runs until killed)
"""
import os
import sys
import time

WORK = 100_000  # loop turns: 6-11 ms of CPython on this machine


def work():
    x = 0
    for i in range(WORK):
        x = (x * 31 + i) & 0xFFFFFFFF
    return x


def timed_on(cpu):
    os.sched_setaffinity(0, {cpu})
    t0 = time.process_time()
    work()
    return (time.process_time() - t0) * 1000


def main():
    out = open(sys.argv[1], "w", buffering=1)  # a line at a time: readers see whole samples
    period = float(sys.argv[2]) if len(sys.argv) > 2 else 1.0
    cpus = sorted(os.sched_getaffinity(0))
    while True:
        ms = [timed_on(cpu) for cpu in cpus]
        out.write(f"{time.time():.3f} " + " ".join(f"{m:.2f}" for m in ms) + "\n")
        time.sleep(period)


if __name__ == "__main__":
    main()
