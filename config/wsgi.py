"""The WSGI application that gunicorn serves (`config.wsgi:application`, config/gunicorn.conf.py).

`DJANGO_SETTINGS_MODULE` wins; otherwise `DJANGO_ENV` picks `config.settings.<DJANGO_ENV>`; with neither,
the production settings — a WSGI server is a deployment, and those settings refuse to start without their
secret key, host names and PostgreSQL database rather than fall back to the demo's defaults.
"""

import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

SETTINGS_ENVIRONMENTS = ("dev", "test", "production")

if "DJANGO_SETTINGS_MODULE" not in os.environ:
    _name = os.environ.get("DJANGO_ENV", "").strip() or "production"
    if _name not in SETTINGS_ENVIRONMENTS:
        raise ImproperlyConfigured(
            f"DJANGO_ENV inconnu : « {_name} » (valeurs possibles : {', '.join(SETTINGS_ENVIRONMENTS)}).\n"
            f"Unknown DJANGO_ENV: {_name!r} (one of {', '.join(SETTINGS_ENVIRONMENTS)})."
        )
    os.environ["DJANGO_SETTINGS_MODULE"] = f"config.settings.{_name}"

application = get_wsgi_application()
