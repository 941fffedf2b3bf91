from django.db import models


class OrganisationKind(models.TextChoices):
    DIPLP = "diplp", "Délégation interministérielle (DIPLP)"
    REGIONAL_STATE = "regional_state", "Service régional de l’État"
    DEPARTMENTAL_STATE = "departmental_state", "Service départemental de l’État"
    AUTHORITY = "authority", "Collectivité co-contractante"
    CENTRAL_ADMIN = "central_admin", "Administration centrale"


class RoleKind(models.TextChoices):
    """What an agent may do, always for one organisation over one territory.

    - national_admin: DIPLP; administers, reads and validates everything, invites anyone.
    - national_reader: reads everything (national aggregates and every territory), changes nothing.
    - regional: commissioner, SGAR, DREETS; reads everything in their région, invites the
      departmental State services of the région.
    - departmental_state: préfecture, DDETS; reads the contracts acting on their département,
      validates the dossiers of the contracts it signs, invites the agents of its authorities.
    - authority_editor: an agent of a co-contracting authority; enters the contract's actions.
    - authority_referent: as an editor, and submits the dossiers and invites the authority's editors.
    - measure_pilot: a central administration (DGCS, DGEFP…); updates the national measures it runs.
    """

    NATIONAL_ADMIN = "national_admin", "Administrateur national"
    NATIONAL_READER = "national_reader", "Lecteur national"
    REGIONAL = "regional", "Niveau régional (commissaire, SGAR, DREETS)"
    DEPARTMENTAL_STATE = "departmental_state", "Service départemental de l’État"
    AUTHORITY_EDITOR = "authority_editor", "Agent de collectivité (saisie)"
    AUTHORITY_REFERENT = "authority_referent", "Référent de collectivité"
    MEASURE_PILOT = "measure_pilot", "Pilote de mesure nationale"


class AccessRequestStatus(models.TextChoices):
    """An access request asked through ProConnect: `pending` until an administrator decides, then
    `accepted` (a role was granted) or `refused` (with a reason). A decided request never changes again."""

    PENDING = "pending", "En attente"
    ACCEPTED = "accepted", "Acceptée"
    REFUSED = "refused", "Refusée"


# The organisations each role may be held for.
ORGANISATION_KINDS_BY_ROLE = {
    RoleKind.NATIONAL_ADMIN: {OrganisationKind.DIPLP},
    RoleKind.NATIONAL_READER: {OrganisationKind.DIPLP, OrganisationKind.CENTRAL_ADMIN},
    RoleKind.REGIONAL: {OrganisationKind.REGIONAL_STATE},
    RoleKind.DEPARTMENTAL_STATE: {OrganisationKind.DEPARTMENTAL_STATE},
    RoleKind.AUTHORITY_EDITOR: {OrganisationKind.AUTHORITY},
    RoleKind.AUTHORITY_REFERENT: {OrganisationKind.AUTHORITY},
    RoleKind.MEASURE_PILOT: {OrganisationKind.CENTRAL_ADMIN},
}
STATE_ROLES = {
    RoleKind.NATIONAL_ADMIN,
    RoleKind.NATIONAL_READER,
    RoleKind.REGIONAL,
    RoleKind.DEPARTMENTAL_STATE,
    RoleKind.MEASURE_PILOT,
}
AUTHORITY_ROLES = {RoleKind.AUTHORITY_EDITOR, RoleKind.AUTHORITY_REFERENT}
NATIONAL_ROLES = {RoleKind.NATIONAL_ADMIN, RoleKind.NATIONAL_READER}
