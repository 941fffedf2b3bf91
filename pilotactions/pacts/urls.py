from . import envelope_urls, export_urls, pact_urls, survey_urls

app_name = "pacts"

# The envelope, survey and export pages come first: the pact pages end with a catch-all reference.
urlpatterns = envelope_urls.urlpatterns + survey_urls.urlpatterns + export_urls.urlpatterns + pact_urls.urlpatterns
