import json
from pathlib import Path

import pytest

from pilotactions.measures.services import DATA_FILE, measures_reference_load

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
PUBLISHED = SHARED / "reference" / "published-figures.json"


@pytest.fixture
def measures(db):
    """The 25 measures, 44 objectives, budget table and 17 March 2025 committee, as `load_measures` loads them."""
    measures_reference_load()


@pytest.fixture(scope="session")
def committed():
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def published(committed):
    """The report's dashboard: shared/reference/published-figures.json when present, else the same figures as
    copied into the committed data file (`published` blocks), so that the test runs on a deployed checkout."""
    if PUBLISHED.exists():
        return json.loads(PUBLISHED.read_text(encoding="utf-8"))["measures"]
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
