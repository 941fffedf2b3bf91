"""What a campaign may require of each action before a dossier is submitted.

National administrators pick, per campaign, which of these fields are required (`Campaign.required_fields`).
"""

from .enums import CampaignKind

# code → (French label, section of the form where it is entered)
PROGRAMMATION_FIELDS = {
    "description": "description",
    "subtheme": "sous-thématique",
    "nature": "nature de l’action",
    "policy_fields": "champs d’action publique",
    "action_types": "types d’action",
    "pilot_type": "type de pilote",
    "implementation": "mise en œuvre",
    "scale": "échelle de déploiement",
    "target_publics": "publics cibles",
    "qpv_targeting": "ciblage des quartiers prioritaires",
    "rural_targeting": "ciblage des zones rurales",
    "direct_impact": "impact direct sur les personnes",
    "beneficiaries_target": "nombre de bénéficiaires visé",
    "start_date": "date de début",
    "end_date": "date de fin",
    "budget": "budget de l’année",
}
SUIVI_FIELDS = {
    "progress_status": "état d’avancement",
    "deployment_satisfactory": "déploiement satisfaisant ou non",
    "spent": "dépenses réalisées",
    "beneficiaries_reached": "bénéficiaires touchés",
    "assessment": "bilan qualitatif",
}
# A survey's required answers are its questions' (pacts.survey.survey_problems): none to pick here.
FIELDS_BY_KIND = {
    CampaignKind.PROGRAMMATION: PROGRAMMATION_FIELDS,
    CampaignKind.SUIVI: SUIVI_FIELDS,
    CampaignKind.ENQUETE: {},
}
MULTI_FIELDS = {"policy_fields", "action_types", "target_publics"}


def missing_fields(action, action_year, required: list[str], kind: str) -> list[str]:
    """The required fields this action (and its year) leaves empty, as French labels."""
    labels = FIELDS_BY_KIND[kind]
    missing = []
    for code in required:
        if code not in labels:
            continue
        if code == "budget":
            filled = action_year is not None and action_year.has_budget
        elif code == "spent":
            filled = action_year is not None and any(
                v is not None
                for v in (action_year.spent_state, action_year.spent_authority, action_year.spent_third_party)
            )
        elif code in SUIVI_FIELDS:
            value = getattr(action_year, code, None) if action_year is not None else None
            filled = value not in (None, "") and (not isinstance(value, str) or value.strip())
        elif code in MULTI_FIELDS:
            filled = bool(getattr(action, code).all())  # served from prefetch_related when the caller prefetched
        else:
            value = getattr(action, code)
            filled = value not in (None, "") and (not isinstance(value, str) or value.strip())
        if not filled:
            missing.append(labels[code])
    return missing
