"""Content-Security-Policy and Permissions-Policy: sent on every page, strict, and nothing of ours needs more.

The policy forbids inline code (no 'unsafe-inline', no nonce), so these tests also prove that no template of
ours holds an inline <script>, a <style> block, a style="" attribute or an on…="" handler, and that pages with
server-drawn charts inline none either. The browser tests (tests/browser/conftest.py) fail on any violation
the browser itself reports.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings

from pilotactions.accounts.enums import RoleKind as R
from pilotactions.core.middleware import permissions_policy_header
from tests.factories import login, make_action, make_contract, make_role

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "pilotactions" / "templates"
# Rendered only by WeasyPrint into PDFs, or written to a standalone file that is downloaded (its response has
# its own policy: see pilotactions/reports/views.py). Their <style> block is their layout.
PDF_OR_STANDALONE_TEMPLATES = {
    "reports/report.html": "the bilan report: PDF via WeasyPrint, or a standalone downloaded HTML file",
    "measures/dashboard_print.html": "the national dashboard, PDF via WeasyPrint only",
    "campaigns/acknowledgement.html": "a submission's acknowledgement, PDF via WeasyPrint only",
    "reports/evaluation_fiche.html": "a contract's evaluation fiche, PDF via WeasyPrint only",
}
EXPECTED_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "base-uri": "'self'",
    "object-src": "'none'",
}
REFUSED_FEATURES = ["camera", "microphone", "geolocation", "payment", "usb", "browsing-topics"]

# A data block (`<script type="application/json">`, read by a static script) is never executed: CSP does not apply.
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*\btype=\"application/json\")[^>]*>", re.IGNORECASE)
STYLE_BLOCK = re.compile(r"<style\b", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"javascript:", re.IGNORECASE)


def policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {name: value for name, _, value in (part.strip().partition(" ") for part in header.split(";"))}


def assert_strict_headers(response):
    assert policy(response) == EXPECTED_POLICY
    assert "unsafe" not in response["Content-Security-Policy"]
    features = dict(item.split("=", 1) for item in response["Permissions-Policy"].split(", "))
    for feature in REFUSED_FEATURES:
        assert features[feature] == "()", feature


def inline_code(html: str) -> list[str]:
    found = []
    for name, pattern in [
        ("inline <script>", INLINE_SCRIPT),
        ("<style> block", STYLE_BLOCK),
        ("style attribute", STYLE_ATTRIBUTE),
        ("event handler attribute", EVENT_HANDLER),
        ("javascript: URL", JAVASCRIPT_URL),
    ]:
        found += [f"{name}: {m.group(0).strip()}" for m in pattern.finditer(html)]
    return found


def test_a_public_page_carries_both_policies(client):
    response = client.get("/")
    assert response.status_code == 200
    assert_strict_headers(response)


def test_a_signed_in_page_carries_both_policies(client):
    login(client, make_role(R.DEPARTMENTAL_STATE, "59"))
    response = client.get("/contrats/")
    assert response.status_code == 200
    assert_strict_headers(response)


def test_error_pages_and_redirects_carry_them_too(client):
    assert_strict_headers(client.get("/nulle-part/"))  # the French 404
    assert_strict_headers(client.get("/contrats/"))  # sign-in redirect


def test_the_permissions_policy_header_syntax():
    assert permissions_policy_header({"camera": [], "fullscreen": ["self"]}) == "camera=(), fullscreen=(self)"
    assert permissions_policy_header({}) == ""


def test_no_template_holds_inline_code_the_policy_would_refuse():
    templates = sorted(TEMPLATES.rglob("*.html"))
    assert len(templates) > 50
    offenders = {}
    for path in templates:
        name = path.relative_to(TEMPLATES).as_posix()
        found = inline_code(path.read_text(encoding="utf-8"))
        if name in PDF_OR_STANDALONE_TEMPLATES:
            found = [f for f in found if not f.startswith("<style> block")]
        if found:
            offenders[name] = found
    assert offenders == {}


def test_the_pdf_only_templates_are_never_pages_of_the_site():
    for name in PDF_OR_STANDALONE_TEMPLATES:
        source = (TEMPLATES / name).read_text(encoding="utf-8")
        assert "{% extends" not in source and "<style>" in source, name


def test_pages_with_server_drawn_charts_inline_no_style(client):
    """The bilan's SVG charts are inlined in the page: presentation attributes only, never style=""."""
    make_action(make_contract("59"), axis="AXE3", lines=[(2024, "state", "100"), (2024, "authority", "300")])
    make_action(make_contract("244400404"), axis="AXE2", lines=[(2024, "authority", "50")])
    login(client, make_role(R.NATIONAL_ADMIN))
    response = client.get("/bilan/chapitre/II/graphiques/")  # the charts come in the page's second request
    html = response.content.decode()
    assert html.count("<svg") >= 10
    assert inline_code(html) == []
    assert_strict_headers(response)


def test_the_downloaded_html_report_gets_its_own_sandboxed_policy(
    client, settings, tmp_path, django_capture_on_commit_callbacks
):
    from pilotactions.reports.models import ReportJob

    settings.PRIVATE_MEDIA_ROOT = tmp_path
    make_action(make_contract("33"), lines=[(2024, "authority", "300")])
    login(client, make_role(R.DEPARTMENTAL_STATE, "33"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/bilan/rapports/", {"format": "html", "year": "2024", "departement": "33"})
    job = ReportJob.objects.get()
    download = client.get(f"/bilan/rapports/{job.pk}/telecharger/")
    assert download["Content-Disposition"].startswith("attachment;")
    assert "<style>" in b"".join(download.streaming_content).decode()
    directives = policy(download)
    assert directives["style-src"] == "'unsafe-inline'"
    assert directives["script-src"] == directives["default-src"] == "'none'"
    assert "sandbox" in download["Content-Security-Policy"].split("; ")
    assert "unsafe-inline" not in client.get(f"/bilan/rapports/{job.pk}/")["Content-Security-Policy"]


def test_the_report_progress_is_a_native_progress_element():
    from types import SimpleNamespace

    from django.template.loader import render_to_string

    job = SimpleNamespace(pk=1, status="running", progress=40, get_status_display=lambda: "En cours")
    html = render_to_string("reports/includes/job_status.html", {"job": job})
    assert '<progress class="pa-progress" value="40" max="100"' in html
    assert inline_code(html) == []
