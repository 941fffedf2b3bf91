from django.conf import settings
from django.contrib.auth.backends import ModelBackend

from .enums import RoleKind


class RoleModelBackend(ModelBackend):
    """E-mail and password sign-in; model permissions (used by the Django admin only) come from roles.

    A user acting as national administrator has every model permission in the admin; nobody else has
    any. ProConnect (OpenID Connect) is another backend (`proconnect.ProConnectBackend`) authenticating the
    same `User`: roles stay as they are. LOCAL_PASSWORD_LOGIN=false turns passwords off.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not settings.LOCAL_PASSWORD_LOGIN:  # turned off in this environment: ProConnect only
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)

    def get_all_permissions(self, user_obj, obj=None):
        return set()

    def has_perm(self, user_obj, perm, obj=None):
        role = getattr(user_obj, "current_role", None)
        return bool(user_obj.is_active and role and role.kind == RoleKind.NATIONAL_ADMIN)

    def has_module_perms(self, user_obj, app_label):
        return self.has_perm(user_obj, f"{app_label}.view")


def axes_username(request, credentials=None) -> str:
    """The e-mail address a sign-in attempt targets, normalised as stored, for django-axes' counts."""
    source = credentials if credentials is not None else getattr(request, "POST", {})
    return (source.get("username") or "").strip().lower()
