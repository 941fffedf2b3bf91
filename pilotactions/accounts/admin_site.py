from functools import update_wrapper

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse

from . import perms

# Traces shown for reading only: changing them here would bypass the services that audit every change.
READ_ONLY_MODELS = {
    "accounts.role",
    "accounts.invitation",
    "accounts.accessrequest",
    "accounts.proconnectidentity",
    "core.auditevent",
    "axes.accessattempt",
    "axes.accesslog",
    "axes.accessfailurelog",
}


def _deletes_nothing(admin_class):
    """Nothing is deleted (docs/decisions.md): roles and accounts are deactivated, traces are kept."""

    class Guarded(admin_class):
        def has_delete_permission(self, request, obj=None):
            return False

        def has_add_permission(self, request, *args, **kwargs):
            return self.model._meta.label_lower not in READ_ONLY_MODELS and super().has_add_permission(
                request, *args, **kwargs
            )

        def has_change_permission(self, request, obj=None):
            return self.model._meta.label_lower not in READ_ONLY_MODELS and super().has_change_permission(request, obj)

    Guarded.__name__ = Guarded.__qualname__ = admin_class.__name__
    return Guarded


class NationalAdminSite(admin.AdminSite):
    """The technical administration, reachable by national administrators only; it deletes nothing."""

    site_header = "Pilot'actions — administration technique"
    site_title = "Pilot'actions"
    index_title = "Administration technique"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.disable_action("delete_selected")

    def register(self, model_or_iterable, admin_class=None, **options):
        super().register(model_or_iterable, _deletes_nothing(admin_class or admin.ModelAdmin), **options)

    def has_permission(self, request):
        return request.user.is_active and perms.can_use_admin_site(perms.current_role(request.user))

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def refuse_signed_in_non_admins(request, *args, **kwargs):
            if request.user.is_authenticated and not self.has_permission(request):
                raise PermissionDenied("L’administration technique est réservée aux administrateurs nationaux.")
            return inner(request, *args, **kwargs)

        return update_wrapper(refuse_signed_in_non_admins, inner)

    def login(self, request, extra_context=None):
        if request.user.is_authenticated:
            raise PermissionDenied("L’administration technique est réservée aux administrateurs nationaux.")
        return redirect(f"{reverse('accounts:login')}?next={request.get_full_path()}")
