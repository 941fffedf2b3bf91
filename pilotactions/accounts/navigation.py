"""The main menu, by current role. Each app adds its entries here as it lands."""

from django.urls import reverse

from . import perms


def main_navigation(request) -> list[dict]:
    user = request.user
    if not user.is_authenticated:
        return []
    role = perms.current_role(user)
    items = [("Accueil", reverse("home"))]
    if role is not None:
        if role.kind != "measure_pilot":
            items.append(("Contrats", reverse("contracts:list")))
            items.append(("Pactes locaux", reverse("pacts:list")))
            items.append(("Campagnes", reverse("campaigns:list")))
        items.append(("Bilan", reverse("reports:index")))
        if perms.is_state_role(role):
            items.append(("Mesures nationales", reverse("measures:dashboard")))
        items.append(("Territoires", reverse("territories:authority_list")))
        items.append(("Listes de valeurs", reverse("nomenclatures:index")))
        if perms.invitable_role_kinds(role):
            items.append(("Accès et invitations", reverse("accounts:organisation_list")))
        if perms.can_read_audit_log(role)[0]:
            items.append(("Journal des actions", reverse("accounts:journal")))
    path = request.path
    return [
        {"label": label, "url": url, "active": path == url or (url != "/" and path.startswith(url))}
        for label, url in items
    ]
