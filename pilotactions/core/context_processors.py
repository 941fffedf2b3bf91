from django.conf import settings


def site(request):
    """Values every page needs; never queries the database (the footer must render whatever it holds)."""
    return {"SITE_NAME": settings.SITE_NAME}
