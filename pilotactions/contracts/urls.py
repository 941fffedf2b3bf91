from django.urls import path

from . import import_views, views

app_name = "contracts"

urlpatterns = [
    path("contrats/", views.contract_list, name="list"),
    path("contrats/export.<str:extension>", views.contract_export, name="export"),
    path("contrats/nouveau/", views.contract_create, name="create"),
    path("contrats/<str:reference>/", views.contract_detail, name="detail"),
    path("contrats/<str:reference>/modifier/", views.contract_update, name="update"),
    path("contrats/<str:reference>/enveloppes/", views.contract_envelopes, name="envelopes"),
    path("contrats/<str:reference>/avenants/nouveau/", views.amendment_create, name="amendment_create"),
    path("contrats/<str:reference>/documents/", views.document_upload, name="document_upload"),
    path("contrats/<str:reference>/documents/<int:pk>/", views.document_download, name="document_download"),
    path("contrats/<str:reference>/import/", import_views.import_start, name="import_start"),
    path("contrats/<str:reference>/import/modele.xlsx", import_views.import_template, name="import_template"),
    path("contrats/<str:reference>/import/<int:pk>/", import_views.import_detail, name="import_detail"),
    path("contrats/<str:reference>/import/<int:pk>/importer/", import_views.import_confirm, name="import_confirm"),
    path("contrats/<str:reference>/historique/", views.contract_history_view, name="history"),
    path("contrats/<str:reference>/actions/nouvelle/", views.action_create, name="action_create"),
    path("contrats/<str:reference>/actions/sous-thematiques/", views.subtheme_options, name="subtheme_options"),
    path("contrats/<str:reference>/actions/apercu-budget/", views.budget_preview, name="budget_preview"),
    path("actions/<str:reference>/", views.action_detail, name="action_detail"),
    path("actions/<str:reference>/modifier/", views.action_update, name="action_update"),
    path("actions/<str:reference>/historique/", views.action_history_view, name="action_history"),
    path("actions/<str:reference>/dupliquer/", views.action_duplicate, name="action_duplicate"),
    path("actions/<str:reference>/retirer/", views.action_withdraw, name="action_withdraw"),
    path("actions/<str:reference>/retablir/", views.action_restore, name="action_restore"),
]
