#!/usr/bin/env python
"""Django's command-line utility; uses the development settings unless told otherwise.

`DJANGO_SETTINGS_MODULE` wins; otherwise `DJANGO_ENV` (dev, test or production) picks
`config.settings.<DJANGO_ENV>`; with neither, the development settings.
"""

import os
import sys

SETTINGS_ENVIRONMENTS = ("dev", "test", "production")


def main():
    if "DJANGO_SETTINGS_MODULE" not in os.environ:
        name = os.environ.get("DJANGO_ENV", "").strip() or "dev"
        if name not in SETTINGS_ENVIRONMENTS:
            sys.exit(
                f"DJANGO_ENV inconnu : « {name} » (valeurs possibles : {', '.join(SETTINGS_ENVIRONMENTS)}).\n"
                f"Unknown DJANGO_ENV: {name!r} (one of {', '.join(SETTINGS_ENVIRONMENTS)})."
            )
        os.environ["DJANGO_SETTINGS_MODULE"] = f"config.settings.{name}"
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
