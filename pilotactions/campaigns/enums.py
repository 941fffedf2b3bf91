from django.db import models


class CampaignKind(models.TextChoices):
    """`programmation`: the content of contracts and actions; `suivi`: for a year, each action's execution;
    `enquete`: the commissioners' survey on the local pacts of a year, one dossier per région."""

    PROGRAMMATION = "programmation", "Programmation (contenu des contrats)"
    SUIVI = "suivi", "Suivi (exécution de l’année)"
    ENQUETE = "enquete", "Enquête auprès des commissaires (pactes locaux)"


class DossierState(models.TextChoices):
    """The validation circuit of a dossier (one per contract and campaign).

        draft ──submit──▶ submitted ──validate──▶ validated
                            │   ▲                    │
                     return │   │ submit        reopen (national admin, with a reason)
                            ▼   │                    ▼
                          returned               reopened ──submit──▶ submitted

    - submit: the authority's référent (or a national admin), while the campaign window (or the
      dossier's extension) is open, once completeness and the blocking rules pass; freezes a snapshot.
    - validate / return: the State service of the territory (departmental State service covering the
      authority) or a national admin; returning needs a comment.
    - reopen: a national admin sends a validated dossier back, with a reason.
    A dossier is editable only in `draft`, `returned` or `reopened`, inside its window. `reopened` is `returned`
    by the DIPLP after a validation: the people in the circuit need to tell one from the other.
    """

    DRAFT = "draft", "Brouillon"
    SUBMITTED = "submitted", "Soumis"
    VALIDATED = "validated", "Validé"
    RETURNED = "returned", "Renvoyé"
    REOPENED = "reopened", "Rouvert"


class Transition(models.TextChoices):
    SUBMIT = "submit", "Soumission"
    VALIDATE = "validate", "Validation"
    RETURN = "return", "Renvoi"
    REOPEN = "reopen", "Réouverture"
    EXTEND = "extend", "Prolongation"


TRANSITIONS = {
    Transition.SUBMIT: ({DossierState.DRAFT, DossierState.RETURNED, DossierState.REOPENED}, DossierState.SUBMITTED),
    Transition.VALIDATE: ({DossierState.SUBMITTED}, DossierState.VALIDATED),
    Transition.RETURN: ({DossierState.SUBMITTED}, DossierState.RETURNED),
    Transition.REOPEN: ({DossierState.VALIDATED}, DossierState.REOPENED),
}
EDITABLE_STATES = {DossierState.DRAFT, DossierState.RETURNED, DossierState.REOPENED}
SENT_BACK_STATES = {DossierState.RETURNED, DossierState.REOPENED}  # back with the authority, with a reason
# "17 soumis", "2 brouillons": French plurals of the states, as counts read them (lower case).
STATE_PLURALS = {
    DossierState.DRAFT: "brouillons",
    DossierState.RETURNED: "renvoyés",
    DossierState.REOPENED: "rouverts",
    DossierState.SUBMITTED: "soumis",
    DossierState.VALIDATED: "validés",
}


def state_count_label(state: str, n: int) -> str:
    return STATE_PLURALS[state] if n > 1 else DossierState(state).label.lower()
