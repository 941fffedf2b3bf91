from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    *[path(f"{slug}/", views.legal_page, {"slug": slug}, name=slug.replace("-", "_")) for slug in views.LEGAL_PAGES],
]
