"""The pure parts of the load scenario: URLs, HTML form reading, outcome of a save, the record of saves.

Nothing here imports locust (which monkey-patches the process with gevent) or Django: the locustfile,
`check_saves.py` and the smoke test (tests/core/test_load_scenario.py) share it.
"""

import json
import re
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import quote, urlencode

# --- URLs (config/urls.py: accounts/, campaigns and contracts at the root) -----------------------------

LOGIN_URL = "/accounts/login/"
HOME_URL = "/"


def dossier_url(pk: int) -> str:
    return f"/dossiers/{pk}/"


def execution_url(pk: int, reference: str) -> str:
    return f"/dossiers/{pk}/actions/{quote(reference)}/"


def submit_url(pk: int) -> str:
    return f"/dossiers/{pk}/soumettre/"


def validate_url(pk: int) -> str:
    return f"/dossiers/{pk}/valider/"


def action_update_url(reference: str) -> str:
    return f"/actions/{quote(reference)}/modifier/"


def cockpit_url(campaign: int, **filters) -> str:
    query = urlencode({k: v for k, v in filters.items() if v not in (None, "")})
    return f"/campagnes/{campaign}/" + (f"?{query}" if query else "")


# --- Reading pages ---------------------------------------------------------------------------------

# What the pages say when an optimistic lock refuses a save (campaigns/execution.html,
# contracts/includes/conflict.html): the scenario counts these apart, they are no errors.
EXECUTION_CONFLICT = "Quelqu’un a enregistré ce suivi pendant que vous saisissiez"
ACTION_CONFLICT = "Quelqu’un a enregistré une modification pendant que vous saisissiez"


@dataclass
class Form:
    action: str | None = None
    method: str = "get"
    attrs: dict = field(default_factory=dict)
    fields: list = field(default_factory=list)  # (name, value) pairs, in page order, as a browser sends them
    options: dict = field(default_factory=dict)  # select name → its option values (empty value excluded)

    def get(self, name: str, default=None):
        return next((v for n, v in self.fields if n == name), default)

    def names(self) -> list[str]:
        return [n for n, _v in self.fields]

    def set(self, name: str, value) -> None:
        """Replace every value of `name` by one value (adds the field if absent)."""
        self.fields = [(n, v) for n, v in self.fields if n != name] + [(name, str(value))]


class _FormParser(HTMLParser):
    """The forms of a page with the values a browser would submit (checked boxes, selected options,
    textarea text), ignoring disabled controls (or inside a disabled <fieldset>: a read-only form) and what sits
    in <template> elements (formset prototypes)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.template_depth = 0
        self.fieldsets: list[bool] = []  # one entry per open <fieldset>: is it disabled?
        self.select: dict | None = None
        self.option: dict | None = None
        self.textarea: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "template":
            self.template_depth += 1
            return
        if self.template_depth:
            return
        if tag == "form":
            self.form = Form(action=a.get("action"), method=a.get("method", "get").lower(), attrs=a)
            self.forms.append(self.form)
            return
        if tag == "fieldset":
            self.fieldsets.append("disabled" in a)
            return
        if self.form is None or "disabled" in a or any(self.fieldsets):
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.form.fields.append((name, a.get("value", "on" if kind in ("checkbox", "radio") else "")))
        elif tag == "select" and name:
            self.select = {"name": name, "multiple": "multiple" in a, "selected": [], "values": [], "all": []}
        elif tag == "option" and self.select is not None:
            self.option = {"value": a.get("value"), "selected": "selected" in a, "text": ""}
        elif tag == "textarea" and name:
            self.textarea = {"name": name, "text": ""}

    def handle_data(self, data):
        if self.option is not None:
            self.option["text"] += data
        if self.textarea is not None:
            self.textarea["text"] += data

    def _close_option(self):
        if self.option is not None and self.select is not None:
            value = self.option["value"] if self.option["value"] is not None else self.option["text"].strip()
            self.select["all"].append(value)
            if value != "":
                self.select["values"].append(value)
            if self.option["selected"]:
                self.select["selected"].append(value)
        self.option = None

    def handle_endtag(self, tag):
        if tag == "template":
            self.template_depth = max(self.template_depth - 1, 0)
            return
        if self.template_depth:
            return
        if tag == "fieldset":
            if self.fieldsets:
                self.fieldsets.pop()
        elif tag == "option":
            self._close_option()
        elif tag == "select" and self.select is not None:
            self._close_option()
            s = self.select
            # A single select with nothing selected sends its first option (« Choisir », empty, here).
            chosen = s["selected"] if s["multiple"] else (s["selected"][-1:] or s["all"][:1])
            self.form.fields.extend((s["name"], v) for v in chosen)
            self.form.options[s["name"]] = s["values"]
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            text = self.textarea["text"]
            self.form.fields.append((self.textarea["name"], text[1:] if text.startswith("\n") else text))
            self.textarea = None
        elif tag == "form":
            self.form = None


def parse_forms(html: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(html)
    parser.close()
    return parser.forms


def find_form(html: str, field_name: str) -> Form | None:
    """The first POST form of the page holding `field_name` (e.g. `token`, `version`)."""
    return next((f for f in parse_forms(html) if f.method == "post" and field_name in f.names()), None)


def csrf_token(html: str) -> str | None:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    return match.group(1) if match else None


def action_references(html: str, dossier_pk: int) -> list[str]:
    """The actions whose follow-up the dossier page offers to type (« Renseigner le suivi »; a dossier no
    longer editable says « Voir le suivi »), once each, in page order."""
    found = re.findall(rf'href="/dossiers/{dossier_pk}/actions/([^/"]+)/">Renseigner le suivi', html)
    return list(dict.fromkeys(found))


def missing_references(html: str, dossier_pk: int) -> list[str]:
    """The actions the page lists as « à renseigner » before submission."""
    found = re.findall(rf'href="/dossiers/{dossier_pk}/actions/([^/"]+)/">[^<]*à renseigner', html)
    return list(dict.fromkeys(found))


def can_submit(html: str, dossier_pk: int) -> bool:
    """The dossier page offers the submission and lists nothing to settle first."""
    return f'href="{submit_url(dossier_pk)}"' in html and "À régler avant de soumettre" not in html


def dossier_pks(html: str) -> list[int]:
    return list(dict.fromkeys(int(pk) for pk in re.findall(r'href="/dossiers/(\d+)/"', html)))


# --- Outcome of a save -------------------------------------------------------------------------------

SAVED, CONFLICT, REFUSED, INVALID, ERROR = "saved", "conflict", "refused", "invalid", "error"


def save_outcome(status: int, location: str, text: str, *, conflict_text: str, success_prefix: str) -> str:
    """How a save POST ended: acknowledged (302 to `success_prefix`), refused by the optimistic lock (the form
    again with the conflict alert), refused because the dossier left the editable states meanwhile (403), the
    form again with errors (`invalid`), anything else — 5xx above all — an error."""
    if status == 302 and location.split("#")[0].startswith(success_prefix):
        return SAVED
    if status == 409 or (status == 200 and conflict_text in text):
        return CONFLICT
    if status == 403:
        return REFUSED
    if status == 200:
        return INVALID
    return ERROR


# --- The record of saves ---------------------------------------------------------------------------


class SaveLog:
    """One JSON line per save attempt: what was sent, when, and how it ended (check_saves.py reads it)."""

    def __init__(self, path):
        self.path = path
        self.file = open(path, "a", encoding="utf-8")  # noqa: SIM115 (kept open for the run)

    def record(self, *, kind, target, user, values, sent, outcome, status, **extra):
        line = {
            "kind": kind,
            "target": target,
            "user": user,
            "values": values,
            "sent": sent,
            "done": time.time(),
            "outcome": outcome,
            "status": status,
            **extra,
        }
        self.file.write(json.dumps(line, ensure_ascii=False) + "\n")
        self.file.flush()

    def close(self):
        self.file.close()


def read_saves(path) -> list[dict]:
    with open(path, encoding="utf-8") as file:
        return [json.loads(line) for line in file if line.strip()]
