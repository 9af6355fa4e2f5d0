#!/usr/bin/env python3
"""Print "BUSY OURS" in clock ticks: CPU time the whole machine has spent busy (/proc/stat: user,
nice, system, irq, softirq, steal) and the CPU time of process ROOT and its descendants (children
already reaped included, through cutime/cstime).

    python3 src/bench/cpu_snapshot.py ROOT_PID

Two snapshots around a measurement give how much CPU other processes took meanwhile:
(BUSY2 - BUSY1) - (OURS2 - OURS1). run.sh prints it next to every figure, since a benchmark on a
machine that is running other work measures that work too.
"""
import os
import sys


def busy_ticks():
    with open("/proc/stat") as f:
        fields = f.readline().split()
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in fields[1:9])
    return user + nice + system + irq + softirq + steal


def process_table():
    table = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                raw = f.read()
        except OSError:
            continue  # gone meanwhile
        rest = raw[raw.rfind(")") + 2:].split()  # fields after "pid (comm) "
        ppid = int(rest[1])
        utime, stime, cutime, cstime = (int(v) for v in rest[11:15])
        table[int(name)] = (ppid, utime + stime + cutime + cstime)
    return table


def main():
    root = int(sys.argv[1])
    table = process_table()
    children = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    ours = 0
    todo = [root]
    while todo:
        pid = todo.pop()
        if pid in table:
            ours += table[pid][1]
        todo.extend(children.get(pid, []))
    print(busy_ticks(), ours)


if __name__ == "__main__":
    main()
