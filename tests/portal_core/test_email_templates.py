"""Email templates: the list, editing, preview, reset, token checks, use in real emails; isolation."""

import html
import re

import pytest
from django.core import mail
from django_tenants.utils import schema_context, tenant_context

from portal_core.email_templates import (
    email_template_reset,
    email_template_save,
    unknown_tokens,
)
from portal_core.emails import default_template
from portal_core.models import Contact, EmailTemplate

URL = "/office/email-templates/"
EDIT = URL + "magic_link/nl/"
DUTCH = {
    "subject": "Inloggen bij {{ office.name }}",
    "body": "Dag {{ contact.first_name }},\n\nKlik hier: {{ portal_link }}\n\nGeldig: {{ expires_in }}.",
}


def _templates(office) -> list[tuple[str, str, str]]:
    with schema_context(office.schema_name):
        return list(EmailTemplate.objects.values_list("kind", "language", "subject"))


def test_it_finds_unknown_tokens_typos_included():
    text = "Hi {{ contact.first_name }} {{contact.name}} {{ Portal_Link }} {{ first name }} {{contact.name}}"
    assert unknown_tokens(text) == ["contact.name", "Portal_Link", "first name"]
    assert unknown_tokens("{{ portal_link }} and {{office.name}}") == []


def test_it_lists_every_kind_in_every_language_as_default_or_customised(office_a):
    staff = office_a.staff_client()
    staff.post(EDIT, DUTCH)
    html_page = staff.get(URL).content.decode()
    states = dict(
        ((kind, language), state)
        for kind, language, state in re.findall(
            r'data-kind="(\w+)" data-language="(\w+)" data-customised="(true|false)"', html_page
        )
    )
    assert len(states) == 5 * 10
    assert {kind for kind, _ in states} == set(EmailTemplate.Kind.values)
    assert states.pop(("magic_link", "nl")) == "true" and set(states.values()) == {"false"}
    assert "customised" in html_page and "1 customised template." in html_page
    assert 'href="/office/email-templates/verification_code/pl/"' in html_page


def test_it_edits_with_tokens_and_a_preview_of_the_default(office_a):
    page = office_a.staff_client().get(EDIT).content.decode()
    subject, _body = default_template("magic_link", "nl")
    assert f'value="{html.escape(subject)}"' in page  # Dutch when the catalogues are compiled
    for token in ("portal_link", "contact.first_name", "office.name", "expires_in", "code"):
        assert f'data-token="{token}"' in page
    assert "The link that signs the client in" in page  # descriptions from emails.TOKENS
    assert '<iframe class="email-frame"' in page and 'sandbox=""' in page and "srcdoc=" in page
    assert "/auth/magic/sample-link" in page and "Alex" in page
    assert "Reset to default" not in page  # nothing to reset yet


def test_it_previews_a_draft_without_saving_it(office_a):
    staff = office_a.staff_client()
    draft = {"subject": "Hallo {{ contact.first_name }}", "body": "Klik: {{ portal_link }} <b>vet</b>"}
    response = staff.post(EDIT + "preview/", draft, HTTP_HX_REQUEST="true")
    fragment = response.content.decode()
    assert response.status_code == 200 and fragment.lstrip().startswith('<section class="card email-preview"')
    assert "<strong>Hallo Alex</strong>" in fragment and "not saved yet" in fragment
    assert "<dt>From</dt><dd>Alpha Realty &lt;" in fragment
    srcdoc = html.unescape(re.search(r'srcdoc="([^"]*)"', fragment).group(1))
    assert "Klik: <a" not in srcdoc and "&lt;b&gt;vet&lt;/b&gt;" in srcdoc  # the body is escaped
    assert "http://alpha.portico.localhost/auth/magic/sample-link" in srcdoc
    assert "Klik: http://alpha.portico.localhost/auth/magic/sample-link" in fragment  # text version
    assert _templates(office_a) == []

    full = staff.post(EDIT + "preview/", draft)  # without htmx: the whole page
    assert "<h1>" in full.content.decode() and "Hallo Alex" in full.content.decode()
    assert _templates(office_a) == []


def test_it_saves_then_resets_to_default(office_a):
    staff = office_a.staff_client()
    response = staff.post(EDIT, DUTCH)
    assert response.status_code == 302 and response["Location"] == EDIT
    assert _templates(office_a) == [("magic_link", "nl", DUTCH["subject"])]
    page = staff.get(EDIT).content.decode()
    assert "Magic link email in Nederlands saved." in page and "Reset to default" in page
    assert "Inloggen bij Alpha Realty" in page  # the saved version, previewed

    assert staff.post(EDIT + "reset/").status_code == 302
    assert _templates(office_a) == []
    page = staff.get(EDIT).content.decode()
    assert "back to Portico&#x27;s default wording" in page and "Reset to default" not in page


@pytest.mark.parametrize(
    ("data", "messages"),
    [
        (
            {"subject": "Hi {{ contact.name }}", "body": "{{ portal_link }} {{ link }} {{ Office.Name }}"},
            [
                "Unknown token: {{ contact.name }}.",
                "Unknown tokens: {{ link }}, {{ Office.Name }}. Use only the tokens listed with the editor.",
            ],
        ),
        ({"subject": "x" * 201, "body": "{{ portal_link }}"}, ["at most 200 characters (it has 201)"]),
        ({"subject": "", "body": ""}, ["Write a subject.", "Write the text of the email."]),
        (
            {"subject": "Sign in", "body": "Hello {{ contact.first_name }}"},
            ["Include {{ portal_link }}: without it your client receives no link."],
        ),
    ],
    ids=["unknown-tokens", "long-subject", "empty", "no-link"],
)
def test_it_refuses_a_template_that_cannot_be_sent(office_a, data, messages):
    staff = office_a.staff_client()
    page = html.unescape(staff.post(EDIT, data).content.decode())
    for message in messages:
        assert message in page
    assert _templates(office_a) == []
    preview = html.unescape(staff.post(EDIT + "preview/", data, HTTP_HX_REQUEST="true").content.decode())
    assert "Fix these first to see the preview" in preview and messages[0] in preview


def test_it_checks_again_in_the_service(office_a):
    with schema_context(office_a.schema_name):
        with pytest.raises(Exception, match="Include {{ code }}"):
            email_template_save(kind="verification_code", language="en", subject="Code", body="Hi")
        with pytest.raises(Exception, match="no email of the kind"):
            email_template_save(kind="newsletter", language="en", subject="News", body="{{ portal_link }}")
        saved = email_template_save(
            kind="verification_code", language="en", subject="Code {{ code }}", body="Your code: {{ code }}"
        )
        again = email_template_save(
            kind="verification_code", language="en", subject="New {{ code }}", body="Code: {{ code }}"
        )
        assert saved.pk == again.pk and EmailTemplate.objects.count() == 1
        assert email_template_reset(kind="verification_code", language="en") is True
        assert email_template_reset(kind="verification_code", language="en") is False


def test_it_answers_404_for_an_unknown_kind_or_language(office_a):
    staff = office_a.staff_client()
    assert staff.get(URL + "newsletter/nl/").status_code == 404
    assert staff.get(URL + "magic_link/xx/").status_code == 404
    assert staff.post(URL + "magic_link/xx/reset/").status_code == 404


def test_it_sends_the_saved_wording_in_the_clients_language(office_a):
    from portal_core.access import magic_link_send, portal_account_for

    office_a.staff_client().post(EDIT, DUTCH)
    with tenant_context(office_a.tenant):
        dutch = portal_account_for(
            contact=Contact.objects.create(first_name="Daan", email="daan@x.example", language="nl")
        )
        english = portal_account_for(
            contact=Contact.objects.create(first_name="Emma", email="emma@x.example")
        )
        mail.outbox.clear()
        link = magic_link_send(account=dutch)
        magic_link_send(account=english)
    nl, en = mail.outbox
    assert nl.to == ["daan@x.example"] and nl.subject == f"Inloggen bij {office_a.tenant.name}"
    assert nl.body.startswith("Dag Daan,") and f"Klik hier: {link}" in nl.body and "{{" not in nl.body
    assert "Dag Daan," in nl.alternatives[0][0]
    assert en.subject.startswith("Your sign-in link") and "Dag" not in en.body  # English: the default


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", URL),
        ("get", EDIT),
        ("post", EDIT),
        ("post", EDIT + "preview/"),
        ("post", EDIT + "reset/"),
    ],
)
def test_it_shows_and_changes_nothing_for_another_offices_owner(office_a, office_b, method, path):
    office_a.staff_client().post(EDIT, {"subject": "Alpha's own", "body": "Secret wording {{ portal_link }}"})
    stranger = office_b.staff_client()
    stranger.defaults["HTTP_HOST"] = office_a.host
    response = getattr(stranger, method)(
        path, {"subject": "Hijacked", "body": "Hijacked {{ portal_link }}"} if method == "post" else None
    )
    assert response.status_code == 302 and response["Location"].startswith("/office/login/")
    assert b"Secret wording" not in response.content
    assert _templates(office_a) == [("magic_link", "nl", "Alpha's own")]
    assert _templates(office_b) == []
