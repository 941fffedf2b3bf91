from django.urls import path

from . import grid, views

app_name = "campaigns"

urlpatterns = [
    path("campagnes/", views.campaign_list, name="list"),
    path("campagnes/nouvelle/", views.campaign_edit, name="create"),
    path("campagnes/<int:pk>/", views.campaign_detail, name="detail"),
    path("campagnes/<int:pk>/modifier/", views.campaign_edit, name="update"),
    path("campagnes/<int:pk>/dossiers.<str:extension>", views.campaign_export, name="export"),
    path("campagnes/<int:pk>/vigilance/", views.campaign_quality, name="quality"),
    path("campagnes/<int:pk>/vigilance.<str:extension>", views.campaign_quality_export, name="quality_export"),
    path("campagnes/regles-de-controle/", views.quality_rules, name="quality_rules"),
    path("dossiers/<int:pk>/", views.dossier_detail, name="dossier"),
    path("dossiers/<int:pk>/soumettre/", views.dossier_submit, name="submit"),
    path("dossiers/<int:pk>/accuses/<int:snapshot>.pdf", views.dossier_acknowledgement, name="acknowledgement"),
    path("dossiers/<int:pk>/commentaires/", views.dossier_comment, name="comment"),
    path("dossiers/<int:pk>/relancer/", views.dossier_remind, name="remind"),
    path("dossiers/<int:pk>/actions/<str:reference>/", views.execution, name="execution"),
    path("dossiers/<int:pk>/vigilance/<int:flag>/verifier/", views.quality_flag_check, name="flag_check"),
    path("dossiers/<int:pk>/grille/", grid.grid, name="grid"),
    path("dossiers/<int:pk>/grille/<str:reference>/<str:field>/", grid.grid_cell, name="grid_cell"),
    path("dossiers/<int:pk>/<str:decision>/", views.dossier_decide, name="decide"),
]
