from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice
from django_ratelimit.core import is_ratelimited

from pilotactions.core.audit import verb_label
from pilotactions.core.decorators import role_required
from pilotactions.core.forms import form_add_service_errors, valid_filters
from pilotactions.core.http import safe_next_url
from pilotactions.core.models import AuditEvent
from pilotactions.core.pagination import narrow_page
from pilotactions.core.tabular import people_download
from pilotactions.territories.models import Authority, Departement, Region

from . import digest, journal, perms, personal_data, proconnect, services
from .forms import (
    AccessRequestAcceptForm,
    DeactivationForm,
    DigestPreferenceForm,
    EmailAuthenticationForm,
    FrenchPasswordResetForm,
    FrenchSetPasswordForm,
    InvitationForm,
    PasswordChoiceForm,
    SecondFactorCodeForm,
)
from .middleware import SESSION_KEY
from .models import Invitation, Organisation, Role, User
from .perms import require
from .todo import todos_for


@login_not_required
def home(request):
    """Anonymous visitors get the presentation of the service; agents the page of their current role."""
    if not request.user.is_authenticated:
        return render(
            request,
            "core/home.html",
            {
                "page_title": "Accueil",
                "region_count": Region.objects.official().count(),
                "departement_count": Departement.objects.official().count(),
                "authority_counts": Authority.objects.counts_by_level(),
            },
        )
    role = perms.current_role(request.user)
    context = {"page_title": "Mon espace", "role": role}
    if role is not None:
        colleagues = (
            Role.objects.active()
            .filter(organisation=role.organisation)
            .exclude(user=request.user)
            .select_related("user")
            .order_by("user__last_name")
        )
        context.update(
            colleagues=colleagues,
            invitable=bool(perms.invitable_role_kinds(role)),
            administered_count=perms.administered_organisations(role).count(),
            visible_authorities=_visible_authorities(role),
            todos=todos_for(role),
        )
    return render(request, "accounts/home.html", context)


def _visible_authorities(role):
    ids = perms.visible_authority_ids(role)
    authorities = Authority.objects.order_by("level", "code")
    return authorities if ids is None else authorities.filter(id__in=ids)


@method_decorator(login_not_required, name="dispatch")
class LoginView(auth_views.LoginView):
    """E-mail and password (unless LOCAL_PASSWORD_LOGIN is off), and « S'identifier avec ProConnect » when
    ProConnect is configured."""

    form_class = EmailAuthenticationForm
    template_name = "accounts/login.html"
    extra_context = {"page_title": "Connexion"}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            proconnect_enabled=proconnect.proconnect_enabled(),
            local_password_login=settings.LOCAL_PASSWORD_LOGIN,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        if not settings.LOCAL_PASSWORD_LOGIN:
            form = self.get_form()
            form.is_valid()  # keeps the address typed; the backend refuses any password anyway
            form.errors.clear()
            form.add_error(None, "La connexion par mot de passe n’est pas ouverte sur ce site : utilisez ProConnect.")
            return self.render_to_response(self.get_context_data(form=form), status=403)
        return super().post(request, *args, **kwargs)


def role_switch(request):
    """List the user's roles (GET) and switch the one they act with (POST)."""
    if request.method != "POST":
        return render(request, "accounts/role_switch.html", {"page_title": "Mes rôles"})
    role_id = request.POST.get("role")
    role = next((r for r in getattr(request.user, "active_roles", []) if str(r.pk) == role_id), None)
    if role is None:
        raise PermissionDenied("Ce rôle n’est pas (ou plus) l’un des vôtres.")
    services.role_switch(role=role)
    request.session[SESSION_KEY] = role.pk
    messages.success(request, f"Vous agissez maintenant en tant que « {role} ».")
    return redirect("home")


def organisation_list(request):
    role = perms.current_role(request.user)
    if not perms.invitable_role_kinds(role):
        raise PermissionDenied("Votre rôle ne permet pas d’administrer des accès.")
    organisations = (
        perms.administered_organisations(role)
        .select_related("region", "departement", "authority")
        .annotate(active_roles=Count("roles", filter=Q(roles__is_active=True, roles__user__is_active=True)))
        .order_by("kind", "name")
    )
    query = request.GET.get("q", "").strip()
    if query:
        organisations = organisations.filter(Q(name__icontains=query) | Q(acronym__icontains=query))
    page = Paginator(organisations, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/organisation_list.html",
        {
            "page_title": "Accès et invitations",
            "page": page,
            "query": query,
            "role": role,
            "pending_access_requests": perms.visible_access_requests(role).filter(status="pending").count(),
        },
    )


def organisation_access(request, pk):
    """Access review: who holds which role in this organisation, who invited them, what is pending."""
    role = perms.current_role(request.user)
    organisation = get_object_or_404(Organisation.objects.select_related("region", "departement", "authority"), pk=pk)
    require(perms.can_review_access(role, organisation))
    roles = organisation.roles.select_related("user", "granted_by", "deactivated_by").order_by(
        "-is_active", "user__last_name"
    )
    can_administer = perms.administered_organisations(role).filter(pk=organisation.pk).exists()
    with_second_factor = services.users_with_second_factor([r.user_id for r in roles])
    rows, users_seen = [], set()
    for r in roles:
        rows.append(
            {
                "role": r,
                "can_deactivate": can_administer and perms.can_deactivate_role(role, r)[0],
                "can_deactivate_user": perms.can_deactivate_user(role, r.user)[0],
                # One reopening form per closed account, on its first row.
                "can_reactivate_user": r.user_id not in users_seen and perms.can_reactivate_user(role, r.user)[0],
                # A lost phone: one reset form per account that has a second factor, on its first row.
                "can_reset_second_factor": r.user_id not in users_seen
                and perms.can_reset_second_factor(role, r.user, has_device=r.user_id in with_second_factor)[0],
            }
        )
        users_seen.add(r.user_id)
    invitations = (
        organisation.invitation_set.filter(accepted_at__isnull=True, cancelled_at__isnull=True).select_related(
            "invited_by"
        )
        if can_administer
        else []
    )
    return render(
        request,
        "accounts/organisation_access.html",
        {
            "page_title": f"Accès — {organisation}",
            "organisation": organisation,
            "rows": rows,
            "invitations": invitations,
            "can_administer": can_administer,
            "deactivation_form": DeactivationForm(),
        },
    )


def invitation_create(request):
    role = perms.current_role(request.user)
    role_kinds = perms.invitable_role_kinds(role)
    if not role_kinds:
        raise PermissionDenied("Votre rôle ne permet pas d’inviter des agents.")
    organisations = perms.administered_organisations(role)
    initial = {}
    if request.GET.get("organisation"):
        initial["organisation"] = request.GET["organisation"]
    form = InvitationForm(request.POST or None, role_kinds=role_kinds, organisations=organisations, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _token = services.invitation_create(
                acting_role=role, base_url=request.build_absolute_uri("/"), **form.cleaned_data
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"Invitation envoyée à {invitation.email} ({invitation.get_role_kind_display()}, {invitation.organisation}). "
                "Le lien est valable 7 jours.",
            )
            return redirect("accounts:organisation_access", pk=invitation.organisation_id)
    return render(request, "accounts/invitation_form.html", {"page_title": "Inviter un agent", "form": form})


@login_not_required
def invitation_accept(request, token):
    invitation, reason = services.invitation_from_token(token)
    if invitation is None:
        return render(
            request, "accounts/invitation_invalid.html", {"page_title": "Invitation", "reason": reason}, status=410
        )
    existing = User.objects.filter(email=invitation.email).first()
    if existing is not None and not existing.is_active:
        return render(
            request,
            "accounts/invitation_invalid.html",
            {"page_title": "Invitation", "reason": services.closed_account_message(existing)},
            status=403,
        )
    if not settings.LOCAL_PASSWORD_LOGIN:
        return _invitation_accept_without_password(request, token, invitation)
    form = PasswordChoiceForm(request.POST or None, user=existing or User(email=invitation.email))
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(token=token, password=form.cleaned_data["password1"])
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            login(request, user, backend="pilotactions.accounts.backends.RoleModelBackend")
            messages.success(request, "Votre accès est activé. Bienvenue dans Pilot'actions.")
            return redirect("home")
    return render(
        request,
        "accounts/invitation_accept.html",
        {"page_title": "Activer votre accès", "invitation": invitation, "form": form, "local_password_login": True},
    )


def _invitation_accept_without_password(request, token, invitation):
    """Passwords are off (LOCAL_PASSWORD_LOGIN=false): the invitation gives the role to an account without a
    password, and the agent then signs in with ProConnect (matched by their e-mail address)."""
    if request.method == "POST":
        try:
            services.invitation_accept(token=token, password=None)
        except ValidationError as error:
            return render(
                request,
                "accounts/invitation_invalid.html",
                {"page_title": "Invitation", "reason": " ".join(error.messages)},
                status=400,
            )
        messages.success(request, "Votre accès est activé : connectez-vous avec ProConnect.")
        return redirect("accounts:login")
    return render(
        request,
        "accounts/invitation_accept.html",
        {"page_title": "Activer votre accès", "invitation": invitation, "local_password_login": False},
    )


@require_POST
def role_deactivate(request, pk):
    acting = perms.current_role(request.user)
    target = get_object_or_404(Role.objects.select_related("user", "organisation"), pk=pk)
    form = DeactivationForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Indiquez le motif de la désactivation (255 caractères au plus).")
        return redirect("accounts:organisation_access", pk=target.organisation_id)
    services.role_deactivate(acting_role=acting, role=target, reason=form.cleaned_data["reason"])
    messages.success(request, f"Le rôle de {target.user} a été désactivé ; il ne donne plus accès à rien.")
    return redirect("accounts:organisation_access", pk=target.organisation_id)


@require_POST
def user_deactivate(request, pk):
    acting = perms.current_role(request.user)
    target = get_object_or_404(User, pk=pk)
    require(perms.can_deactivate_user(acting, target))
    form = DeactivationForm(request.POST)
    back = safe_next_url(request, reverse("accounts:organisation_list"))
    if not form.is_valid():
        messages.error(request, "Indiquez le motif de la désactivation (255 caractères au plus).")
        return redirect(back)
    services.user_deactivate(acting_role=acting, user=target, reason=form.cleaned_data["reason"])
    messages.success(
        request, f"Le compte de {target} est fermé : il ne peut plus se connecter et ses rôles sont désactivés."
    )
    return redirect(back)


@require_POST
def user_reactivate(request, pk):
    """Reopen a closed account (national admins); its former roles stay deactivated."""
    acting = perms.current_role(request.user)
    target = get_object_or_404(User, pk=pk)
    require(perms.can_reactivate_user(acting, target))
    form = DeactivationForm(request.POST)
    back = safe_next_url(request, reverse("accounts:organisation_list"))
    if not form.is_valid():
        messages.error(request, "Indiquez le motif de la réactivation (255 caractères au plus).")
        return redirect(back)
    services.user_reactivate(acting_role=acting, user=target, reason=form.cleaned_data["reason"])
    messages.success(
        request,
        f"Le compte de {target} est rouvert, sans aucun rôle : invitez-le pour lui redonner un accès.",
    )
    return redirect(back)


def invitation_list(request):
    """Invitations the current role sent or may follow, most recent first."""
    role = perms.current_role(request.user)
    if not perms.invitable_role_kinds(role):
        raise PermissionDenied("Votre rôle ne permet pas d’inviter des agents.")
    invitations = Invitation.objects.filter(organisation__in=perms.administered_organisations(role)).select_related(
        "organisation", "invited_by"
    )
    page = Paginator(invitations, 50).get_page(request.GET.get("page"))
    kinds = set(perms.invitable_role_kinds(role))
    for invitation in page:  # the organisations are already those the role administers
        invitation.can_manage = invitation.role_kind in kinds and not (
            invitation.accepted_at or invitation.cancelled_at
        )
    return render(request, "accounts/invitation_list.html", {"page_title": "Invitations envoyées", "page": page})


@require_POST
def invitation_resend(request, pk):
    role = perms.current_role(request.user)
    invitation = get_object_or_404(Invitation, pk=pk, organisation__in=perms.administered_organisations(role))
    try:
        services.invitation_resend(acting_role=role, invitation=invitation, base_url=request.build_absolute_uri("/"))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Invitation renvoyée à {invitation.email} : le nouveau lien est valable 7 jours.")
    return redirect("accounts:invitation_list")


@require_POST
def invitation_cancel(request, pk):
    role = perms.current_role(request.user)
    invitation = get_object_or_404(Invitation, pk=pk, organisation__in=perms.administered_organisations(role))
    try:
        services.invitation_cancel(acting_role=role, invitation=invitation)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Invitation de {invitation.email} annulée : son lien ne fonctionne plus.")
    return redirect("accounts:invitation_list")


def _reset_email(group, request) -> str:
    return request.POST.get("email", "").strip().lower()


# Per client address and per e-mail address, counted in the cache whatever the address's existence.
RESET_LIMITS = [("ip", "10/h"), (_reset_email, "3/h")]


@method_decorator(login_not_required, name="dispatch")
class PasswordResetView(auth_views.PasswordResetView):
    """Django's view, French templates, open to anonymous visitors, rate-limited."""

    form_class = FrenchPasswordResetForm
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")
    extra_context = {"page_title": "Mot de passe oublié"}

    def dispatch(self, request, *args, **kwargs):
        if not settings.LOCAL_PASSWORD_LOGIN:
            messages.info(request, "Il n’y a pas de mot de passe sur ce site : connectez-vous avec ProConnect.")
            return redirect("accounts:login")
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        limited = [
            is_ratelimited(request, group="password_reset", key=k, rate=r, increment=True) for k, r in RESET_LIMITS
        ]
        if any(limited):
            form = self.get_form()
            form.add_error(None, "Trop de demandes de réinitialisation : réessayez dans une heure.")
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)


password_reset = PasswordResetView.as_view()
password_reset_done = login_not_required(
    auth_views.PasswordResetDoneView.as_view(
        template_name="accounts/password_reset_done.html", extra_context={"page_title": "Mot de passe oublié"}
    )
)
password_reset_confirm = login_not_required(
    auth_views.PasswordResetConfirmView.as_view(
        form_class=FrenchSetPasswordForm,
        template_name="accounts/password_reset_confirm.html",
        success_url=reverse_lazy("accounts:password_reset_complete"),
        extra_context={"page_title": "Nouveau mot de passe"},
    )
)
password_reset_complete = login_not_required(
    auth_views.PasswordResetCompleteView.as_view(
        template_name="accounts/password_reset_complete.html", extra_context={"page_title": "Mot de passe modifié"}
    )
)


@login_not_required
@require_POST
def logout(request):
    """Sign out (POST only, like Django's view); a ProConnect agent is then signed out at ProConnect too."""
    provider_url = proconnect.logout(request)
    return redirect(provider_url or settings.LOGOUT_REDIRECT_URL)


@role_required
def notifications(request):
    """« Mes notifications »: the person turns their daily digest on or off (for all their roles)."""
    # An unticked box posts nothing: bind on the method, not on an empty POST.
    data = request.POST if request.method == "POST" else None
    form = DigestPreferenceForm(data, initial={"enabled": digest.digest_enabled(request.user)})
    if request.method == "POST" and form.is_valid():
        enabled = form.cleaned_data["enabled"]
        digest.digest_preference_set(user=request.user, enabled=enabled)
        messages.success(
            request,
            "Vous recevrez le récapitulatif quotidien de vos tâches."
            if enabled
            else "Vous ne recevrez plus le récapitulatif quotidien de vos tâches.",
        )
        return redirect("accounts:notifications")
    return render(request, "accounts/notifications.html", {"page_title": "Mes notifications", "form": form})


# The link of each digest, used without signing in. No CSRF token: the signed token is the authorisation, and
# mail clients that offer « Se désabonner » post to it directly (List-Unsubscribe-Post, RFC 8058).
@csrf_exempt
@login_not_required
def digest_unsubscribe(request, token):
    user = digest.user_from_unsubscribe_token(token)
    if user is None:
        return render(
            request,
            "accounts/digest_unsubscribe.html",
            {
                "page_title": "Se désabonner",
                "invalid": "Ce lien de désabonnement n’est pas valide : il est incomplet ou a été modifié. Copiez le "
                "lien entier depuis le courriel, ou connectez-vous et choisissez vos notifications dans « Mes "
                "notifications ».",
            },
            status=400,
        )
    if request.method == "POST":
        digest.digest_preference_set(user=user, enabled=False, via="link")
        return render(request, "accounts/digest_unsubscribe.html", {"page_title": "Désabonnement", "done": True})
    return render(
        request,
        "accounts/digest_unsubscribe.html",
        {"page_title": "Se désabonner", "email": user.email, "enabled": digest.digest_enabled(user)},
    )


def access_request_list(request):
    """ProConnect access requests for the organisations the current role administers, pending first."""
    role = perms.current_role(request.user)
    if not perms.invitable_role_kinds(role):
        raise PermissionDenied("Votre rôle ne permet pas d’administrer des accès.")
    requests_ = (
        perms.visible_access_requests(role)
        .select_related("organisation", "decided_by")
        .order_by(F("decided_at").desc(nulls_first=True), "-created_at")  # pending first
    )
    page = Paginator(requests_, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/access_request_list.html", {"page_title": "Demandes d’accès", "page": page})


def access_request_detail(request, pk):
    """One access request: accept it with a role and an organisation, or refuse it with a reason."""
    role = perms.current_role(request.user)
    access_request = get_object_or_404(
        perms.visible_access_requests(role).select_related("organisation", "decided_by", "role"), pk=pk
    )
    require(perms.can_decide_access_request(role, access_request))
    accept_form = AccessRequestAcceptForm(
        request.POST if request.POST.get("decision") == "accept" else None,
        role_kinds=perms.invitable_role_kinds(role),
        organisations=perms.administered_organisations(role),
        initial={"organisation": access_request.organisation_id},
    )
    refuse_form = DeactivationForm(request.POST if request.POST.get("decision") == "refuse" else None)
    refuse_form.fields["reason"].help_text = "Il est envoyé à l’agent. Par exemple : agent d’un autre service."
    status = 200
    if request.method == "POST" and access_request.is_pending:
        try:
            if accept_form.is_bound and accept_form.is_valid():
                granted = services.access_request_accept(
                    acting_role=role, access_request=access_request, **accept_form.cleaned_data
                )
                messages.success(request, f"Demande acceptée : {access_request.email} a le rôle « {granted} ».")
                return redirect("accounts:access_request_list")
            if refuse_form.is_bound and refuse_form.is_valid():
                services.access_request_refuse(
                    acting_role=role, access_request=access_request, reason=refuse_form.cleaned_data["reason"]
                )
                messages.success(request, f"Demande de {access_request.email} refusée ; l’agent en est informé.")
                return redirect("accounts:access_request_list")
        except ValidationError as error:
            form_add_service_errors(accept_form if accept_form.is_bound else refuse_form, error)
        except PermissionDenied as error:
            (accept_form if accept_form.is_bound else refuse_form).add_error(None, str(error))
        status = 400
    return render(
        request,
        "accounts/access_request_detail.html",
        {
            "page_title": f"Demande d’accès de {access_request.email}",
            "access_request": access_request,
            "accept_form": accept_form,
            "refuse_form": refuse_form,
        },
        status=status,
    )


def account(request):
    """« Mon compte »: how the person signs in, how long a session lasts, and « Se déconnecter partout »."""
    if request.method == "POST":
        services.user_sign_out_everywhere(user=request.user)
        provider_url = proconnect.logout(request)
        messages.success(request, "Vous êtes déconnecté(e) de toutes vos sessions, sur tous vos appareils.")
        return redirect(provider_url or settings.LOGOUT_REDIRECT_URL)
    return render(
        request,
        "accounts/account.html",
        {
            "page_title": "Mon compte",
            "proconnect_identity": getattr(request.user, "proconnect_identity", None),
            "signed_in_with_proconnect": request.session.get(proconnect.SESSION_AUTH_METHOD) == "proconnect",
            "idle_minutes": settings.SESSION_IDLE_MINUTES,
            "max_hours": settings.SESSION_MAX_HOURS,
            "second_factor_enrolled": services.second_factor_enrolled(request.user),
            "second_factor_required": perms.second_factor_required(perms.current_role(request.user)),
            "second_factor_enforced": settings.REQUIRE_SECOND_FACTOR,
            "backup_codes_left": services.backup_codes_left(request.user),
        },
    )


def _journal_events(request, role):
    form = journal.JournalFilterForm(request.GET or None, target_types=journal.target_types())
    events = journal.audit_events_filter(journal.audit_events_visible(role), valid_filters(form))
    return form, events


def audit_journal(request):
    """« Journal des actions »: who, acting as which role and organisation, did what, when, on which object."""
    role = perms.current_role(request.user)
    require(perms.can_read_audit_log(role))
    form, events = _journal_events(request, role)
    page = narrow_page(
        events,
        request.GET.get("page"),
        lambda ids: AuditEvent.objects.select_related("actor").in_bulk(ids),
    )
    links = journal.target_links(role, page.object_list)
    rows = [
        {
            "event": event,
            "actor": journal.actor_label(event),
            "verb": verb_label(event.verb),
            "link": links.get((event.target_type, event.target_id)),
        }
        for event in page.object_list
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/journal.html",
        {
            "page_title": "Journal des actions",
            "form": form,
            "page": page,
            "rows": rows,
            "query_string": query.urlencode(),
            "national": perms.audit_organisations(role) is None,
        },
    )


def audit_journal_export(request, extension):
    """The filtered journal as CSV or XLSX (text never a formula: core.tabular)."""
    role = perms.current_role(request.user)
    require(perms.can_read_audit_log(role))
    _form, events = _journal_events(request, role)
    return people_download(
        journal.EXPORT_COLUMNS,
        journal.export_rows(events),
        extension=extension,
        filename=f"pilotactions-journal-{timezone.localdate():%Y%m%d}",
        sheet_title="Journal des actions",
    )


def personal_data_download(request):
    """« Mes données »: everything Pilot'actions holds about the signed-in person, as one JSON file."""
    data = personal_data.personal_data_export(request.user)
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = (
        f'attachment; filename="pilotactions-mes-donnees-{timezone.localdate():%Y%m%d}.json"'
    )
    return response


# --- Second factor (django-otp): « Vérification en deux étapes » ----------------------------------------------


def _qr_code_svg(text: str) -> str:
    """The QR code as an inline SVG element (no script, no style: the CSP allows it), labelled for screen readers."""
    import re

    import qrcode
    import qrcode.image.svg

    svg = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathFillImage, box_size=10, border=2).to_string(
        encoding="unicode"
    )
    return re.sub(
        r'^<svg width="[^"]*" height="[^"]*"',
        '<svg width="220" height="220" role="img" aria-label="Code QR à lire avec votre application d’authentification"',
        svg,
        count=1,
    )


def _secret_text(device) -> str:
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _backup_codes_response(request, codes, *, page_title, next_url):
    from urllib.parse import quote

    text = (
        "Pilot'actions — codes de secours de la double authentification\n"
        f"Compte : {request.user.email}\n\n"
        "Chaque code ne sert qu'une fois, à la place du code de votre application.\n\n" + "\n".join(codes) + "\n"
    )
    response = render(
        request,
        "accounts/two_factor_backup_codes.html",
        {
            "page_title": page_title,
            "codes": codes,
            "download_href": "data:text/plain;charset=utf-8," + quote(text),
            "next_url": next_url,
        },
    )
    add_never_cache_headers(response)  # shown once: never kept by the browser or a proxy
    return response


def two_factor_enrol(request):
    """Enrol an authenticator app: QR code and secret, confirmed by a first code; then the backup codes, once."""
    next_url = safe_next_url(request, reverse("home"))
    if services.second_factor_enrolled(request.user):
        messages.info(request, "Votre double authentification est déjà activée.")
        return redirect("accounts:account")
    device = services.second_factor_enrolment_start(user=request.user)
    form = SecondFactorCodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            check, codes = services.second_factor_enrol(
                user=request.user, device=device, code=form.cleaned_data["code"]
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            if codes:
                otp_login(request, check.device)
                messages.success(request, "La double authentification est activée.")
                return _backup_codes_response(request, codes, page_title="Vos codes de secours", next_url=next_url)
            form.add_error("code", check.refusal)
        status = 400
    elif request.method == "POST":
        status = 400
    response = render(
        request,
        "accounts/two_factor_enrol.html",
        {
            "page_title": "Vérification en deux étapes : activation",
            "form": form,
            "qr_svg": _qr_code_svg(device.config_url),
            "secret": _secret_text(device),
            "next_url": next_url,
            "required": perms.second_factor_required(perms.current_role(request.user)),
        },
        status=status,
    )
    add_never_cache_headers(response)  # the secret
    return response


def two_factor_verify(request):
    """After the password: a code of the app, or a backup code (used up); wrong codes make the next try wait."""
    next_url = safe_next_url(request, reverse("home"))
    if not user_has_device(request.user):
        return redirect(f"{reverse('accounts:two_factor_enrol')}?{request.GET.urlencode()}")
    if request.user.is_verified():
        return redirect(next_url)
    form = SecondFactorCodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            check = services.second_factor_code_check(user=request.user, code=form.cleaned_data["code"])
            if check.device is not None:
                otp_login(request, check.device)
                left = services.backup_codes_left(request.user)
                if isinstance(check.device, StaticDevice):
                    messages.warning(
                        request,
                        f"Code de secours accepté. Il vous en reste {left} : générez-en de nouveaux dans « Mon compte »"
                        " si vous en manquez.",
                    )
                return redirect(next_url)
            form.add_error("code", check.refusal)
    return render(
        request,
        "accounts/two_factor_verify.html",
        {"page_title": "Vérification en deux étapes", "form": form, "next_url": next_url},
        status=status,
    )


@require_POST
def backup_codes_regenerate(request):
    """New backup codes against a current code (« Mon compte »)."""
    form = SecondFactorCodeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Saisissez un code actuel pour générer de nouveaux codes de secours.")
        return redirect("accounts:account")
    try:
        check, codes = services.backup_codes_regenerate(user=request.user, code=form.cleaned_data["code"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("accounts:account")
    if not codes:
        messages.error(request, f"Nouveaux codes de secours non générés : {check.refusal}")
        return redirect("accounts:account")
    messages.success(request, "Vos nouveaux codes de secours sont prêts ; les anciens ne fonctionnent plus.")
    return _backup_codes_response(
        request, codes, page_title="Vos nouveaux codes de secours", next_url=reverse("accounts:account")
    )


@require_POST
def two_factor_remove(request):
    """The person removes their second factor against a current code (« Mon compte »)."""
    form = SecondFactorCodeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Saisissez un code actuel pour retirer la double authentification.")
        return redirect("accounts:account")
    check = services.second_factor_remove(user=request.user, code=form.cleaned_data["code"])
    if check.device is None:
        messages.error(request, f"Double authentification non retirée : {check.refusal}")
        return redirect("accounts:account")
    messages.success(request, "La double authentification est retirée de votre compte.")
    return redirect("accounts:account")


@require_POST
def second_factor_reset(request, pk):
    """A national administrator resets another person's second factor (lost phone)."""
    acting = perms.current_role(request.user)
    target = get_object_or_404(User, pk=pk)
    require(perms.can_reset_second_factor(acting, target))
    form = DeactivationForm(request.POST)
    back = safe_next_url(request, reverse("accounts:organisation_list"))
    if not form.is_valid():
        messages.error(request, "Indiquez le motif de la réinitialisation (255 caractères au plus).")
        return redirect(back)
    try:
        services.second_factor_reset(actor=acting, user=target, reason=form.cleaned_data["reason"])
    except PermissionDenied as error:
        messages.error(request, str(error))
        return redirect(back)
    messages.success(
        request,
        f"La double authentification de {target} est réinitialisée : il ou elle en inscrira une nouvelle à sa "
        "prochaine connexion, et en est informé(e) par courriel.",
    )
    return redirect(back)
