from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .enums import (
    AUTHORITY_ROLES,
    NATIONAL_ROLES,
    ORGANISATION_KINDS_BY_ROLE,
    STATE_ROLES,
    AccessRequestStatus,
    OrganisationKind,
    RoleKind,
)

siret_validator = RegexValidator(r"^\d{14}$", "Un SIRET compte exactement 14 chiffres, sans espace.")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra_fields):
        if not email:
            raise ValueError("L’adresse électronique est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """An agent, identified by their professional e-mail address (ProConnect will use the same key)."""

    email = models.EmailField("adresse électronique", unique=True)
    first_name = models.CharField("prénom", max_length=150, blank=True)
    last_name = models.CharField("nom", max_length=150, blank=True)
    is_active = models.BooleanField("actif", default=True)
    is_staff = models.BooleanField("accès à l’administration technique", default=False)
    date_joined = models.DateTimeField("inscrit le", default=timezone.now)
    deactivated_at = models.DateTimeField("compte fermé le", null=True, blank=True)
    deactivation_reason = models.CharField("motif de fermeture", max_length=255, blank=True)
    # « Se déconnecter partout »: every session opened before this moment stops working (accounts/sessions.py).
    sessions_revoked_at = models.DateTimeField("sessions fermées le", null=True, blank=True)
    # Who changed what on the account (the password hash, sign-in times and session revocations are not history).
    history = HistoricalRecords(excluded_fields=["password", "last_login", "sessions_revoked_at"])

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = "utilisateur"
        verbose_name_plural = "utilisateurs"
        ordering = ["last_name", "first_name", "email"]

    def __str__(self):
        return self.get_full_name() or self.email

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self):
        return self.first_name or self.email


class ProConnectIdentity(models.Model):
    """The ProConnect subject (`sub`) an account signs in with: it follows the agent through a change of e-mail.

    A table of its own (not a column of the user's) so that its unique index is built with the table."""

    user = models.OneToOneField(
        User, verbose_name="utilisateur", on_delete=models.CASCADE, related_name="proconnect_identity"
    )
    sub = models.CharField("identifiant ProConnect", max_length=255, unique=True)
    linked_at = models.DateTimeField("relié le", default=timezone.now)
    last_sign_in_at = models.DateTimeField("dernière connexion ProConnect", null=True, blank=True)

    class Meta:
        verbose_name = "identité ProConnect"
        verbose_name_plural = "identités ProConnect"

    def __str__(self):
        return f"ProConnect {self.sub} — {self.user}"


class Organisation(models.Model):
    """A State service, a co-contracting authority or a central administration, over its territory.

    Exactly one territory field is set, depending on the kind: `region` for a regional State service,
    `departement` for a departmental one, `authority` for an authority; none for the DIPLP and the
    central administrations, which act nationally.
    """

    name = models.CharField("nom", max_length=200)
    acronym = models.CharField("sigle", max_length=30, blank=True)
    kind = models.CharField("type", max_length=32, choices=OrganisationKind.choices)
    region = models.ForeignKey(
        "territories.Region", verbose_name="région", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    departement = models.ForeignKey(
        "territories.Departement",
        verbose_name="département",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    authority = models.ForeignKey(
        "territories.Authority",
        verbose_name="collectivité",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
    )
    is_active = models.BooleanField("active", default=True)
    # The establishment's SIRET, as ProConnect sends it in the `siret` claim: an unknown agent whose SIRET is
    # an organisation's may ask for access to it. Empty when not known (most organisations, to begin with).
    siret = models.CharField(
        "SIRET", max_length=14, blank=True, default="", db_default="", validators=[siret_validator]
    )

    class Meta:
        verbose_name = "organisation"
        verbose_name_plural = "organisations"
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "name"], name="organisation_unique_name_per_kind"),
            models.UniqueConstraint(fields=["siret"], condition=~models.Q(siret=""), name="organisation_unique_siret"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        expected = {
            OrganisationKind.REGIONAL_STATE: "region",
            OrganisationKind.DEPARTMENTAL_STATE: "departement",
            OrganisationKind.AUTHORITY: "authority",
        }.get(self.kind)
        set_fields = {f for f in ("region", "departement", "authority") if getattr(self, f"{f}_id")}
        if expected and set_fields != {expected}:
            label = self._meta.get_field(expected).verbose_name
            raise ValidationError(
                {expected: f"Une organisation de ce type doit être rattachée à une {label} et à elle seule."}
            )
        if not expected and set_fields:
            raise ValidationError("Une organisation nationale n’est rattachée à aucun territoire.")

    @property
    def territory(self):
        return self.region or self.departement or self.authority

    @property
    def territory_label(self):
        return str(self.territory) if self.territory else "France entière"


class RoleQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True, user__is_active=True)


class Role(models.Model):
    """What one user may do for one organisation over its territory. Deactivated, never deleted."""

    user = models.ForeignKey(User, verbose_name="utilisateur", on_delete=models.PROTECT, related_name="roles")
    kind = models.CharField("rôle", max_length=32, choices=RoleKind.choices)
    organisation = models.ForeignKey(
        Organisation, verbose_name="organisation", on_delete=models.PROTECT, related_name="roles"
    )
    is_active = models.BooleanField("actif", default=True)
    granted_at = models.DateTimeField("accordé le", default=timezone.now)
    granted_by = models.ForeignKey(
        User, verbose_name="accordé par", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    deactivated_at = models.DateTimeField("désactivé le", null=True, blank=True)
    deactivated_by = models.ForeignKey(
        User, verbose_name="désactivé par", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    deactivation_reason = models.CharField("motif de désactivation", max_length=255, blank=True)
    history = HistoricalRecords()

    objects = RoleQuerySet.as_manager()

    class Meta:
        verbose_name = "rôle"
        verbose_name_plural = "rôles"
        ordering = ["user", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "organisation"],
                condition=models.Q(is_active=True),
                name="role_unique_active_per_user_kind_organisation",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.organisation}"

    def clean(self):
        allowed = ORGANISATION_KINDS_BY_ROLE[self.kind]
        if self.organisation_id and self.organisation.kind not in allowed:
            raise ValidationError(
                {
                    "organisation": f"Le rôle « {self.get_kind_display()} » ne peut pas être exercé pour cette organisation."
                }
            )

    # Territory, derived from the organisation: one source of truth.
    @property
    def region(self):
        return self.organisation.region

    @property
    def departement(self):
        return self.organisation.departement

    @property
    def authority(self):
        return self.organisation.authority

    @property
    def is_national(self):
        return self.kind in NATIONAL_ROLES

    @property
    def is_state(self):
        return self.kind in STATE_ROLES

    @property
    def is_authority(self):
        return self.kind in AUTHORITY_ROLES


class Invitation(models.Model):
    """A single-use, expiring link with which an invited agent sets a password and gets a role."""

    email = models.EmailField("adresse électronique")
    first_name = models.CharField("prénom", max_length=150)
    last_name = models.CharField("nom", max_length=150)
    role_kind = models.CharField("rôle", max_length=32, choices=RoleKind.choices)
    organisation = models.ForeignKey(Organisation, verbose_name="organisation", on_delete=models.PROTECT)
    invited_by = models.ForeignKey(User, verbose_name="invité par", on_delete=models.PROTECT, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField("envoyée le", auto_now_add=True)
    expires_at = models.DateTimeField("expire le")
    accepted_at = models.DateTimeField("acceptée le", null=True, blank=True)
    cancelled_at = models.DateTimeField("annulée le", null=True, blank=True)
    cancelled_by = models.ForeignKey(
        User, verbose_name="annulée par", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    role = models.OneToOneField(Role, null=True, blank=True, on_delete=models.SET_NULL, related_name="invitation")

    class Meta:
        verbose_name = "invitation"
        verbose_name_plural = "invitations"
        ordering = ["-created_at"]

    def __str__(self):
        return f"Invitation de {self.email} ({self.get_role_kind_display()})"

    @property
    def is_expired(self):
        return timezone.now() >= self.expires_at

    @property
    def is_pending(self):
        """Sent, neither accepted, cancelled nor expired: its link works."""
        return not (self.accepted_at or self.cancelled_at or self.is_expired)

    @property
    def status_label(self):
        if self.accepted_at:
            return "acceptée"
        if self.cancelled_at:
            return "annulée"
        return "expirée" if self.is_expired else "en attente"


class DigestPreference(models.Model):
    """A person's e-mail digest of their tasks: whether they want it, and the last one sent.

    No row means the default: the digest is on and was never sent. The row is not history-tracked (the
    sending is not a change of the account); turning it off or on is an audit event.
    """

    user = models.OneToOneField(
        User, verbose_name="utilisateur", on_delete=models.CASCADE, primary_key=True, related_name="digest"
    )
    enabled = models.BooleanField("recevoir le récapitulatif quotidien", default=True)
    last_sent_on = models.DateField("dernier récapitulatif envoyé le", null=True, blank=True)
    last_fingerprint = models.CharField("empreinte du dernier récapitulatif", max_length=64, blank=True)

    class Meta:
        verbose_name = "préférence de récapitulatif"
        verbose_name_plural = "préférences de récapitulatif"

    def __str__(self):
        return f"Récapitulatif de {self.user} ({'activé' if self.enabled else 'désactivé'})"


class AccessRequest(models.Model):
    """An agent unknown to Pilot'actions who signed in with ProConnect for a known organisation (by SIRET).

    Nothing is granted by the request itself: an administrator of the organisation (or a national
    administrator) accepts it with a role and an organisation, through the role-granting service and its
    permission checks, or refuses it with a reason. See AccessRequestStatus for the workflow.
    """

    email = models.EmailField("adresse électronique")
    first_name = models.CharField("prénom", max_length=150, blank=True)
    last_name = models.CharField("nom", max_length=150, blank=True)
    proconnect_sub = models.CharField("identifiant ProConnect", max_length=255)
    siret = models.CharField("SIRET transmis", max_length=14, validators=[siret_validator])
    organisation = models.ForeignKey(
        Organisation, verbose_name="organisation", on_delete=models.PROTECT, related_name="access_requests"
    )
    status = models.CharField(
        "état", max_length=16, choices=AccessRequestStatus.choices, default=AccessRequestStatus.PENDING
    )
    created_at = models.DateTimeField("demandée le", default=timezone.now)
    decided_at = models.DateTimeField("traitée le", null=True, blank=True)
    decided_by = models.ForeignKey(
        User, verbose_name="traitée par", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    refusal_reason = models.CharField("motif du refus", max_length=255, blank=True)
    role = models.ForeignKey(
        Role, verbose_name="rôle accordé", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "demande d’accès"
        verbose_name_plural = "demandes d’accès"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["proconnect_sub"],
                condition=models.Q(status="pending"),
                name="access_request_one_pending_per_agent",
            )
        ]

    def __str__(self):
        return f"Demande d’accès de {self.email} ({self.organisation})"

    @property
    def is_pending(self):
        return self.status == AccessRequestStatus.PENDING
