"""The figures of one load run, as Markdown (what docs/performance.md quotes).

    python bench/load/summary.py var/load/<run>

Reads locust's `locust_stats.csv`, the CPU samples (`cpu.json`), locust's own CPU time (`locust.time`), the
save log (`saves.jsonl`) and the check of the saves (`check.txt`).
"""

import csv
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

TARGET_P95_MS = 500


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(int(len(values) * q), len(values) - 1)] if values else float("nan")


def ms(value: float) -> str:
    return "—" if value != value else f"{value:.0f}"  # NaN: no request of that kind in the window


def server_times(out: Path, since: float) -> dict[str, list[float]]:
    """Server-side durations by request kind, from the JSON access log (pilotactions.access), after `since`."""
    from datetime import datetime

    found = defaultdict(list)
    log = out / "gunicorn.log"
    if not log.exists():
        return found
    for line in log.open(encoding="utf-8"):
        if not line.startswith("{"):
            continue
        record = json.loads(line)
        if "path" not in record or "duration_ms" not in record:
            continue
        if datetime.fromisoformat(record["time"]).timestamp() < since:
            continue
        found[f"{record['method']} {request_kind(record['path'])}"].append(record["duration_ms"])
    return found


def request_kind(path: str) -> str:
    """The locust name of a path (bench/load/locustfile.py), for the server-side figures."""
    path = re.sub(r"^/dossiers/\d+/actions/[^/]+/$", "/dossiers/[pk]/actions/[ref]/", path)
    path = re.sub(r"^/actions/[^/]+/modifier/$", "/actions/[ref]/modifier/", path)
    path = re.sub(r"^/dossiers/\d+/", "/dossiers/[pk]/", path)
    path = re.sub(r"^/campagnes/\d+/$", "/campagnes/[pk]/", path)
    return path


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    out = Path(argv[0])
    rows = list(csv.DictReader((out / "locust_stats.csv").open(encoding="utf-8")))
    total = next(r for r in rows if r["Name"] == "Aggregated")
    requests = list(csv.DictReader((out / "requests.csv").open(encoding="utf-8")))
    for r in requests:
        r["start"], r["ms"] = float(r["start"]), float(r["ms"])
    logins = [r["start"] + r["ms"] / 1000 for r in requests if r["name"] == "POST /accounts/login/"]
    steady_from = max(logins, default=0.0)
    steady = defaultdict(list)
    for r in requests:
        if r["start"] >= steady_from:
            steady[r["name"]].append(r["ms"])
            steady["all"].append(r["ms"])
    server = server_times(out, steady_from)
    server["all"] = [v for k, values in server.items() for v in values]
    print(
        f"Whole run: every request. *After the sign-ins*: the requests started once the last user had signed in "
        f"({len(steady['all'])} requests over {max(r['start'] for r in requests) - steady_from:.0f} s); *server* is "
        f"the time the application logged for the same window (pilotactions.access `duration_ms`)."
    )
    print()
    lines = [
        "| request | count | failures | req/s | p50 | p95 | p99 | max | p50 after sign-ins | p95 after | p99 after | server p95 after |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in sorted(rows, key=lambda r: (r["Name"] == "Aggregated", -int(r["Request Count"]))):
        key = "all" if r["Name"] == "Aggregated" else f"{r['Type']} {r['Name']}"
        after = steady.get(key, [])
        server_key = "all" if key == "all" else f"{r['Type']} {request_kind(r['Name'].split(' ')[0].split('?')[0])}"
        lines.append(
            f"| {'**all**' if key == 'all' else f'`{key}`'} | {r['Request Count']} | {r['Failure Count']} | "
            f"{float(r['Requests/s']):.1f} | {r['50%']} | {r['95%']} | {r['99%']} | {float(r['Max Response Time']):.0f} | "
            f"{ms(percentile(after, 0.5))} | {ms(percentile(after, 0.95))} | {ms(percentile(after, 0.99))} | "
            f"{ms(percentile(server.get(server_key, []), 0.95))} |"
        )
    print("\n".join(lines))
    print("\nTimes in milliseconds.")
    print()
    failures = int(total["Failure Count"])
    p95 = float(total["95%"])
    slow = [f"{r['Type']} {r['Name']}" for r in rows if r["Name"] != "Aggregated" and float(r["95%"]) >= TARGET_P95_MS]
    saves = [json.loads(line) for line in (out / "saves.jsonl").open(encoding="utf-8") if line.strip()]
    outcomes = Counter(f"{s['kind']}:{s['outcome']}" for s in saves)
    print(f"- requests: {total['Request Count']}, {float(total['Requests/s']):.1f}/s; failures (errors): {failures}")
    print(f"- save attempts: {dict(sorted(outcomes.items()))}")
    check = (out / "check.txt").read_text(encoding="utf-8") if (out / "check.txt").exists() else ""
    for line in check.splitlines():
        if line.startswith("Acquittées"):
            print(f"- {line}")
    cpu = json.loads((out / "cpu.json").read_text()) if (out / "cpu.json").exists() else None
    if cpu:
        locust_cpu = None
        if (out / "locust.time").exists():
            _elapsed, user, system = (out / "locust.time").read_text().split()[-3:]
            locust_cpu = float(user) + float(system)
        seconds = cpu["seconds"] or 1
        share = lambda used: f"{used:.0f} s ({100 * used / seconds:.0f} % of one core)"  # noqa: E731
        print(
            f"- CPU over {cpu['seconds']:.0f} s on {cpu['cores']} cores: machine {cpu['machine_busy_percent']} % busy "
            f"(samples every 2 s: median {sorted(cpu['machine_busy_percent_samples'])[len(cpu['machine_busy_percent_samples']) // 2] if cpu['machine_busy_percent_samples'] else '?'} %, "
            f"max {max(cpu['machine_busy_percent_samples'], default='?')} %); gunicorn {share(cpu['gunicorn_cpu_seconds'])}, "
            f"PostgreSQL backends {share(cpu['postgresql_backends_cpu_seconds'])}"
            + (f", locust {share(locust_cpu)}" if locust_cpu is not None else "")
        )
    met = (
        failures == 0 and p95 < TARGET_P95_MS and "mises à jour perdues) : 0." in check and "l’historique : 0." in check
    )
    print(
        f"- target (p95 < {TARGET_P95_MS} ms, 0 errors, no lost update): {'met' if met else 'NOT met'}"
        f" — overall p95 {p95:.0f} ms" + (f"; p95 ≥ {TARGET_P95_MS} ms: {', '.join(slow)}" if slow else "")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
