from django.db import models


class TokenScope(models.TextChoices):
    """What a personal access token may do: `read` (every GET) or `write` (also create, update, submit)."""

    READ = "read", "Lecture"
    WRITE = "write", "Lecture et écriture"
