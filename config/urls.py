from django.contrib import admin
from django.urls import include, path

from pilotactions.accounts.views import home

urlpatterns = [
    path("", home, name="home"),
    path("", include("pilotactions.core.urls")),
    path("accounts/", include("pilotactions.accounts.urls")),
    path("", include("pilotactions.contracts.urls")),
    path("", include("pilotactions.campaigns.urls")),
    path("", include("pilotactions.reports.urls")),
    path("mesures/", include("pilotactions.measures.urls")),
    path("pactes/", include("pilotactions.pacts.urls")),
    path("territoires/", include("pilotactions.territories.urls")),
    path("nomenclatures/", include("pilotactions.nomenclatures.urls")),
    path("donnees-ouvertes/", include("pilotactions.opendata.urls")),
    path("accounts/jetons-api/", include("pilotactions.api.token_urls")),
    path("api/v1/", include("pilotactions.api.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "pilotactions.core.views.bad_request"
handler403 = "pilotactions.core.views.permission_denied"
handler404 = "pilotactions.core.views.page_not_found"
handler500 = "pilotactions.core.views.server_error"
