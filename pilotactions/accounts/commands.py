"""Who a management command acts as: the system actor, or a named person's role with `--as EMAIL`."""

from django.core.management.base import CommandError

from .models import Role
from .services import system_role


def add_actor_argument(parser) -> None:
    parser.add_argument(
        "--as",
        dest="acting_email",
        metavar="EMAIL",
        help="Agir avec le rôle actif de cette personne (par défaut : l’acteur « Système (commande) »).",
    )


def acting_role(options) -> Role:
    """The role given by `--as EMAIL` (their first active role), or the system actor's."""
    email = (options.get("acting_email") or "").strip().lower()
    if not email:
        return system_role()
    role = Role.objects.active().filter(user__email=email).select_related("user", "organisation").first()
    if role is None:
        raise CommandError(f"{email} n’a aucun rôle actif : impossible d’agir en son nom.")
    return role
