from django.urls import path

from . import views

app_name = "measures"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("tableau-de-bord.<str:extension>", views.dashboard_export, name="dashboard_export"),
    path("budget/", views.budget, name="budget"),
    path("statuts/", views.status_pending, name="status_pending"),
    path("statuts/<int:pk>/<str:decision>/", views.status_decide, name="status_decide"),
    path("objectifs/<int:pk>/modifier/", views.objective_edit, name="objective_update"),
    path("objectifs/<int:pk>/valeurs/", views.value_edit, name="value_edit"),
    path("valeurs/<int:pk>/retirer/", views.value_withdraw, name="value_withdraw"),
    path("indicateurs/<int:pk>/valeurs/", views.indicator_value_edit, name="indicator_value_edit"),
    path("valeurs-indicateurs/<int:pk>/valider/", views.indicator_value_validate, name="indicator_value_validate"),
    path("valeurs-indicateurs/<int:pk>/retirer/", views.indicator_value_withdraw, name="indicator_value_withdraw"),
    path("comites/", views.committee_list, name="committee_list"),
    path("comites/nouveau/", views.committee_edit, name="committee_create"),
    path("comites/comparer/", views.committee_compare, name="committee_compare"),
    path("comites/<int:pk>/", views.committee_detail, name="committee_detail"),
    path("comites/<int:pk>/modifier/", views.committee_edit, name="committee_update"),
    path("comites/<int:pk>/ouvrir/", views.committee_open, name="committee_open"),
    path("comites/<int:pk>/clore/", views.committee_close, name="committee_close"),
    path("comites/<int:pk>/tableau-de-bord.<str:extension>", views.committee_export, name="committee_export"),
    path("demandes/<int:pk>/transmettre/", views.request_complete, name="request_complete"),
    path("<int:number>/", views.measure_detail, name="detail"),
    path("<int:number>/modifier/", views.measure_edit, name="update"),
    path("<int:number>/historique/", views.measure_history_view, name="history"),
    path("<int:number>/objectifs/nouveau/", views.objective_edit, name="objective_create"),
    path("<int:number>/statut/", views.status_edit, name="status"),
]
