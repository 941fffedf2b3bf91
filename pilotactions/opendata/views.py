from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import FileResponse, Http404
from django.shortcuts import render

from .package import FILES, published


@login_not_required
def index(request):
    return render(
        request,
        "opendata/index.html",
        {"page_title": "Données ouvertes", "publications": published(settings.OPEN_DATA_DIR)},
    )


@login_not_required
def download(request, year: int, name: str):
    """A file of a publication: only the known names of a published year (no other path can be reached)."""
    if name not in FILES:
        raise Http404("Ce fichier ne fait pas partie des données ouvertes.")
    path = Path(settings.OPEN_DATA_DIR) / f"{year:04d}" / name
    if not path.is_file():
        raise Http404(f"Aucune donnée ouverte publiée pour {year}.")
    handle = open(path, "rb")  # noqa: SIM115 -- FileResponse closes it once sent
    response = FileResponse(handle, as_attachment=True, filename=f"pilotactions-{year}-{name}")
    response["Content-Type"] = FILES[name]
    return response
