import pytest
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.db import connection
from django_tenants.utils import schema_context, schema_exists

from tenants import services
from tenants.models import Domain, Tenant


def _provision(slug="delta"):
    return services.tenant_provision(
        office_name="Delta",
        slug=slug,
        owner_name="Dee Delta",
        email=f"dee@{slug}.example",
        password_hash=make_password("Delta-pass-2026!"),
    )


def test_it_claims_a_pooled_schema_without_running_migrations(db, django_assert_max_num_queries):
    pooled = set(Tenant.objects.filter(status="pooled").values_list("schema_name", flat=True))
    assert pooled, "the suite starts with a filled pool"
    from django.db.migrations.executor import MigrationExecutor

    original = MigrationExecutor.migrate
    MigrationExecutor.migrate = lambda *a, **k: pytest.fail("migrations ran on the sign-up path")
    try:
        provisioned = _provision()
    finally:
        MigrationExecutor.migrate = original
    assert provisioned.tenant.schema_name in pooled
    assert Tenant.objects.get(slug="delta").status == "active"
    assert Domain.objects.get(tenant=provisioned.tenant).domain == "delta.portico.localhost"


def test_it_clones_from_the_template_when_the_pool_is_empty(db, monkeypatch):
    monkeypatch.setattr(services, "_pool_claim", lambda: None)
    provisioned = _provision()
    schema = provisioned.tenant.schema_name
    assert schema_exists(schema)
    with schema_context(schema):
        from django.contrib.auth import get_user_model

        assert get_user_model().objects.get().email == "dee@delta.example"
        with connection.cursor() as cursor:  # the clone carries the migration history of the template
            cursor.execute("SELECT count(*) FROM django_migrations WHERE app = 'portal_core'")
            assert cursor.fetchone()[0] >= 1


def _explode(**kwargs):
    raise RuntimeError("disk full")


def test_it_leaves_the_pool_whole_when_provisioning_fails_half_way(db, monkeypatch):
    pooled_before = list(Tenant.objects.filter(status="pooled").values_list("schema_name", flat=True))
    monkeypatch.setattr(services, "_owner_create", _explode)
    with pytest.raises(RuntimeError):
        _provision()
    assert not Tenant.objects.filter(slug="delta").exists()
    assert not Domain.objects.filter(domain="delta.portico.localhost").exists()
    assert list(Tenant.objects.filter(status="pooled").values_list("schema_name", flat=True)) == pooled_before
    for schema in pooled_before:
        assert schema_exists(schema)


def test_it_leaves_no_schema_behind_when_a_cloned_provisioning_fails(db, monkeypatch):
    monkeypatch.setattr(services, "_pool_claim", lambda: None)
    monkeypatch.setattr(services, "_owner_create", _explode)
    schemas = set()
    original_new = Tenant.new_schema_name

    def remember():
        name = original_new()
        schemas.add(name)
        return name

    monkeypatch.setattr(Tenant, "new_schema_name", staticmethod(remember))
    with pytest.raises(RuntimeError):
        _provision()
    assert schemas and not any(schema_exists(s) for s in schemas)
    assert not Tenant.objects.filter(schema_name__in=schemas).exists()


def test_it_tops_up_the_pool_to_its_size(db, settings):
    settings.PORTICO_POOL_SIZE = 5
    created = services.pool_top_up()
    assert Tenant.objects.filter(status="pooled").count() == 5
    assert created == 1  # the suite starts with 4
    assert services.pool_top_up() == 0


def test_it_refills_the_pool_after_a_claim_through_the_queue(
    db, django_capture_on_commit_callbacks, monkeypatch, settings
):
    settings.PORTICO_TASKS_EAGER = False
    sent = []
    monkeypatch.setattr("tenants.queue.async_task", lambda *args, **kwargs: sent.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        _provision()
    assert sent and sent[0][1:3] == ("public", "tenants.tasks.pool_top_up_task")


def test_it_migrates_pooled_and_template_schemas_with_migrate_schemas(db):
    pooled = Tenant.objects.filter(status="pooled").first()
    with schema_context(pooled.schema_name), connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_migrations WHERE app = 'sample_notes'")
        cursor.execute("DROP TABLE sample_notes_note, sample_notes_hookcall")
    call_command("migrate_schemas", schema_name=pooled.schema_name, verbosity=0)
    with schema_context(pooled.schema_name), connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('sample_notes_note') IS NOT NULL")
        assert cursor.fetchone()[0]
    from django_tenants.utils import get_tenant_model

    covered = set(
        get_tenant_model().objects.exclude(schema_name="public").values_list("schema_name", flat=True)
    )
    assert {"t_base", pooled.schema_name} <= covered  # what migrate_schemas iterates over


def test_it_refuses_to_provision_a_reserved_or_taken_subdomain(office_a):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        _provision(slug="admin")
    with pytest.raises(services.SignupError, match="already taken"):
        _provision(slug="alpha")


def _signed_up(count: int, *, at) -> None:
    """``count`` office rows created in the same minute ``at`` (rows only: the pool counts them)."""
    first = Tenant.objects.filter(slug__startswith="hist-").count()
    Tenant.objects.bulk_create(
        Tenant(schema_name=f"t_hist{n:04d}", slug=f"hist-{n}", name="Office", status="active", created=at)
        for n in range(first, first + count)
    )


def test_the_pool_is_sized_from_the_busiest_minute_of_the_last_week(db, settings):
    from datetime import timedelta

    from django.utils import timezone

    settings.PORTICO_POOL_SIZE, settings.PORTICO_POOL_MAX = 2, 12
    assert services.pool_target() == 2
    _signed_up(3, at=timezone.now() - timedelta(days=8))  # too long ago
    assert services.pool_target() == 2
    Tenant.objects.filter(slug__startswith="hist-").delete()
    _signed_up(4, at=timezone.now() - timedelta(days=2))
    assert services.pool_target() == 8
    _signed_up(9, at=timezone.now() - timedelta(hours=1))
    assert services.pool_target() == 12  # bounded


def test_a_burst_like_the_busiest_recent_one_is_served_from_the_pool(db, settings, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    settings.PORTICO_POOL_SIZE, settings.PORTICO_POOL_MAX = 2, 50
    _signed_up(10, at=timezone.now() - timedelta(days=1))  # ten in one minute yesterday
    services.pool_top_up()
    assert Tenant.objects.filter(status="pooled").count() == 20

    refills = []
    # No refill meanwhile: the pool alone serves the burst.
    monkeypatch.setattr(services, "enqueue", lambda *args, **kwargs: refills.append(args))

    def made_on_the_request_path():
        raise AssertionError("a sign-up had to make its schema")

    monkeypatch.setattr(services, "_clone_for_claim", made_on_the_request_path)
    for n in range(20):
        _provision(slug=f"burst-{n}")
    assert len(refills) == 20
    assert Tenant.objects.filter(status="pooled").count() == 0
