"""Benchmark: generate N actions in a scratch PostgreSQL database, time each step, keep the results.

    make bench                                     # 10,000, 100,000 and 1,000,000 actions
    make bench BENCH_ARGS="--sizes 10000,100000"   # only some sizes
    .venv/bin/python bench/run.py --sizes 10000 --keep

For each size: drop and create `pilotactions_bench_<size>` on the server of `BENCH_DATABASE_URL`
(default `postgres://postgres@127.0.0.1:5432/postgres`), then run each entry of `STEPS` as its own
`manage.py` process, measuring its wall time and peak resident memory (`wait4`). Raw results go to
`bench/results.json` (sizes not re-run keep their last results) and the table between the markers of
`docs/performance.md` is rewritten from it. Later issues add their steps to `STEPS`.
"""

import argparse
import json
import os
import platform
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results.json"
REPORT = ROOT / "docs" / "performance.md"
OUT = ROOT / "bench" / "out"  # git-ignored: exports and logs
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
DEFAULT_SIZES = [1_500, 10_000, 100_000, 1_000_000]  # 1,500: the national volume (about 120 contracts)


@dataclass(frozen=True)
class Step:
    """A `manage.py` command timed on its own; `{size}`, `{seed}`, `{year}`, `{out}` are filled in."""

    name: str
    label: str  # column title in docs/performance.md ("" = not shown)
    args: tuple[str, ...]
    script: bool = False  # a Python script of bench/ rather than a manage.py command


STEPS = [
    Step("migrate", "", ("migrate", "--noinput", "-v", "0")),
    Step(
        "generate",
        "generation",
        ("generate_data", "--actions", "{size}", "--seed", "{seed}", "--year", "{year}", "--no-progress"),
    ),
    Step(
        "export_csv",
        "CSV export",
        ("export_actions", "--year", "{year}", "--format", "csv", "--out", "{out}/actions-{size}.csv"),
    ),
    # The bilan (issues 7 and 8): after a bulk load its per-authority aggregates are recomputed once
    # (timed on its own); then each step runs in a fresh process, nothing cached between requests.
    Step("refresh_bilan", "", ("refresh_bilan", "--year", "{year}")),
    Step("bilan_json", "", ("bilan", "--format", "json", "--year", "{year}", "--out", "{out}/bilan-{size}.json")),
    Step("bilan_page", "", ("bench_pages", "--page", "bilan")),
    Step("bilan_bodies_page", "", ("bench_pages", "--page", "bilan-graphiques")),
    Step("chapter3_page", "", ("bench_pages", "--page", "chapitre-3")),
    Step("chapter3_bodies_page", "", ("bench_pages", "--page", "chapitre-3-graphiques")),
    Step("cockpit_page", "", ("bench_pages", "--page", "cockpit")),
    Step("evaluation_page", "", ("bench_pages", "--page", "evaluation")),
    Step("pacts_page", "", ("bench_pages", "--page", "pactes")),
    Step("contracts_page", "", ("bench_pages", "--page", "contrats")),
    Step("report_pdf", "", ("bilan", "--format", "pdf", "--year", "{year}", "--out", "{out}/bilan-{size}.pdf")),
    Step("report_docx", "", ("bilan", "--format", "docx", "--year", "{year}", "--out", "{out}/bilan-{size}.docx")),
    Step("duckdb", "", ("bench/duckdb_bilan.py", "{out}/actions-{size}.csv"), script=True),
]

COUNTS = {
    "contracts": "SELECT COUNT(*) FROM contracts_contract",
    "actions": "SELECT COUNT(*) FROM contracts_action",
    "action_years": "SELECT COUNT(*) FROM contracts_actionyear",
    "budget_lines": "SELECT COUNT(*) FROM contracts_budgetline",
    "envelopes": "SELECT COUNT(*) FROM contracts_stateenvelope",
    "m2m": "SELECT "
    + " + ".join(
        f"(SELECT COUNT(*) FROM contracts_action_{name})"
        for name in [
            "policy_fields",
            "action_types",
            "partners",
            "target_publics",
            "expected_impacts",
            "communes",
            "epcis",
        ]
    ),
}


def database_url(base: str, name: str) -> str:
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"/{name}"))


def run_step(step: Step, env: dict, values: dict, log: Path) -> dict:
    """Run one step in its own process; wall time, peak RSS (MB) and the last line it printed."""
    args = [arg.format(**values) for arg in step.args]
    command = [sys.executable, *args] if step.script else [sys.executable, "manage.py", *args]
    print(f"  {step.name}: {shlex.join(args)}", flush=True)
    load = os.getloadavg()[0]
    started = time.monotonic()
    with log.open("w", encoding="utf-8") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
        _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.monotonic() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    lines = log.read_text(encoding="utf-8").strip().splitlines()
    if process.returncode:
        raise SystemExit(f"{step.name} failed (exit code {process.returncode}), see {log}")
    result = {
        "seconds": round(seconds, 1),
        "max_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "load_before": round(load, 2),
        "output": lines[-1] if lines else "",
    }
    print(f"    {result['seconds']} s, {result['max_rss_mb']} MB", flush=True)
    return result


def bench_size(size: int, *, base_url: str, seed: int, year: int, keep: bool) -> dict:
    name = f"pilotactions_bench_{size}"
    print(f"{size} actions → database {name}", flush=True)
    with psycopg.connect(base_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    OUT.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DATABASE_URL": database_url(base_url, name), "DEMO": "false", "PYTHONUNBUFFERED": "1"}
    values = {"size": size, "seed": seed, "year": year, "out": OUT}
    steps = {step.name: run_step(step, env, values, OUT / f"{step.name}-{size}.log") for step in STEPS}
    with psycopg.connect(database_url(base_url, name)) as conn:
        counts = {key: conn.execute(sql).fetchone()[0] for key, sql in COUNTS.items()}
        database_size = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
    csv = OUT / f"actions-{size}.csv"
    files = {ext: OUT / f"bilan-{size}.{ext}" for ext in ["json", "pdf", "docx"]}
    result = {
        "file_kb": {ext: round(path.stat().st_size / 1024) for ext, path in files.items() if path.exists()},
        "date": date.today().isoformat(),
        "seed": seed,
        "year": year,
        "steps": steps,
        "rows": counts,
        "csv_mb": round(csv.stat().st_size / 1e6, 1) if csv.exists() else None,
        "database_mb": round(database_size / 1e6),
    }
    if not keep:
        csv.unlink(missing_ok=True)
        for path in files.values():
            path.unlink(missing_ok=True)
        with psycopg.connect(base_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return result


def machine(base_url: str) -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError):
        pages = 0
    with psycopg.connect(base_url) as conn:
        server = conn.execute("SHOW server_version").fetchone()[0]
        settings = {
            name: conn.execute(f"SHOW {name}").fetchone()[0]
            for name in ["shared_buffers", "work_mem", "max_wal_size", "synchronous_commit"]
        }
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": round(pages / 2**30, 1),
        "postgresql": server,
        "postgresql_settings": settings,
        "python": platform.python_version(),
    }


def fmt(value, unit=""):
    if value is None:
        return "—"
    if isinstance(value, int):
        return f"{value:,}".replace(",", " ") + unit
    return f"{value:g}{unit}"


def table(results: dict) -> str:
    shown = [step for step in STEPS if step.label]
    header = ["actions", "contracts", "action years", "budget lines", "M2M rows"]
    for step in shown:
        header += [f"{step.label} (s)", f"{step.label} peak RSS (MB)"]
    header += ["CSV (MB)", "database (MB)", "load before generation", "date"]
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---:" for _ in header[:-1]) + "|---|",
    ]
    for size in sorted(results["runs"], key=int):
        run = results["runs"][size]
        rows = run["rows"]
        cells = [
            fmt(rows["actions"]),
            fmt(rows["contracts"]),
            fmt(rows["action_years"]),
            fmt(rows["budget_lines"]),
            fmt(rows["m2m"]),
        ]
        for step in shown:
            measured = run["steps"].get(step.name)
            cells += [fmt(measured["seconds"]), fmt(measured["max_rss_mb"])] if measured else ["—", "—"]
        generate = run["steps"].get("generate", {})
        cells += [fmt(run.get("csv_mb")), fmt(run.get("database_mb")), fmt(generate.get("load_before")), run["date"]]
        lines.append("| " + " | ".join(cells) + " |")
    about = results["machine"]
    settings = ", ".join(f"`{k} = {v}`" for k, v in about["postgresql_settings"].items())
    intro = (
        f"Machine: {about['cpus']} cores ({about['cpu'] or 'unknown CPU'}), {about['memory_gb']} GB of memory, "
        f"PostgreSQL {about['postgresql']} with default settings ({settings}), Python {about['python']}. "
        "Each step is a `manage.py` process of its own; *peak RSS* is its maximum resident memory "
        "(`ru_maxrss`), the PostgreSQL server's is not counted. *Load*: the machine's one-minute load "
        "average just before the generation (other work sometimes ran at the same time). Raw results: "
        "`bench/results.json`."
    )
    return "\n".join([intro, "", *lines])


def bilan_table(results: dict) -> str:
    """The bilan's steps: their printed measures (server times, query counts) and sizes."""
    header = [
        "actions",
        "contracts",
        "aggregates refresh (s)",
        "bilan JSON (s / MB)",
        "chapter II page",
        "its charts and tables",
        "chapter III page",
        "its charts and tables",
        "campaign cockpit",
        "mid-term evaluation",
        "pacts list",
        "contracts list",
        "national PDF (s / KB)",
        "national DOCX (s / KB)",
        "DuckDB on the CSV",
    ]
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---:" for _ in header[:3]) + "|---" * (len(header) - 3) + "|",
    ]
    for size in sorted(results["runs"], key=int):
        run = results["runs"][size]
        steps, files = run["steps"], run.get("file_kb", {})
        if "bilan_json" not in steps:
            continue

        def timed(name, ext=None, steps=steps, files=files):
            step = steps.get(name)
            if not step:
                return "—"
            second = f"{files[ext]:,} KB".replace(",", " ") if ext and ext in files else f"{step['max_rss_mb']} MB"
            return f"{step['seconds']} s / {second}"

        def said(name, steps=steps):
            step = steps.get(name)
            return step["output"].split(": ", 1)[-1] if step else "—"

        lines.append(
            "| "
            + " | ".join(
                [
                    fmt(run["rows"]["actions"]),
                    fmt(run["rows"]["contracts"]),
                    fmt(steps["refresh_bilan"]["seconds"]) if "refresh_bilan" in steps else "—",
                    timed("bilan_json"),
                    said("bilan_page"),
                    said("bilan_bodies_page"),
                    said("chapter3_page"),
                    said("chapter3_bodies_page"),
                    said("cockpit_page"),
                    said("evaluation_page"),
                    said("pacts_page"),
                    said("contracts_page"),
                    timed("report_pdf", "pdf"),
                    timed("report_docx", "docx"),
                    said("duckdb"),
                ]
            )
            + " |"
        )
    return "\n".join(
        [
            "",
            "The bilan: *aggregates refresh* is `manage.py refresh_bilan`, which recomputes every authority's "
            "aggregates and the local pacts' regional tallies after the bulk load (a save marks only its authority "
            "stale, recomputed in the background right after, or by the next bilan; a région's tally is rebuilt "
            "when its data's fingerprint changed); a chapter page comes light, its charts and tables in a second "
            "request (timed apart); "
            "*bilan JSON* is `manage.py bilan --format json` in a fresh process (start-up included); the "
            "pages are timed in-process by `manage.py bench_pages` as a national administrator (server time: "
            "middleware, queries and rendering; first request, then the best of two more; no result is cached "
            "between requests); the cockpit covers every contract of the database (one dossier each), and so does the "
            "mid-term evaluation (a follow-up campaign whose every dossier is validated); the reports "
            "are the national report (chapters I to III); DuckDB computes the same chapter II figures from the CSV "
            "export, as an analyst would (`bench/duckdb_bilan.py`).",
            "",
            *lines,
        ]
    )


def write_report(results: dict) -> None:
    text = REPORT.read_text(encoding="utf-8") if REPORT.exists() else f"# Performance\n\n{START}\n{END}\n"
    if START not in text or END not in text:
        text = text.rstrip() + f"\n\n{START}\n{END}\n"
    before, rest = text.split(START, 1)
    _old, after = rest.split(END, 1)
    REPORT.write_text(f"{before}{START}\n{table(results)}\n{bilan_table(results)}\n{END}{after}", encoding="utf-8")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)), help="e.g. 10000,100000,1000000")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--keep", action="store_true", help="keep the databases and the exports")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="PostgreSQL server (the database named here is used to create the scratch ones)",
    )
    parser.add_argument("--report-only", action="store_true", help="rewrite the table from results.json")
    options = parser.parse_args(argv)
    results = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else {"runs": {}}
    if not options.report_only:
        results["machine"] = machine(options.database_url)
        for size in [int(s.replace("_", "")) for s in options.sizes.split(",") if s.strip()]:
            results["runs"][str(size)] = bench_size(
                size, base_url=options.database_url, seed=options.seed, year=options.year, keep=options.keep
            )
            RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
            write_report(results)
    write_report(results)
    print(f"Results: {RESULTS.relative_to(ROOT)}, table: {REPORT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
