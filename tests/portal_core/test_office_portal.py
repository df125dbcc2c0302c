"""The portal settings page: every setting, its validation, the logo; and another office's owner."""

import io
import os

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context
from PIL import Image

from portal_core.models import PortalConfig

SETTINGS = {
    "is_active": "on",
    "company_name": "Alpha Realty",
    "portal_name": "Alpha Portal",
    "welcome_message": "Hello!",
    "primary_color": "#112233",
    "secondary_color": "#445566",
    "allow_file_sharing": "on",
    "token_expiration_days": "90",
    "password_policy": "length",
}


def _config(office) -> PortalConfig:
    with schema_context(office.schema_name):
        return PortalConfig.objects.get()


def _png(size=(120, 60), mode="RGB", colour=(200, 30, 30)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new(mode, size, colour).save(out, format="PNG")
    return SimpleUploadedFile("logo.png", out.getvalue(), content_type="image/png")


@pytest.fixture
def media(settings, tmp_path):
    """A media root of the test's own. django-tenants' storage caches its root and, because of a bug
    in its ``setting_changed`` handler, keeps it when MEDIA_ROOT changes: drop the cached value."""
    storage = storages["default"]
    storage.__dict__.pop("relative_media_root", None)
    settings.MEDIA_ROOT = str(tmp_path)
    yield tmp_path
    storage.__dict__.pop("relative_media_root", None)


def test_it_shows_every_setting_in_sections(office_a):
    html = office_a.staff_client().get("/office/settings/").content.decode()
    assert 'id="portal"' in html and 'enctype="multipart/form-data"' in html
    for section in ("Portal", "Branding", "What clients can do", "Sign-in and security"):
        assert f"<legend>{section}</legend>" in html
    for name in (*SETTINGS, "show_activity_feed", "logo"):
        assert f'name="{name}"' in html
    assert 'id="brand-preview"' in html and "--preview-primary: #3B82F6" in html
    assert 'name="remove_logo"' not in html  # nothing to remove yet
    assert 'href="/office/email-templates/"' in html


def test_it_saves_every_setting(office_a):
    staff = office_a.staff_client()
    response = staff.post("/office/settings/", SETTINGS)
    assert response.status_code == 302 and response["Location"] == "/office/settings/"
    config = _config(office_a)
    assert (config.is_active, config.company_name, config.portal_name, config.welcome_message) == (
        True,
        "Alpha Realty",
        "Alpha Portal",
        "Hello!",
    )
    assert (config.primary_color, config.secondary_color) == ("#112233", "#445566")
    assert config.allow_file_sharing and not config.show_activity_feed
    assert config.token_expiration_days == 90 and config.password_policy == "length"
    page = staff.get("/office/settings/").content.decode()
    assert "Portal settings saved." in page and "--preview-primary: #112233" in page


def test_it_keeps_unsent_values_of_an_older_form(office_a):
    staff = office_a.staff_client()
    staff.post("/office/settings/", SETTINGS)
    older = {k: v for k, v in SETTINGS.items() if k not in ("token_expiration_days", "password_policy")}
    assert staff.post("/office/settings/", {**older, "portal_name": "Renamed"}).status_code == 302
    config = _config(office_a)
    assert config.portal_name == "Renamed"
    assert config.token_expiration_days == 90 and config.password_policy == "length"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("token_expiration_days", "0", "greater than or equal to 1"),
        ("token_expiration_days", "366", "less than or equal to 365"),
        ("token_expiration_days", "", "This field is required"),
        ("password_policy", "weak", "Select a valid choice"),
        ("secondary_color", "#12345", "Use a colour like #3B82F6."),
    ],
)
def test_it_rejects_bad_settings_and_saves_nothing(office_a, field, value, message):
    response = office_a.staff_client().post("/office/settings/", {**SETTINGS, field: value})
    html = response.content.decode()
    assert response.status_code == 200 and message in html and "Nothing was saved" in html
    assert _config(office_a).portal_name != "Alpha Portal"


def test_it_stores_a_reencoded_logo_shows_it_and_removes_it(office_a, media):
    staff = office_a.staff_client()
    response = staff.post("/office/settings/", {**SETTINGS, "logo": _png()})
    assert response.status_code == 302
    config = _config(office_a)
    assert config.portal_logo.name.startswith("portal-logos/logo") and config.portal_logo.name.endswith(
        ".jpg"
    )
    stored = media / office_a.schema_name / config.portal_logo.name
    with Image.open(stored) as image:
        assert image.format == "JPEG" and image.size == (120, 60)

    page = staff.get("/office/settings/").content.decode()
    assert 'src="/branding/logo?v=' in page and 'name="remove_logo"' in page
    served = office_a.client().get("/branding/logo")
    assert served.status_code == 200 and b"".join(served.streaming_content) == stored.read_bytes()

    assert staff.post("/office/settings/", {**SETTINGS, "remove_logo": "on"}).status_code == 302
    assert not _config(office_a).portal_logo and not stored.exists()


def test_it_keeps_a_transparent_logo_transparent_and_replaces_the_old_file(office_a, media):
    staff = office_a.staff_client()
    staff.post("/office/settings/", {**SETTINGS, "logo": _png()})
    first = media / office_a.schema_name / _config(office_a).portal_logo.name
    staff.post("/office/settings/", {**SETTINGS, "logo": _png(mode="RGBA", colour=(0, 0, 0, 0))})
    config = _config(office_a)
    assert config.portal_logo.name.endswith(".png") and not first.exists()
    with Image.open(media / office_a.schema_name / config.portal_logo.name) as image:
        assert image.mode == "RGBA" and image.getpixel((0, 0))[3] == 0


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("logo.png", b"just some text, not an image\n" * 10, content_type="image/png"),
            "This file is not an image we can use as a logo. Upload a PNG, JPEG, GIF or WebP file.",
        ),
        ("too-large", "This logo is too large: the limit is 2 MB."),
    ],
    ids=["text-renamed-png", "too-large"],
)
def test_it_refuses_a_bad_logo_with_a_clear_error(office_a, media, upload, message):
    if upload == "too-large":
        noise = Image.frombytes("RGB", (1000, 1000), os.urandom(3_000_000))
        out = io.BytesIO()
        noise.save(out, format="PNG")
        assert out.tell() > 2 * 1024 * 1024
        upload = SimpleUploadedFile("big.png", out.getvalue(), content_type="image/png")
    response = office_a.staff_client().post("/office/settings/", {**SETTINGS, "logo": upload})
    assert response.status_code == 200 and message in response.content.decode()
    config = _config(office_a)
    assert not config.portal_logo and config.portal_name != "Alpha Portal"
    assert not (media / office_a.schema_name / "portal-logos").exists()


def test_it_changes_no_setting_or_logo_for_another_offices_owner(office_a, office_b, media):
    stranger = office_b.staff_client()
    stranger.defaults["HTTP_HOST"] = office_a.host
    response = stranger.post("/office/settings/", {**SETTINGS, "company_name": "Hijacked", "logo": _png()})
    assert response.status_code == 302 and response["Location"].startswith("/office/login/")
    config = _config(office_a)
    assert config.company_name != "Hijacked" and not config.portal_logo and not config.is_active


def test_it_links_email_settings_and_templates_both_ways(office_a):
    staff = office_a.staff_client()
    email = staff.get("/office/email/").content.decode()
    assert 'href="/office/email-templates/"' in email
    templates = staff.get("/office/email-templates/").content.decode()
    assert 'href="/office/email/"' in templates
    nav = [label for label in ("Email", "Email templates", "API keys") if f">{label}</a>" in email]
    assert nav == ["Email", "Email templates", "API keys"]
    assert email.index(">Email</a>") < email.index(">Email templates</a>") < email.index(">API keys</a>")
