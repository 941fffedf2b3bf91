from django.urls import path

from . import views

app_name = "opendata"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:year>/<str:name>", views.download, name="download"),
]
