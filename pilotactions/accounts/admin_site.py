from functools import update_wrapper

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse

from . import perms


class NationalAdminSite(admin.AdminSite):
    """The technical administration, reachable by national administrators only."""

    site_header = "Pilot'actions — administration technique"
    site_title = "Pilot'actions"
    index_title = "Administration technique"

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
