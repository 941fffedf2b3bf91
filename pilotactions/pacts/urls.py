from . import envelope_urls, pact_urls

app_name = "pacts"

urlpatterns = pact_urls.urlpatterns + envelope_urls.urlpatterns
