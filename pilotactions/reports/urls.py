from django.urls import path

from . import evaluation_views, views

app_name = "reports"

urlpatterns = [
    path("bilan/", views.index, name="index"),
    path("bilan/chapitre/<str:chapter>/", views.chapter, name="chapter"),
    path("bilan/chapitre/<str:chapter>/graphiques/", views.chapter_bodies, name="chapter_bodies"),
    path("bilan/figures/<str:figure_id>.<str:extension>", views.figure_download, name="figure"),
    path("bilan/evaluation/", evaluation_views.evaluation_page, name="evaluation"),
    path("bilan/evaluation/tableau.<str:extension>", evaluation_views.evaluation_download, name="evaluation_download"),
    path(
        "bilan/evaluation/contrats/<str:reference>/",
        evaluation_views.contract_evaluation_page,
        name="evaluation_contract",
    ),
    path(
        "bilan/evaluation/contrats/<str:reference>/fiche.<str:extension>",
        evaluation_views.contract_evaluation_download,
        name="evaluation_contract_download",
    ),
    path("bilan/rapports/", views.report_list, name="reports"),
    path("bilan/rapports/<int:pk>/", views.report_detail, name="report_detail"),
    path("bilan/rapports/textes/<int:year>/", views.report_text, name="report_text"),
    path("bilan/rapports/<int:pk>/telecharger/", views.report_download, name="report_download"),
]
