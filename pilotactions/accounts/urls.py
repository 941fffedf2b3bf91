from django.urls import path

from . import proconnect, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.logout, name="logout"),
    path("proconnect/connexion/", proconnect.proconnect_login, name="proconnect_login"),
    path("proconnect/retour/", proconnect.proconnect_callback, name="proconnect_callback"),
    path("demandes-acces/", views.access_request_list, name="access_request_list"),
    path("demandes-acces/<int:pk>/", views.access_request_detail, name="access_request_detail"),
    path("compte/", views.account, name="account"),
    path("compte/mes-donnees.json", views.personal_data_download, name="personal_data"),
    path("journal/", views.audit_journal, name="journal"),
    path("journal/export.<str:extension>", views.audit_journal_export, name="journal_export"),
    path("double-authentification/verifier/", views.two_factor_verify, name="two_factor_verify"),
    path("double-authentification/activer/", views.two_factor_enrol, name="two_factor_enrol"),
    path("double-authentification/codes-de-secours/", views.backup_codes_regenerate, name="backup_codes_regenerate"),
    path("double-authentification/retirer/", views.two_factor_remove, name="two_factor_remove"),
    path("role/", views.role_switch, name="role_switch"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/<int:pk>/", views.organisation_access, name="organisation_access"),
    path("invitations/", views.invitation_list, name="invitation_list"),
    path("invitations/nouvelle/", views.invitation_create, name="invitation_create"),
    path("invitations/<int:pk>/renvoyer/", views.invitation_resend, name="invitation_resend"),
    path("invitations/<int:pk>/annuler/", views.invitation_cancel, name="invitation_cancel"),
    path("invitation/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("roles/<int:pk>/desactiver/", views.role_deactivate, name="role_deactivate"),
    path("utilisateurs/<int:pk>/desactiver/", views.user_deactivate, name="user_deactivate"),
    path("utilisateurs/<int:pk>/reactiver/", views.user_reactivate, name="user_reactivate"),
    path(
        "utilisateurs/<int:pk>/double-authentification/reinitialiser/",
        views.second_factor_reset,
        name="second_factor_reset",
    ),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/desabonnement/<str:token>/", views.digest_unsubscribe, name="digest_unsubscribe"),
    path("mot-de-passe/", views.password_reset, name="password_reset"),
    path("mot-de-passe/envoye/", views.password_reset_done, name="password_reset_done"),
    path("mot-de-passe/<uidb64>/<token>/", views.password_reset_confirm, name="password_reset_confirm"),
    path("mot-de-passe/modifie/", views.password_reset_complete, name="password_reset_complete"),
]
