from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("bilan/", views.index, name="index"),
    path("bilan/chapitre/<str:chapter>/", views.chapter, name="chapter"),
    path("bilan/figures/<str:figure_id>.<str:extension>", views.figure_download, name="figure"),
]
