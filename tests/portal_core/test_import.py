"""Importing contacts from a CSV file: header spellings, per-row errors, bad files, atomic rows."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context

from portal_core.contacts import contacts_import_csv
from portal_core.models import ActivityEntry, Company, Contact


def upload(staff, content: bytes, name: str = "contacts.csv"):
    return staff.post("/office/contacts/import/", {"file": SimpleUploadedFile(name, content)}, follow=True)


def test_it_imports_contacts_with_common_header_spellings(office_a):
    with schema_context(office_a.schema_name):
        acme = Company.objects.create(name="Acme")
    content = (
        "\ufeffFirst Name;Surname;E-mail;Phone Number;Lang;Company;Notes\r\n"
        "Anna;de Vries;Anna@Example.com;+31 6 1234 5678;nl;ACME;vip\r\n"
        "Ben;Smith;;;DE;New Co;\r\n"
        ";;;;;;\r\n"
        'Cleo;"O\'Neil; jr";cleo@example.com;;xx;New Co;\r\n'
        "Dirk;;;;pt-BR;;\r\n"
    ).encode()
    staff = office_a.staff_client()
    response = upload(staff, content)
    assert response.redirect_chain[-1][0] == "/office/contacts/import/"
    html = response.content.decode()
    assert "Import finished" in html and "data-created>4<" in html and "data-failed>0<" in html
    assert "Columns not imported: Notes." in html
    with schema_context(office_a.schema_name):
        contacts = {c.first_name: c for c in Contact.objects.select_related("company")}
        assert set(contacts) == {"Anna", "Ben", "Cleo", "Dirk"}
        assert contacts["Anna"].email == "anna@example.com" and contacts["Anna"].company == acme
        assert [contacts[n].language for n in ("Anna", "Ben", "Cleo", "Dirk")] == ["nl", "de", "en", "pt"]
        assert contacts["Cleo"].last_name == "O'Neil; jr"
        assert (
            contacts["Ben"].company == contacts["Cleo"].company and contacts["Ben"].company.name == "New Co"
        )
        assert Company.objects.count() == 2
        assert {c.source for c in contacts.values()} == {"import"}
        assert {c.owner_id for c in contacts.values()} == {office_a.owner_id}
        assert ActivityEntry.objects.filter(verb="contact_imported").count() == 4
    assert "Import finished" not in staff.get("/office/contacts/import/").content.decode()  # shown once
    listing = staff.get("/office/contacts/", {"source": "import"}).content.decode()
    assert listing.count("data-contact=") == 4


def test_it_reports_each_bad_row_and_imports_the_others(office_a):
    content = (
        "first_name,last_name,email,phone,language,company\n"
        "Good,One,good@example.com,,en,\n"
        ",Nofirst,nofirst@example.com,,en,Ghost Company\n"
        "Bad,Email,not-an-email,,en,Ghost Company\n"
        f"Long,Phone,,{'1' * 41},en,\n"
        f"Big,Company,,,en,{'C' * 161}\n"
        "Short\n"
        "Good,Two,good@example.com,,fr,\n"
    ).encode()
    html = upload(office_a.staff_client(), content).content.decode()
    assert "data-created>3<" in html and "data-failed>4<" in html
    for row, field, message in (
        (3, "First name", "First name is required."),
        (4, "Email", "“not-an-email” is not a valid email."),
        (5, "Phone", "Ensure this value has at most 40 characters (it has 41)."),
        (6, "Company", "Company name is too long (160 characters)."),
    ):
        cells = f'<td data-label="Row">{row}</td><td data-label="Field">{field}</td><td data-label="Problem">'
        assert cells in html and message in html
    assert "1 imported contact shares" not in html and "2 imported contacts share an email" in html
    with schema_context(office_a.schema_name):
        assert sorted(Contact.objects.values_list("first_name", flat=True)) == ["Good", "Good", "Short"]
        assert not Company.objects.exists()  # a refused row writes nothing, not even its company


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("first_name\nJosé\n".encode("latin-1"), "This file is not UTF-8 text."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "This is not a CSV file."),
        (b"", "The submitted file is empty."),
        (b"name,mail\nAnna,anna@example.com\n", "one must be the first name"),
        (b'first_name,email\n"Anna,anna@example.com\n', "This file is not a valid CSV file"),
        (b"first_name\n" + b"A\n" * 10_001, "This file has 10,001 rows; the limit is 10,000."),
        (b"first_name\n" + b"A" * (5 * 1024 * 1024), "This file is too large: the limit is 5 MB."),
    ],
    ids=["latin-1", "binary", "empty", "no-first-name", "broken-quotes", "too-many-rows", "too-big"],
)
def test_it_refuses_a_bad_file_with_a_clear_message(office_a, content, message):
    response = upload(office_a.staff_client(), content)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html and 'role="alert"' in html and "Import finished" not in html
    with schema_context(office_a.schema_name):
        assert not Contact.objects.exists()


def test_it_imports_its_own_sample_file(office_a):
    staff = office_a.staff_client()
    sample = staff.get("/office/contacts/import/sample.csv")
    assert sample["Content-Type"].startswith("text/csv") and "attachment" in sample["Content-Disposition"]
    html = upload(staff, sample.content).content.decode()
    assert "data-created>2<" in html and "data-failed>0<" in html


def test_the_service_refuses_a_bad_file_and_writes_nothing(office_a):
    with schema_context(office_a.schema_name):
        with pytest.raises(ValidationError, match="not UTF-8"):
            contacts_import_csv(file=io.BytesIO(b"first_name\n\xff\xfe\n"))
        report = contacts_import_csv(file=io.BytesIO(b'first_name,last_name\n"Ann","Multi\nLine"\n'))
        assert (report.rows, report.created, report.errors) == (1, 1, [])
        assert Contact.objects.get().last_name == "Multi\nLine"


def test_it_shows_the_import_page_with_the_format(office_a):
    html = office_a.staff_client().get("/office/contacts/import/").content.decode()
    assert "first_name, last_name, email, phone, language, company" in html
    assert 'enctype="multipart/form-data"' in html and 'accept=".csv,text/csv"' in html
