from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("bilan/", views.index, name="index"),
    path("bilan/chapitre/<str:chapter>/", views.chapter, name="chapter"),
    path("bilan/chapitre/<str:chapter>/graphiques/", views.chapter_bodies, name="chapter_bodies"),
    path("bilan/figures/<str:figure_id>.<str:extension>", views.figure_download, name="figure"),
    path("bilan/rapports/", views.report_list, name="reports"),
    path("bilan/rapports/<int:pk>/", views.report_detail, name="report_detail"),
    path("bilan/rapports/textes/<int:year>/", views.report_text, name="report_text"),
    path("bilan/rapports/<int:pk>/telecharger/", views.report_download, name="report_download"),
]
