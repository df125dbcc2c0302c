"""The resource API: each resource declares itself, the generic suites in ``mixins`` test it."""

from datetime import timedelta

from django.utils import timezone

from portal_core.access import portal_account_for
from portal_core.models import ActivityEntry, Company, Contact, PortalAccount

from .conftest import api
from .mixins import (
    CreateTests,
    DeleteTests,
    IsolationTests,
    ListTests,
    PlatformCreateTests,
    RetrieveTests,
    UpdateTests,
    in_schema,
)


def _contact(label: str, **fields) -> Contact:
    slug = label.replace(" ", "-").replace("'", "")
    return Contact.objects.create(first_name=label.title(), email=f"{slug}@example.com", **fields)


class TestContacts(
    ListTests, CreateTests, RetrieveTests, UpdateTests, DeleteTests, IsolationTests, PlatformCreateTests
):
    url = "/api/v1/contacts/"
    model = Contact
    plain_body = {"first_name": "Bea"}
    bad_filter = {"updated_since": "yesterday", "portal_status": "gone"}
    invalid_body = {"first_name": "", "email": "not-an-email", "language": "xx", "company": 2_000_000_000}
    patch_body = {"phone": "+31 6 1234 5678", "language": "nl"}
    put_body = {"first_name": "Ada", "email": "ADA@example.com"}

    def make(self, label):
        return _contact(
            label, last_name="Lovelace", phone="020 123", company=Company.objects.create(name="Acme")
        )

    def make_many(self, created):
        rows = Contact.objects.bulk_create(
            Contact(first_name=f"Bulk {n}", created=at) for n, at in enumerate(created)
        )
        return [row.pk for row in rows]

    def filter_cases(self):
        acme = Company.objects.create(name="Acme")
        ada = _contact("ada", language="nl", source=Contact.Source.API, company=acme)
        bob = _contact("bob")
        cy = _contact("cy")
        portal_account_for(contact=cy)
        PortalAccount.objects.filter(contact=cy).update(status="invited")
        Contact.objects.filter(pk__in=[bob.pk, cy.pk]).update(updated=timezone.now() - timedelta(days=3))
        since = (timezone.now() - timedelta(days=1)).isoformat()
        return [
            ({}, {ada.pk, bob.pk, cy.pk}),
            ({"q": "ADA"}, {ada.pk}),
            ({"q": "acme"}, {ada.pk}),
            ({"email": "BOB@example.com"}, {bob.pk}),
            ({"company": acme.pk}, {ada.pk}),
            ({"source": "api"}, {ada.pk}),
            ({"language": "nl"}, {ada.pk}),
            ({"portal_status": "invited"}, {cy.pk}),
            ({"portal_status": "not_invited"}, {ada.pk, bob.pk}),
            ({"updated_since": since}, {ada.pk}),
            ({"portal_status": "not_invited", "updated_since": since, "q": "bob"}, set()),
        ]

    def create_body(self):
        return {
            "first_name": " Ada ",
            "last_name": "Lovelace",
            "email": "ADA@Example.com",
            "language": "nl",
            "company": Company.objects.create(name="Acme").pk,
        }

    def check_created(self, row, body):
        assert row.first_name == "Ada" and row.email == "ada@example.com" and row.source == "api"
        assert row.company.name == "Acme" and row.language == "nl"
        assert body["source"] == "api" and body["portal_status"] == "not_invited"
        assert body["company"] == row.company_id and body["full_name"] == "Ada Lovelace"
        assert body["portal_account"] is None and body["email_shared"] is False
        assert row.activity.filter(verb="contact_created").exists()

    def check_patched(self, before, after):
        assert (after.phone, after.language) == ("+31 6 1234 5678", "nl")
        assert (after.first_name, after.last_name, after.company_id) == (
            before.first_name,
            before.last_name,
            before.company_id,
        )
        assert after.activity.filter(verb="contact_updated").exists()

    def check_put(self, before, after):
        assert (after.first_name, after.email) == ("Ada", "ada@example.com")
        assert (after.last_name, after.phone, after.company_id) == ("", "", None)

    def test_it_flags_shared_emails_and_assigns_staff_owners(self, office_a, api_key_a):
        with in_schema(office_a):
            first, second = _contact("ada"), _contact("ada")
            alone = _contact("bob")
        client = api(office_a.host, api_key_a)
        shared = {r["id"]: r["email_shared"] for r in client.get(self.url).json()["results"]}
        assert shared == {first.pk: True, second.pk: True, alone.pk: False}
        owned = client.patch(
            f"{self.url}{alone.pk}/", {"owner": office_a.owner_id}, content_type="application/json"
        )
        assert owned.status_code == 200 and owned.json()["owner"] == office_a.owner_id
        unknown = client.patch(
            f"{self.url}{alone.pk}/", {"owner": 2_000_000_000}, content_type="application/json"
        )
        assert unknown.status_code == 400 and "owner" in unknown.json()["errors"]


class TestCompanies(
    ListTests, CreateTests, RetrieveTests, UpdateTests, DeleteTests, IsolationTests, PlatformCreateTests
):
    url = "/api/v1/companies/"
    model = Company
    plain_body = {"name": "Bravo Holding"}
    bad_filter = {"created_since": "last week", "language": "klingon"}
    invalid_body = {"name": "", "website": "not a url", "email": "nope"}
    patch_body = {"website": "https://acme.example"}
    put_body = {"name": "Acme Holding"}

    def make(self, label):
        return Company.objects.create(
            name=label.title(), email="desk@example.com", phone="020 1", website="https://x.example"
        )

    def make_many(self, created):
        rows = Company.objects.bulk_create(
            Company(name=f"Bulk {n}", created=at) for n, at in enumerate(created)
        )
        return [row.pk for row in rows]

    def filter_cases(self):
        acme = Company.objects.create(name="Acme", email="desk@acme.example", language="de")
        bolt = Company.objects.create(name="Bolt", created=timezone.now() - timedelta(days=3))
        portal_account_for(company=bolt)
        PortalAccount.objects.filter(company=bolt).update(status="joined")
        since = (timezone.now() - timedelta(days=1)).isoformat()
        return [
            ({}, {acme.pk, bolt.pk}),
            ({"q": "acm"}, {acme.pk}),
            ({"email": "DESK@acme.example"}, {acme.pk}),
            ({"language": "de"}, {acme.pk}),
            ({"portal_status": "joined"}, {bolt.pk}),
            ({"portal_status": "not_invited"}, {acme.pk}),
            ({"created_since": since}, {acme.pk}),
        ]

    def create_body(self):
        return {"name": "Acme", "email": "Desk@Acme.example", "website": "https://acme.example"}

    def check_created(self, row, body):
        assert (row.name, row.email, row.website) == ("Acme", "desk@acme.example", "https://acme.example")
        assert body["contact_count"] == 0 and body["portal_status"] == "not_invited"
        assert row.activity.filter(verb="company_created").exists()

    def test_it_counts_contacts_and_keeps_them_when_deleted(self, office_a, api_key_a):
        with in_schema(office_a):
            company = Company.objects.create(name="Acme")
            contact = Contact.objects.create(first_name="Ada", company=company)
        client = api(office_a.host, api_key_a)
        assert client.get(f"{self.url}{company.pk}/").json()["contact_count"] == 1
        assert client.delete(f"{self.url}{company.pk}/").status_code == 204
        with in_schema(office_a):
            assert Contact.objects.get(pk=contact.pk).company_id is None

    def check_patched(self, before, after):
        assert after.website == "https://acme.example" and after.name == before.name

    def check_put(self, before, after):
        assert after.name == "Acme Holding" and (after.email, after.phone, after.website) == ("", "", "")


class TestPortalAccounts(ListTests, CreateTests, RetrieveTests, IsolationTests):
    url = "/api/v1/portal-accounts/"
    model = PortalAccount
    detail_methods = ("get",)
    actions = ("disable", "enable", "invite")
    bad_filter = {"status": "gone", "contact": "abc"}
    invalid_body = {"contact": 2_000_000_000}

    def make(self, label):
        return portal_account_for(contact=_contact(label))

    def make_many(self, created):
        contacts = Contact.objects.bulk_create(Contact(first_name=f"Bulk {n}") for n in range(len(created)))
        rows = PortalAccount.objects.bulk_create(
            PortalAccount(contact=contact, created=at) for contact, at in zip(contacts, created, strict=True)
        )
        return [row.pk for row in rows]

    def filter_cases(self):
        ada = portal_account_for(contact=_contact("ada"))
        bob = portal_account_for(contact=_contact("bob"))
        acme = portal_account_for(company=Company.objects.create(name="Acme"))
        PortalAccount.objects.filter(pk=bob.pk).update(status="joined")
        return [
            ({}, {ada.pk, bob.pk, acme.pk}),
            ({"status": "joined"}, {bob.pk}),
            ({"status": "not_invited"}, {ada.pk, acme.pk}),
            ({"contact": ada.contact_id}, {ada.pk}),
            ({"company": acme.company_id}, {acme.pk}),
        ]

    def create_body(self):
        return {"contact": _contact("ada").pk}

    def check_created(self, row, body):
        assert row.contact.first_name == "Ada" and row.status == "not_invited"
        assert body["status"] == "not_invited" and body["email"] == "ada@example.com"
        assert body["name"] == "Ada" and body["has_password"] is False


class TestActivity(ListTests, IsolationTests):
    url = "/api/v1/activity/"
    model = ActivityEntry
    list_methods = ("get",)
    detail_methods = ()
    ordering = ("-created", "-id")
    bad_filter = {"since": "a while ago", "contact": "x"}

    def make(self, label):
        return ActivityEntry.objects.create(verb="noted", summary=label)

    def make_many(self, created):
        rows = ActivityEntry.objects.bulk_create(
            ActivityEntry(verb="bulk", summary=f"Bulk {n}", created=at) for n, at in enumerate(created)
        )
        return [row.pk for row in rows]

    def filter_cases(self):
        company = Company.objects.create(name="Acme")
        ada = Contact.objects.create(first_name="Ada", company=company)
        old = ActivityEntry.objects.create(
            contact=ada, verb="login", summary="Signed in", created=timezone.now() - timedelta(days=3)
        )
        viewed = ActivityEntry.objects.create(
            contact=ada, verb="property_viewed", module="real_estate", summary="Viewed"
        )
        billed = ActivityEntry.objects.create(
            company=company, verb="invoice_sent", module="invoices", summary="Bill"
        )
        since = (timezone.now() - timedelta(days=1)).isoformat()
        return [
            ({}, {old.pk, viewed.pk, billed.pk}),
            ({"contact": ada.pk}, {old.pk, viewed.pk}),
            ({"company": company.pk}, {billed.pk}),
            ({"verb": "login"}, {old.pk}),
            ({"module": "real_estate"}, {viewed.pk}),
            ({"since": since}, {viewed.pk, billed.pk}),
            ({"since": since, "contact": ada.pk}, {viewed.pk}),
        ]


RESOURCE_PATHS = {
    "/api/v1/contacts/": ({"get", "post"}, "contacts"),
    "/api/v1/contacts/{id}/": ({"get", "put", "patch", "delete"}, "contacts"),
    "/api/v1/companies/": ({"get", "post"}, "companies"),
    "/api/v1/companies/{id}/": ({"get", "put", "patch", "delete"}, "companies"),
    "/api/v1/portal-accounts/": ({"get", "post"}, "portal-accounts"),
    "/api/v1/portal-accounts/{id}/": ({"get"}, "portal-accounts"),
    "/api/v1/portal-accounts/{id}/disable": ({"post"}, "portal-accounts"),
    "/api/v1/portal-accounts/{id}/enable": ({"post"}, "portal-accounts"),
    "/api/v1/portal-accounts/{id}/invite": ({"post"}, "portal-accounts"),
    "/api/v1/activity/": ({"get"}, "activity"),
    "/api/v1/me/": ({"get", "patch"}, "me"),
}


def test_it_documents_every_resource_endpoint_in_a_valid_schema(office_a):
    from drf_spectacular.validation import validate_schema

    response = api(office_a.host).get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    schema = response.json()
    validate_schema(schema)
    for path, (methods, tag) in RESOURCE_PATHS.items():
        operations = schema["paths"][path]
        assert set(operations) - {"parameters"} == methods, path
        for method, operation in operations.items():
            assert operation["tags"] == [tag] and operation["summary"], (path, method)
            assert {"401", "403", "429"} <= set(operation["responses"]), (path, method)
            assert operation["security"], (path, method)
            if method in ("post", "put", "patch") and not path.endswith(("/disable", "/enable")):
                assert "requestBody" in operation, (path, method)
            if method in ("put", "patch") or "{id}" in path:
                assert "404" in operation["responses"] or path == "/api/v1/me/", (path, method)
    assert schema["paths"]["/api/v1/me/"]["get"]["security"] == [{"JWT": []}]
    listed = schema["paths"]["/api/v1/contacts/"]["get"]
    assert {p["name"] for p in listed["parameters"]} >= {"cursor", "q", "email", "company", "updated_since"}
    assert listed["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/PaginatedContactList"
    }
    assert {"Error", "ValidationError", "Contact", "Company", "PortalAccount", "ActivityEntry"} <= set(
        schema["components"]["schemas"]
    )
