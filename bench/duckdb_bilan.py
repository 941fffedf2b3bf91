"""The analyst's reference: DuckDB computing the chapter II figures straight from the CSV export.

    .venv/bin/python bench/duckdb_bilan.py bench/out/actions-100000.csv

Prints cold (first run, reading the CSV) and warm (the same queries again) times; the benchmark records them.
"""

import sys
import time

import duckdb

SINGLE = ["axis", "subtheme", "nature", "scale", "implementation", "qpv_targeting", "rural_targeting", "direct_impact"]
MULTI = ["policy_fields", "action_types", "target_publics", "third_party_financers"]


def queries(table: str) -> list[str]:
    budget = f"SELECT * FROM {table} WHERE budget_total IS NOT NULL"
    sql = [
        f"SELECT contract_type, COUNT(*), COUNT(DISTINCT contract_id) FROM {table} GROUP BY ALL",
        f"SELECT contract_type, SUM(budget_state), SUM(budget_authority), SUM(budget_third_party), SUM(budget_total), "
        f"AVG(budget_total), MEDIAN(budget_total), AVG((budget_third_party > 0)::INT) * 100 FROM ({budget}) GROUP BY ALL",
        f"SELECT region_code, contract_type, SUM(budget_total) FROM ({budget}) GROUP BY ALL",
        f"SELECT authority_code, SUM(budget_total) FROM ({budget}) GROUP BY ALL",
        f"SELECT subtheme, SUM(budget_total) FROM ({budget}) GROUP BY ALL",
        f"SELECT contract_type, COUNT(*) FROM (SELECT contract_id, contract_type FROM {table}) GROUP BY ALL",
    ]
    for field in SINGLE:
        sql.append(
            f"SELECT contract_type, {field}, COUNT(*) * 100.0 / SUM(COUNT(*)) OVER (PARTITION BY contract_type) "
            f"FROM {table} WHERE {field} IS NOT NULL GROUP BY contract_type, {field}"
        )
    for field in MULTI:
        sql.append(
            f"SELECT contract_type, value, COUNT(*) FROM (SELECT contract_type, UNNEST(string_split({field}, '|')) "
            f"AS value FROM {table} WHERE {field} IS NOT NULL) GROUP BY ALL"
        )
    return sql


def run(con, table) -> float:
    started = time.perf_counter()
    for query in queries(table):
        con.execute(query).fetchall()
    return time.perf_counter() - started


def main(path: str) -> None:
    con = duckdb.connect()
    source = f"read_csv('{path}', header=true, all_varchar=false)"
    cold = run(con, source)
    con.execute(f"CREATE TABLE actions AS SELECT * FROM {source}")
    warm = run(con, "actions")
    print(
        f"duckdb: {cold:.2f} s à froid (lecture du CSV comprise), {warm:.2f} s à chaud ({len(queries('t'))} requêtes)"
    )


if __name__ == "__main__":
    main(sys.argv[1])
