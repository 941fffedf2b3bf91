from django.contrib import admin

from .models import Authority, Commune, Departement, Epci, Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "zone"]
    search_fields = ["code", "name"]


@admin.register(Departement)
class DepartementAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "region", "zone"]
    list_filter = ["zone", "region"]
    search_fields = ["code", "name"]


@admin.register(Epci)
class EpciAdmin(admin.ModelAdmin):
    list_display = ["siren", "name", "kind", "population"]
    list_filter = ["kind"]
    search_fields = ["siren", "name"]


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "departement", "epci"]
    search_fields = ["code", "name"]
    raw_id_fields = ["epci"]
    list_select_related = ["departement", "epci"]


@admin.register(Authority)
class AuthorityAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "kind", "region"]
    list_filter = ["level", "kind", "region"]
    search_fields = ["code", "name"]
    raw_id_fields = ["epci", "commune"]
    filter_horizontal = ["departements"]
