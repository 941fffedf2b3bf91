"""The pacts in the technical administration: for reading. Their writes go through the pages and services,
which check the envelope, version the records and audit every change (docs/decisions.md)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Pact, PactAction, PactActionCofinancing, PactCofinancing, PactDocument


class ReadOnlyAdminMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PactCofinancingInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = PactCofinancing
    extra = 0


class PactActionCofinancingInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = PactActionCofinancing
    extra = 0


@admin.register(Pact)
class PactAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ["reference", "title", "region", "year", "territory_kind", "status", "state_amount"]
    list_filter = ["year", "status", "territory_kind", "region"]
    search_fields = ["reference", "title", "territory_label"]
    inlines = [PactCofinancingInline]


@admin.register(PactAction)
class PactActionAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ["reference", "title", "status", "state_amount", "budget_bracket"]
    list_filter = ["status"]
    search_fields = ["reference", "title"]
    list_select_related = ["budget_bracket"]
    inlines = [PactActionCofinancingInline]


@admin.register(PactDocument)
class PactDocumentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["original_name", "pact", "kind", "size", "created_at"]
    search_fields = ["original_name", "pact__reference"]
