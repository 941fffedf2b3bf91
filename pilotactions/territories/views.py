from django.db.models import Prefetch
from django.shortcuts import render

from pilotactions.core.decorators import role_required

from .models import Authority, Region


@role_required
def authority_list(request):
    """The régions with their départements and the authorities eligible to contract, as in the COG."""
    authorities = Authority.objects.select_related("departement").order_by("level", "code")
    regions = Region.objects.prefetch_related("departements", Prefetch("authorities", queryset=authorities)).order_by(
        "zone", "name"
    )
    return render(
        request,
        "territories/authority_list.html",
        {
            "page_title": "Territoires et collectivités co-contractantes",
            "regions": regions,
            "authority_counts": Authority.objects.counts_by_level(),
        },
    )
