"""The pact and pact action pages under /pactes/. A pact's reference always starts with `PL-`, so that the
envelope, survey and export pages (`enveloppes/`, …) are never taken for a reference."""

from django.urls import path, register_converter

from . import import_views, views


class PactReferenceConverter:
    regex = r"PL-[0-9A-Za-z-]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(PactReferenceConverter, "pact_ref")

urlpatterns = [
    path("", views.pact_list, name="list"),
    path("nouveau/", views.pact_create, name="create"),
    path("actions/<pact_ref:reference>/", views.action_detail, name="action_detail"),
    path("actions/<pact_ref:reference>/modifier/", views.action_update, name="action_update"),
    path("actions/<pact_ref:reference>/historique/", views.action_history_view, name="action_history"),
    path("actions/<pact_ref:reference>/retirer/", views.action_withdraw, name="action_withdraw"),
    path("actions/<pact_ref:reference>/retablir/", views.action_restore, name="action_restore"),
    path("<pact_ref:reference>/", views.pact_detail, name="detail"),
    path("<pact_ref:reference>/modifier/", views.pact_update, name="update"),
    path("<pact_ref:reference>/historique/", views.pact_history_view, name="history"),
    path("<pact_ref:reference>/illustration/", views.pact_illustration, name="illustration"),
    path("<pact_ref:reference>/documents/", views.document_upload, name="document_upload"),
    path("<pact_ref:reference>/documents/<int:pk>/", views.document_download, name="document_download"),
    path("<pact_ref:reference>/actions/nouvelle/", views.action_create, name="action_create"),
    path("<pact_ref:reference>/import/", import_views.import_start, name="import_start"),
    path("<pact_ref:reference>/import/modele.xlsx", import_views.import_template, name="import_template"),
    path("<pact_ref:reference>/import/<int:pk>/", import_views.import_detail, name="import_detail"),
    path("<pact_ref:reference>/import/<int:pk>/importer/", import_views.import_confirm, name="import_confirm"),
]
