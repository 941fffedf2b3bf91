"""Load test: the last day of a `suivi` campaign (see bench/load/README.md).

    locust -f bench/load/locustfile.py --host http://127.0.0.1:8783 --headless -u 500 -r 25 -t 5m

Three kinds of users, in the proportions of the last day (weights 78 / 20 / 2):
- authority agents (the référent and the agents of each of the 125 authorities, `AuthorityAgent`): sign in, open
  one of the day's dossiers of their authority, open an action's follow-up form, type, save it (with the
  concurrency token the form carries); the actions still « à renseigner » first, then revisions; one time in
  ten they correct this year's State budget line of an action on its action form instead. The référent, once
  nothing is left to settle, opens the confirmation page and submits, then moves to the next dossier;
- State agents (DDETS, `StateAgent`): list the dossiers of their département waiting for them, open one,
  validate it;
- the DIPLP (`DiplpUser`) watches the campaign's cockpit with filters.

Every save attempt is appended to LOAD_SAVES (JSON lines: target, values sent, outcome, times) for
`check_saves.py`, which checks after the run that every acknowledged save is in the database.
Environment: LOAD_PLAN (the plan prepare.py wrote, default var/load/plan.json), LOAD_SAVES (default
var/load/saves.jsonl), LOAD_THINK (a factor on think times, default 1).
"""

import itertools
import json
import os
import random
import sys
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path

from locust import HttpUser, between, events, task

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scenario

ROOT = Path(__file__).resolve().parents[2]
THINK = float(os.environ.get("LOAD_THINK", "1"))
# Think times, in seconds (README.md, « The users »): a follow-up form is typed in 30 to 90 s on the last day
# (most of it is prepared; a first entry takes longer), a dossier page read in 5 to 20 s; a State agent reads a
# dossier 20 to 60 s before validating it; the DIPLP looks at the cockpit 30 to 90 s before changing a filter.
TYPING, READING, STATE_READING, COCKPIT_READING = (30, 90), (5, 20), (20, 60), (30, 90)
RUN = time.strftime("%H%M%S")
SAVE_IDS = itertools.count(1)
OUTCOMES: Counter = Counter()
LOGOUT = "/accounts/logout/"


class State:
    """What the run shares between users: the plan, the account pools, the save log."""

    plan: dict | None = None
    authority_accounts = None
    state_accounts = None
    diplp_accounts = None
    saves: scenario.SaveLog | None = None
    requests = None


@events.test_start.add_listener
def _start(environment, **_kwargs):
    plan_path = Path(os.environ.get("LOAD_PLAN", ROOT / "var" / "load" / "plan.json"))
    State.plan = json.loads(plan_path.read_text())
    State.authority_accounts = itertools.cycle(authority_accounts(State.plan))
    State.state_accounts = itertools.cycle(State.plan["states"])
    State.diplp_accounts = itertools.cycle(State.plan["diplp"])
    saves = Path(os.environ.get("LOAD_SAVES", ROOT / "var" / "load" / "saves.jsonl"))
    saves.parent.mkdir(parents=True, exist_ok=True)
    State.saves = scenario.SaveLog(saves)
    # Every request with its start time, so that summary.py can also give the figures after the ramp-up.
    State.requests = (saves.parent / "requests.csv").open("w", encoding="utf-8")
    State.requests.write("start,name,ms,failed\n")


@events.request.add_listener
def _request(request_type, name, response_time, response_length, exception=None, start_time=None, **_kwargs):
    if State.requests is not None:
        State.requests.write(
            f"{start_time or time.time():.3f},{request_type} {name},{response_time:.1f},{int(bool(exception))}\n"
        )


@events.test_stop.add_listener
def _stop(environment, **_kwargs):
    if State.saves:
        State.saves.close()
    if State.requests is not None:
        State.requests.close()
        State.requests = None
    print("Issues des enregistrements :", dict(OUTCOMES))


def authority_accounts(plan: dict) -> list[tuple[str, bool, dict]]:
    """Every authority's référent first, then their first agents, then the second ones…: with fewer users than
    accounts, each authority still has its référent."""
    rows = [[(a["referent"], True, a) for a in plan["authorities"]]]
    width = max((len(a["editors"]) for a in plan["authorities"]), default=0)
    for n in range(width):
        rows.append([(a["editors"][n], False, a) for a in plan["authorities"] if n < len(a["editors"])])
    return [account for row in rows for account in row]


def french_amount(value: Decimal) -> str:
    return f"{value:.2f}".replace(".", ",")


def parse_amount(text: str) -> Decimal:
    cleaned = (text or "0").replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace("€", "")
    return Decimal(cleaned.replace(",", ".") or "0")


class Agent(HttpUser):
    abstract = True

    def sign_in(self, email: str) -> bool:
        self.email = email
        page = self.client.get(scenario.LOGIN_URL, name="/accounts/login/")
        response = self.client.post(
            scenario.LOGIN_URL,
            data={
                "csrfmiddlewaretoken": scenario.csrf_token(page.text),
                "username": email,
                "password": State.plan["password"],
            },
            name="/accounts/login/",
            allow_redirects=False,
        )
        if response.status_code != 302:
            return False
        self.client.get(scenario.HOME_URL, name="/ (accueil)")
        return True

    def post_form(self, url: str, form: scenario.Form, *, name: str):
        return self.client.post(url, data=form.fields, name=name, allow_redirects=False, catch_response=True)

    def record(self, *, kind, target, values, sent, outcome, status, **extra):
        OUTCOMES[f"{kind}:{outcome}"] += 1
        State.saves.record(
            kind=kind, target=target, user=self.email, values=values, sent=sent, outcome=outcome, status=status, **extra
        )


class AuthorityAgent(Agent):
    """A référent or an agent of an authority, on the day's dossiers of that authority."""

    weight = 78

    def wait_time(self):
        if self.pending and self.pending[0] in ("execution", "budget"):
            return random.uniform(*TYPING) * THINK  # the form is open: typing
        return random.uniform(*READING) * THINK  # reading the dossier page, the confirmation page

    def on_start(self):
        email, self.referent, self.authority = next(State.authority_accounts)
        self.dossiers = list(self.authority["dossiers"])
        self.done: set[int] = set()  # dossiers seen submitted or validated
        self.pending = None  # the form opened at the previous step, saved at this one
        self.dossier = self.dossiers[0] if self.referent else random.choice(self.dossiers)
        self.page = None
        if not self.sign_in(email):
            self.stop()

    @task
    def step(self):
        if self.pending:
            kind, url, form, extra = self.pending
            self.pending = None
            if kind == "execution":
                self.save_execution(url, form, **extra)
            elif kind == "budget":
                self.save_budget(url, form, **extra)
            elif kind == "submit":
                self.submit(url, form)
            return
        self.page = self.client.get(scenario.dossier_url(self.dossier), name="/dossiers/[pk]/").text
        references = scenario.action_references(self.page, self.dossier)
        if not references:  # submitted or validated: nothing to type any more
            self.next_dossier()
            return
        if self.referent and scenario.can_submit(self.page, self.dossier):
            self.open_submit()
            return
        missing = scenario.missing_references(self.page, self.dossier)
        reference = random.choice(missing if missing and random.random() < 0.7 else references)
        if random.random() < 0.1:
            self.open_budget(reference)
        else:
            self.open_execution(reference)

    def next_dossier(self):
        self.done.add(self.dossier)
        left = [pk for pk in self.dossiers if pk not in self.done]
        if left:
            self.dossier = left[0] if self.referent else random.choice(left)
        else:  # the day's work is done: the agent keeps an eye on the last dossier
            self.dossier = self.dossiers[-1]

    # --- follow-up of an action (campaigns:execution) ---

    def open_execution(self, reference):
        url = scenario.execution_url(self.dossier, reference)
        page = self.client.get(url, name="/dossiers/[pk]/actions/[ref]/")
        form = scenario.find_form(page.text, "token")
        if form is not None:  # no form: the dossier is no longer editable
            self.pending = ("execution", url, form, {"reference": reference})

    def fill_execution(self, form: scenario.Form) -> dict:
        save_id = f"{RUN}-{next(SAVE_IDS)}"
        statuses = form.options.get("progress_status") or []
        values = {
            "progress_status": random.choice(statuses) if statuses else "",
            "deployment_satisfactory": random.choice(["true", "false"]),
            "spent_state": f"{Decimal(random.randint(100000, 20000000)) / 100:.2f}",
            "beneficiaries_reached": str(random.randint(1, 5000)),
            "assessment": f"Bilan de clôture {save_id} : action déployée, public atteint, à poursuivre.",
        }
        for name, value in values.items():
            form.set(name, french_amount(Decimal(value)) if name == "spent_state" else value)
        return values

    def save_execution(self, url, form, *, reference, retry=False):
        values = self.fill_execution(form)
        sent = time.time()
        with self.post_form(url, form, name="/dossiers/[pk]/actions/[ref]/") as response:
            outcome = scenario.save_outcome(
                response.status_code,
                response.headers.get("Location", ""),
                response.text,
                conflict_text=scenario.EXECUTION_CONFLICT,
                success_prefix=scenario.dossier_url(self.dossier),
            )
            self.settle(response, outcome)
        self.record(
            kind="execution",
            target=f"execution:{reference}",
            values=values,
            sent=sent,
            outcome=outcome,
            status=response.status_code,
            year=State.plan["year"],
        )
        if outcome == scenario.CONFLICT and not retry:
            # As the page asks: check, then save again — with the token of the version now saved.
            again = scenario.find_form(response.text, "token")
            if again is not None:
                self.pending = ("execution", url, again, {"reference": reference, "retry": True})
        elif outcome == scenario.SAVED:
            self.page = self.client.get(scenario.dossier_url(self.dossier), name="/dossiers/[pk]/").text

    def settle(self, response, outcome):
        if outcome == scenario.ERROR:
            response.failure(f"HTTP {response.status_code}")
        elif outcome == scenario.INVALID:
            response.failure("formulaire refusé (erreurs de saisie)")
        else:
            response.success()  # saved, or refused by the optimistic lock or the dossier's state: counted apart

    # --- a budget line on the action form (contracts:action_update) ---

    def open_budget(self, reference):
        url = scenario.action_update_url(reference)
        page = self.client.get(url, name="/actions/[ref]/modifier/")
        form = scenario.find_form(page.text, "version") if page.status_code == 200 else None
        if form is not None:
            self.pending = ("budget", url, form, {"reference": reference})

    def save_budget(self, url, form, *, reference):
        # This year's State line, lowered a little: the State share can only go down, no rule is broken.
        lines = [
            name[: -len("-financer")]
            for name, value in form.fields
            if name.startswith("budget-") and name.endswith("-financer") and value == "state"
        ]
        lines = [p for p in lines if form.get(f"{p}-year") == str(State.plan["year"]) and form.get(f"{p}-id")]
        if not lines:
            return
        prefix = random.choice(lines)
        old = parse_amount(form.get(f"{prefix}-planned"))
        new = max(old - Decimal(random.randint(100, 50000)) / 100, Decimal("0"))
        form.set(f"{prefix}-planned", french_amount(new))
        line_id = form.get(f"{prefix}-id")
        sent = time.time()
        with self.post_form(url, form, name="/actions/[ref]/modifier/") as response:
            outcome = scenario.save_outcome(
                response.status_code,
                response.headers.get("Location", ""),
                response.text,
                conflict_text=scenario.ACTION_CONFLICT,
                success_prefix=f"/actions/{reference}/",
            )
            self.settle(response, outcome)
        self.record(
            kind="budget",
            target=f"budget:{line_id}",
            values={"planned": f"{new:.2f}"},
            sent=sent,
            outcome=outcome,
            status=response.status_code,
            action=reference,
        )

    # --- submission (campaigns:submit: confirmation page, then POST) ---

    def open_submit(self):
        url = scenario.submit_url(self.dossier)
        page = self.client.get(url, name="/dossiers/[pk]/soumettre/")
        form = next((f for f in scenario.parse_forms(page.text) if f.method == "post" and f.action != LOGOUT), None)
        if form is not None:
            self.pending = ("submit", url, form, {})

    def submit(self, url, form):
        with self.post_form(url, form, name="/dossiers/[pk]/soumettre/") as response:
            ok = response.status_code == 302
            if response.status_code >= 500:
                response.failure(f"HTTP {response.status_code}")
            else:
                response.success()
        OUTCOMES["submit:" + ("saved" if ok else f"http {response.status_code}")] += 1
        page = self.client.get(scenario.dossier_url(self.dossier), name="/dossiers/[pk]/").text
        if ok and "Dossier soumis" in page:
            self.next_dossier()


class StateAgent(Agent):
    """A DDETS agent: the dossiers of the département waiting for validation."""

    weight = 20
    wait_time = between(*[t * THINK for t in STATE_READING])

    def on_start(self):
        account = next(State.state_accounts)
        self.departement = account["departement"]
        self.pending = None
        if not self.sign_in(account["email"]):
            self.stop()

    @task
    def step(self):
        if self.pending:
            pk, form = self.pending
            self.pending = None
            with self.post_form(scenario.validate_url(pk), form, name="/dossiers/[pk]/valider/") as response:
                ok = response.status_code == 302
                if response.status_code >= 500:
                    response.failure(f"HTTP {response.status_code}")
                else:
                    response.success()
            page = self.client.get(scenario.dossier_url(pk), name="/dossiers/[pk]/").text
            OUTCOMES["validate:" + ("saved" if ok and "Dossier validé" in page else "refused")] += 1
            return
        listing = self.client.get(
            scenario.cockpit_url(State.plan["campaign"], departement=self.departement, state="submitted"),
            name="/campagnes/[pk]/?departement=…&state=submitted",
        ).text
        waiting = scenario.dossier_pks(listing)
        if not waiting:
            self.client.get(scenario.HOME_URL, name="/ (accueil)")
            return
        pk = random.choice(waiting)
        page = self.client.get(scenario.dossier_url(pk), name="/dossiers/[pk]/").text
        form = next((f for f in scenario.parse_forms(page) if f.action == scenario.validate_url(pk)), None)
        if form is not None:
            self.pending = (pk, form)


class DiplpUser(Agent):
    """The DIPLP watching the campaign's cockpit, with its filters."""

    weight = 2
    wait_time = between(*[t * THINK for t in COCKPIT_READING])

    def on_start(self):
        if not self.sign_in(next(State.diplp_accounts)):
            self.stop()

    @task
    def cockpit(self):
        campaign = State.plan["campaign"]
        filters = random.choice(
            [
                {},
                {"state": "submitted"},
                {"state": "draft", "contract_type": "CLS-M"},
                {"region": random.choice(State.plan["regions"])},
                {"page": random.randint(2, 20)},
            ]
        )
        self.client.get(scenario.cockpit_url(campaign, **filters), name="/campagnes/[pk]/ (cockpit)")
