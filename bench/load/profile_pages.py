"""In-process cost of the scenario's pages, one at a time: server time, SQL queries and their time, HTML size.

    DATABASE_URL=postgres://…/loadtest_run .venv/bin/python bench/load/profile_pages.py [var/load/plan-loadtest.json]

Signs in (Django's test client, no network) as a référent, a DDETS agent and a DIPLP administrator of the
plan and reads each page kind three times (best time kept), to tell what the load run's times are made of:
the page's own work, or waiting for a CPU. Reads only.
"""

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scenario
from prepare import ROOT, setup_django


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    plan = json.loads(Path(argv[0] if argv else ROOT / "var" / "load" / "plan-loadtest.json").read_text())
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")  # the test client speaks plain HTTP
    setup_django()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from pilotactions.accounts.models import User

    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]

    def signed_in(email):
        client = Client()
        client.force_login(User.objects.get(email=email))  # axes wants a request to authenticate
        return client

    authority = plan["authorities"][0]
    dossier = authority["dossiers"][-1]
    referent = signed_in(authority["referent"])
    page = referent.get(scenario.dossier_url(dossier)).content.decode()
    reference = scenario.action_references(page, dossier)[-1]
    state = signed_in(plan["states"][0]["email"])
    diplp = signed_in(plan["diplp"][0])
    pages = [
        ("référent", referent, scenario.HOME_URL),
        ("référent", referent, scenario.dossier_url(dossier)),
        ("référent", referent, scenario.execution_url(dossier, reference)),
        ("référent", referent, scenario.action_update_url(reference)),
        ("référent", referent, scenario.submit_url(dossier)),
        ("DDETS", state, scenario.HOME_URL),
        (
            "DDETS",
            state,
            scenario.cockpit_url(plan["campaign"], departement=plan["states"][0]["departement"], state="submitted"),
        ),
        ("DIPLP", diplp, scenario.cockpit_url(plan["campaign"])),
        ("DIPLP", diplp, scenario.cockpit_url(plan["campaign"], state="submitted")),
    ]
    print("| who | page | status | best of 3 (ms) | SQL queries | SQL time (ms) | HTML (KB) |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for who, client, url in pages:
        best = None
        for _ in range(3):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url)
                elapsed = (time.perf_counter() - started) * 1000
            sql = sum(float(q["time"]) for q in queries.captured_queries) * 1000
            if best is None or elapsed < best[0]:
                best = (elapsed, len(queries.captured_queries), sql, len(response.content))
        print(
            f"| {who} | `{url}` | {response.status_code} | {best[0]:.0f} | {best[1]} | {best[2]:.0f} | "
            f"{best[3] / 1024:.0f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
