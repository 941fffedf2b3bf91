"""One demo account per role kind, on realistic territories."""

from pilotactions.accounts.enums import OrganisationKind, RoleKind
from pilotactions.accounts.models import Organisation
from pilotactions.accounts.services import organisations_load, role_grant, user_get_or_create

DEMO_PASSWORD = "Solidarites-2025-Demo"

# email, first name, last name, role kind, organisation (kind, name)
DEMO_ACCOUNTS = [
    (
        "admin.national@demo.pilotactions.test",
        "Claire",
        "Martin",
        RoleKind.NATIONAL_ADMIN,
        (OrganisationKind.DIPLP, "Délégation interministérielle à la prévention et à la lutte contre la pauvreté"),
    ),
    (
        "admin.national@demo.pilotactions.test",
        "Claire",
        "Martin",
        RoleKind.NATIONAL_READER,
        (OrganisationKind.DIPLP, "Délégation interministérielle à la prévention et à la lutte contre la pauvreté"),
    ),
    # A second DIPLP administrator validates the dossiers the first one submitted on behalf of
    # authorities without an account (four eyes: nobody validates what they submitted).
    (
        "instruction.diplp@demo.pilotactions.test",
        "Hugo",
        "Lambert",
        RoleKind.NATIONAL_ADMIN,
        (OrganisationKind.DIPLP, "Délégation interministérielle à la prévention et à la lutte contre la pauvreté"),
    ),
    (
        "lecteur.national@demo.pilotactions.test",
        "Julien",
        "Bernard",
        RoleKind.NATIONAL_READER,
        (OrganisationKind.DIPLP, "Délégation interministérielle à la prévention et à la lutte contre la pauvreté"),
    ),
    (
        "commissaire.occitanie@demo.pilotactions.test",
        "Sophie",
        "Garnier",
        RoleKind.REGIONAL,
        (OrganisationKind.REGIONAL_STATE, "Préfecture de la région Occitanie (SGAR)"),
    ),
    (
        "ddets.gironde@demo.pilotactions.test",
        "Thomas",
        "Leroy",
        RoleKind.DEPARTMENTAL_STATE,
        (OrganisationKind.DEPARTMENTAL_STATE, "DDETS de la Gironde"),
    ),
    (
        "ddets.nord@demo.pilotactions.test",
        "Mathilde",
        "Lefebvre",
        RoleKind.DEPARTMENTAL_STATE,
        (OrganisationKind.DEPARTMENTAL_STATE, "DDETS du Nord"),
    ),
    (
        "referent.nord@demo.pilotactions.test",
        "Nadia",
        "Benali",
        RoleKind.AUTHORITY_REFERENT,
        (OrganisationKind.AUTHORITY, "Département du Nord"),
    ),
    (
        "agent.nord@demo.pilotactions.test",
        "Lucas",
        "Petit",
        RoleKind.AUTHORITY_EDITOR,
        (OrganisationKind.AUTHORITY, "Département du Nord"),
    ),
    # The Hautes-Alpes signed in December 2024: their contract's actions are still to be entered.
    (
        "referent.hautes-alpes@demo.pilotactions.test",
        "Bastien",
        "Girard",
        RoleKind.AUTHORITY_REFERENT,
        (OrganisationKind.AUTHORITY, "Département des Hautes-Alpes"),
    ),
    (
        "pilote.dgcs@demo.pilotactions.test",
        "Émilie",
        "Rousseau",
        RoleKind.MEASURE_PILOT,
        (OrganisationKind.CENTRAL_ADMIN, "Direction générale de la cohésion sociale"),
    ),
]


def demo_accounts_load() -> list[tuple[str, str, str]]:
    """Create the demo accounts and roles (idempotent); returns (email, role, organisation) rows."""
    organisations_load()
    rows = []
    for email, first_name, last_name, kind, (org_kind, org_name) in DEMO_ACCOUNTS:
        user, _ = user_get_or_create(email=email, first_name=first_name, last_name=last_name, password=DEMO_PASSWORD)
        organisation = Organisation.objects.get(kind=org_kind, name=org_name)
        role_grant(user=user, kind=kind, organisation=organisation, granted_by=None)
        rows.append((email, RoleKind(kind).label, organisation.name))
    return rows
