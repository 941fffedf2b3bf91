from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Option, OptionList


class ReadOnlyAdminMixin:
    """Edits go through the application's pages (and services), which version and audit them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OptionList)
class OptionListAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["code", "title", "version"]
    search_fields = ["code", "title"]


@admin.register(Option)
class OptionAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ["code", "label", "option_list", "parent", "is_active"]
    list_filter = ["option_list", "is_active"]
    search_fields = ["code", "label"]
