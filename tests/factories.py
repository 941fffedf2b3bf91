"""Factories and helpers shared by the tests. Organisations come from `organisations_load`."""

import factory

from pilotactions.accounts.enums import OrganisationKind, RoleKind
from pilotactions.accounts.models import Organisation, Role, User

PASSWORD = "mot-de-passe-de-test-solide"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"agent{n}@test.pilotactions.test")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def organisation(kind: str, code: str | None = None) -> Organisation:
    """The standard organisation of a territory: `organisation("authority", "59")`,
    `organisation("departmental_state", "33")` (the DDETS), `organisation("regional_state", "76")`."""
    organisations = Organisation.objects.filter(kind=kind)
    if kind == OrganisationKind.AUTHORITY:
        return organisations.get(authority__code=code)
    if kind == OrganisationKind.DEPARTMENTAL_STATE:
        return organisations.filter(departement__code=code, acronym__in=["DDETS", "DEETS"]).get()
    if kind == OrganisationKind.REGIONAL_STATE:
        return organisations.get(region__code=code, acronym="SGAR")
    if kind == OrganisationKind.CENTRAL_ADMIN:
        return organisations.get(acronym=code or "DGCS")
    return organisations.get()


ROLE_ORGANISATION = {
    RoleKind.NATIONAL_ADMIN: OrganisationKind.DIPLP,
    RoleKind.NATIONAL_READER: OrganisationKind.DIPLP,
    RoleKind.REGIONAL: OrganisationKind.REGIONAL_STATE,
    RoleKind.DEPARTMENTAL_STATE: OrganisationKind.DEPARTMENTAL_STATE,
    RoleKind.AUTHORITY_EDITOR: OrganisationKind.AUTHORITY,
    RoleKind.AUTHORITY_REFERENT: OrganisationKind.AUTHORITY,
    RoleKind.MEASURE_PILOT: OrganisationKind.CENTRAL_ADMIN,
}
# A default territory per role kind, so that tests read like the demo: the Nord and its DDETS, Hauts-de-France.
DEFAULT_CODE = {
    RoleKind.REGIONAL: "32",
    RoleKind.DEPARTMENTAL_STATE: "59",
    RoleKind.AUTHORITY_EDITOR: "59",
    RoleKind.AUTHORITY_REFERENT: "59",
    RoleKind.MEASURE_PILOT: "DGCS",
}


def make_role(kind: str, code: str | None = None, user: User | None = None) -> Role:
    """A user (new unless given) holding one active role: `make_role("departmental_state", "33")`."""
    code = code or DEFAULT_CODE.get(kind)
    return Role.objects.create(
        user=user or UserFactory(), kind=kind, organisation=organisation(ROLE_ORGANISATION[kind], code)
    )


def login(client, role: Role, *, second_factor: bool = True) -> Role:
    """Sign the role's user in and act with that role. When the role needs a second factor
    (perms.second_factor_required), the session has passed one, as after typing a code of the user's app
    (a confirmed TOTP device is created if they have none); `second_factor=False` leaves it unverified."""
    client.force_login(role.user, backend="pilotactions.accounts.backends.RoleModelBackend")
    session = client.session
    session["current_role_id"] = role.pk
    if second_factor:
        from pilotactions.accounts.perms import second_factor_required

        if second_factor_required(role):
            from django_otp import DEVICE_ID_SESSION_KEY

            session[DEVICE_ID_SESSION_KEY] = second_factor_device(role.user).persistent_id
    session.save()
    return role


def second_factor_device(user: User):
    """The user's confirmed authenticator app (TOTP device), created if they have none; its codes:
    `totp_code(device)`."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Application de test", confirmed=True)


def totp_code(device, steps_ahead: int = 0) -> str:
    """The code the app shows now (or `steps_ahead` periods of 30 s later, still accepted: tolerance 1)."""
    from django_otp.oath import totp

    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift + steps_ahead)
    return f"{code:06d}"


def _system_role():
    from pilotactions.accounts.services import system_role

    return system_role()


def make_contract(authority_code: str = "59", type_code: str | None = None, *, envelopes=None, **fields):
    """A signed contract of the authority (CLS-D or CLS-M by its level), with optional envelopes {year: amount}."""
    from datetime import date
    from decimal import Decimal

    from pilotactions.contracts.models import ContractType, StateEnvelope
    from pilotactions.contracts.services import contract_create
    from pilotactions.territories.models import Authority

    authority = Authority.objects.get(code=authority_code)
    type_code = type_code or ("CLS-D" if authority.level == "departemental" else "CLS-M")
    fields.setdefault("status", "signed")
    fields.setdefault("signature_date", date(2024, 6, 1))
    contract = contract_create(
        role=_system_role(), contract_type=ContractType.objects.get(code=type_code), authority=authority, **fields
    )
    for year, amount in (envelopes or {}).items():
        StateEnvelope.objects.create(contract=contract, year=year, amount=Decimal(amount))
    return contract


def option(list_code: str, code: str):
    from pilotactions.nomenclatures.models import Option

    return Option.objects.get(option_list__code=list_code, code=code)


def make_action(contract, *, title="Action de test", axis="AXE1", lines=(), multi=None, **values):
    """An action through the service; `lines`: (year, financer, amount[, financer type code])."""
    from decimal import Decimal

    from pilotactions.contracts.rules import BudgetLineInput
    from pilotactions.contracts.services import action_create

    budget = [
        BudgetLineInput(
            year=line[0],
            financer=line[1],
            planned=Decimal(str(line[2])),
            financer_type=option("cofinanceurs_cls", line[3]) if len(line) > 3 else None,
        )
        for line in lines
    ]
    justification = values.pop("ceiling_justification", "")
    action, _warnings = action_create(
        contract=contract,
        role=_system_role(),
        values={"title": title, "axis": option("axes_pacte", axis), **values},
        multi=multi or {},
        budget_lines=budget,
        ceiling_justification=justification,
    )
    return action


def make_campaign(
    kind="programmation",
    *,
    year=2024,
    open_=True,
    required=(),
    reminder_days=(7, 2),
    types=("CLS-D", "CLS-M"),
    name=None,
):
    """A campaign (open now by default) with its dossiers created for the existing contracts."""
    from datetime import timedelta

    from django.utils import timezone

    from pilotactions.campaigns.models import Campaign
    from pilotactions.campaigns.services import campaign_save
    from pilotactions.contracts.models import ContractType

    now = timezone.now()
    opens, closes = (
        (now - timedelta(days=5), now + timedelta(days=20))
        if open_
        else (now - timedelta(days=40), now - timedelta(days=10))
    )
    campaign = Campaign(
        name=name or f"Campagne {kind} {year}",
        kind=kind,
        year=year,
        opens_at=opens,
        closes_at=closes,
        required_fields=list(required),
        reminder_days=list(reminder_days),
    )
    return campaign_save(
        campaign=campaign, contract_types=ContractType.objects.filter(code__in=types), role=_system_role()
    )
