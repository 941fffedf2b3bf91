from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import AccessRequest, Invitation, Organisation, ProConnectIdentity, Role, User


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ["email", "first_name", "last_name", "is_active", "last_login"]
    search_fields = ["email", "first_name", "last_name"]
    list_filter = ["is_active"]
    exclude = ["password", "groups", "user_permissions", "is_superuser"]
    # Closing and reopening an account are audited services (the access review page), not edits.
    readonly_fields = [
        "last_login",
        "date_joined",
        "is_active",
        "deactivated_at",
        "deactivation_reason",
    ]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "region", "departement", "authority", "siret", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "acronym", "siret"]
    raw_id_fields = ["authority"]


@admin.register(Role)
class RoleAdmin(SimpleHistoryAdmin):
    list_display = ["user", "kind", "organisation", "is_active", "granted_at"]
    list_filter = ["kind", "is_active"]
    search_fields = ["user__email", "organisation__name"]
    raw_id_fields = ["user", "organisation", "granted_by", "deactivated_by"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "role_kind", "organisation", "invited_by", "created_at", "accepted_at"]
    search_fields = ["email"]
    readonly_fields = [f.name for f in Invitation._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(AccessRequest)
class AccessRequestAdmin(admin.ModelAdmin):
    """Read-only: requests are decided on « Demandes d’accès », through the audited services."""

    list_display = ["email", "organisation", "status", "created_at", "decided_by", "decided_at"]
    list_filter = ["status"]
    search_fields = ["email", "siret", "organisation__name"]
    readonly_fields = [f.name for f in AccessRequest._meta.fields]


@admin.register(ProConnectIdentity)
class ProConnectIdentityAdmin(admin.ModelAdmin):
    list_display = ["user", "sub", "linked_at", "last_sign_in_at"]
    search_fields = ["user__email", "sub"]
    readonly_fields = [f.name for f in ProConnectIdentity._meta.fields]


# django-otp registers its devices here: their secrets (TOTP keys, backup codes) are nobody else's to read, and a
# second factor is removed through the audited reset (the access review page), never edited.
def _second_factor_devices_unregister():
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    for model in (TOTPDevice, StaticDevice):
        if admin.site.is_registered(model):
            admin.site.unregister(model)


_second_factor_devices_unregister()
