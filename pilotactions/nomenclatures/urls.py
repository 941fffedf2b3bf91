from django.urls import path

from . import views

app_name = "nomenclatures"

urlpatterns = [
    path("", views.option_list_index, name="index"),
    path("<slug:code>/", views.option_list_detail, name="detail"),
    path("<slug:code>/<str:option_code>/modifier/", views.option_update, name="option_update"),
    path("<slug:code>/<str:option_code>/activer/", views.option_toggle, name="option_toggle"),
]
