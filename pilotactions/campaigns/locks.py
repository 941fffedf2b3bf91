from django.utils import timezone

from .enums import CampaignKind, DossierState
from .models import Dossier


def contract_content_lock(contract) -> str | None:
    """Why the contract's content cannot change now, according to its latest started programmation dossier.

    A contract that no programmation campaign has reached yet is free; otherwise its latest dossier
    governs: editable only in draft or returned, inside the window (or its extension).
    """
    now = timezone.now()
    dossier = (
        Dossier.objects.filter(
            contract=contract, campaign__kind=CampaignKind.PROGRAMMATION, campaign__opens_at__lte=now
        )
        .select_related("campaign")
        .order_by("-campaign__opens_at")
        .first()
    )
    if dossier is None or dossier.is_editable(now):
        return None
    if dossier.state == DossierState.SUBMITTED:
        return f"Le dossier « {dossier.campaign} » est soumis à la validation de l’État : il ne se modifie plus, sauf s’il est renvoyé."
    if dossier.state == DossierState.VALIDATED:
        return f"Le dossier « {dossier.campaign} » est validé : il ne se modifie plus, sauf réouverture par la DIPLP."
    return f"La campagne « {dossier.campaign} » est close depuis le {timezone.localtime(dossier.closes_at()):%d/%m/%Y} : demandez une prolongation à la DIPLP."
