"""Sample the machine's CPU during a load run, until SIGTERM; then write a JSON summary.

    python bench/load/cpu_sample.py --gunicorn-pid PID --database loadtest_run --out cpu.json

Every `--every` seconds, from /proc (Linux, no extra tool): the whole machine's busy share (/proc/stat), and the
CPU seconds used by gunicorn (master, its live workers, and the workers it already reaped — `cutime`) and by
the PostgreSQL backends connected to the load database (their process title names it; a backend that ends
between two samples loses at most one interval). The rest of the machine's busy time is locust itself,
PostgreSQL's own background processes and whatever else runs on the machine.
"""

import argparse
import json
import os
import signal
import time

TICK = os.sysconf("SC_CLK_TCK")


def machine() -> tuple[int, int]:
    """(busy, total) jiffies since boot over all cores."""
    with open("/proc/stat") as file:
        values = [int(v) for v in file.readline().split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


def proc_times(pid: int, children: bool = False) -> float | None:
    try:
        with open(f"/proc/{pid}/stat") as file:
            fields = file.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    used = int(fields[11]) + int(fields[12])  # utime, stime
    if children:
        used += int(fields[13]) + int(fields[14])  # cutime, cstime: reaped children
    return used / TICK


def children_of(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as file:
                    if int(file.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry))
            except OSError:
                continue
    return found


def backends(database: str) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as file:
                    title = file.read().decode(errors="replace")
            except OSError:
                continue
            if title.startswith("postgres:") and f" {database} " in title:
                found.append(int(entry))
    return found


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--gunicorn-pid", type=int, required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--every", type=float, default=2.0)
    args = parser.parse_args()
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    start_busy, start_total = machine()
    started = time.time()
    gunicorn_start = proc_times(args.gunicorn_pid, children=True) or 0.0
    workers: dict[int, float] = {}
    workers_start = {pid: proc_times(pid) or 0.0 for pid in children_of(args.gunicorn_pid)}
    pg: dict[int, float] = {}
    pg_start = {pid: proc_times(pid) or 0.0 for pid in backends(args.database)}
    samples = []
    previous = (start_busy, start_total)
    while not stop:
        time.sleep(args.every)
        for pid in children_of(args.gunicorn_pid):
            used = proc_times(pid)
            if used is not None:
                workers[pid] = used
        for pid in backends(args.database):
            used = proc_times(pid)
            if used is not None:
                pg[pid] = used
        busy, total = machine()
        samples.append(round(100 * (busy - previous[0]) / max(total - previous[1], 1), 1))
        previous = (busy, total)
    busy, total = machine()
    elapsed = time.time() - started
    gunicorn_master = (proc_times(args.gunicorn_pid, children=True) or 0.0) - gunicorn_start
    live_workers = sum(
        used - workers_start.get(pid, 0.0)
        for pid, used in workers.items()
        if pid in set(children_of(args.gunicorn_pid))
    )
    summary = {
        "seconds": round(elapsed, 1),
        "cores": os.cpu_count(),
        "machine_busy_percent": round(100 * (busy - start_busy) / max(total - start_total, 1), 1),
        "machine_busy_percent_samples": samples,
        "gunicorn_cpu_seconds": round(gunicorn_master + live_workers, 1),
        "postgresql_backends_cpu_seconds": round(sum(used - pg_start.get(pid, 0.0) for pid, used in pg.items()), 1),
        "machine_cpu_seconds": round((busy - start_busy) / TICK, 1),
    }
    with open(args.out, "w") as file:
        json.dump(summary, file, indent=1)


if __name__ == "__main__":
    main()
