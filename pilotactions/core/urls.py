from django.urls import path

from . import health, views

app_name = "core"

urlpatterns = [
    # Probes for a load balancer: no trailing slash, public, exempt from the HTTPS redirect (settings).
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    *[path(f"{slug}/", views.legal_page, {"slug": slug}, name=slug.replace("-", "_")) for slug in views.LEGAL_PAGES],
]
