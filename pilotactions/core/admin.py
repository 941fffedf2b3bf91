from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The business events, for reading (the site makes them read-only and undeletable)."""

    list_display = ["occurred_at", "actor", "role_label", "organisation_label", "verb", "target_label"]
    list_filter = ["verb", "target_type"]
    search_fields = ["actor__email", "target_label", "message", "organisation_label"]
    date_hierarchy = "occurred_at"
    readonly_fields = [f.name for f in AuditEvent._meta.fields]
