from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    *[path(f"{slug}/", views.legal_page, {"slug": slug}, name=slug.replace("-", "_")) for slug in views.LEGAL_PAGES],
]
