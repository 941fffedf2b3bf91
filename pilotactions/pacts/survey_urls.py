from django.urls import path

from . import survey_views

urlpatterns = [
    path("enquete/<int:year>/pacte/<str:reference>/", survey_views.survey_pact, name="survey_pact"),
    path("enquete/<int:year>/action/<str:reference>/", survey_views.survey_action, name="survey_action"),
    path("enquete/<int:year>/<str:region_code>/", survey_views.survey_region, name="survey_region"),
]
