"""Rules that apps above pacts add to it (campaigns registers who may answer the survey and when),
so that pacts never imports campaigns.

A guard takes (role, region, year) and returns a French reason when the survey answers of that
région and year may not be changed now, or "" when they may.
"""

SURVEY_GUARDS: list = []


def survey_lock_reason(role, region, year: int) -> str:
    for guard in SURVEY_GUARDS:
        reason = guard(role, region, year)
        if reason:
            return reason
    return ""
