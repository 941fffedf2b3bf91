import json

import pytest

from pilotactions.measures.services import DATA_FILE, measures_reference_load


@pytest.fixture
def measures(db):
    """The 25 measures, 44 objectives, budget table and 17 March 2025 committee, as `load_measures` loads them."""
    measures_reference_load()


@pytest.fixture(scope="session")
def committed():
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def published(committed):
    """The report's dashboard as printed, from the `published` blocks of the committed data file (a copy of the
    report's figures kept apart from the values the loader reads), so that no test reads outside the repository."""
    return [
        {
            "num": m["number"],
            "axis": m["axis"],
            "title": m["title"],
            "status_main": m["published"]["status_main"],
            "statuses_printed": m["published"]["statuses_printed"],
            "objectives": [
                {
                    "objective": o["wording"],
                    "rate_2024_pct": o["published"]["rate_2024_pct"],
                    "rate_raw": o["published"]["rate_raw"],
                    "objective_status": o["published"]["objective_status"],
                }
                for o in m["objectives"]
            ],
        }
        for m in committed["measures"]
    ]
