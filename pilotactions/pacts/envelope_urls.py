"""The regional envelopes' pages, under /pactes/enveloppes/ (url names prefixed `envelope_`)."""

from django.urls import path

from . import envelope_views as views

urlpatterns = [
    path("enveloppes/", views.envelope_list, name="envelope_list"),
    path("enveloppes/modele-indicateur.csv", views.envelope_example, name="envelope_example"),
    path("enveloppes/<int:year>/", views.envelope_year, name="envelope_year"),
    path("enveloppes/<int:year>/modifier/", views.envelope_year_update, name="envelope_year_update"),
    path("enveloppes/<int:year>/indicateur/", views.envelope_indicator, name="envelope_indicator"),
    path("enveloppes/<int:year>/ajuster/<str:region>/", views.envelope_adjust, name="envelope_adjust"),
    path("enveloppes/<int:year>/figer/", views.envelope_freeze, name="envelope_freeze"),
    path("enveloppes/<int:year>/rouvrir/", views.envelope_unfreeze, name="envelope_unfreeze"),
    path("enveloppes/<int:year>/regions/<str:region>/", views.envelope_region, name="envelope_region"),
]
