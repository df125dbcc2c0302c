"""Module signals: a module's receivers run only for offices where it is switched on, after the core's."""

import pytest
from django_tenants.utils import tenant_context

from portal_core.services import module_disable, module_enable
from portal_core.signals import ModuleSignal
from tests.sample_module import receivers

heard = receivers.heard


def core_receiver(sender, *, label: str, **kwargs) -> str:
    heard.append(f"core:{label}")
    return "core"


@pytest.fixture
def ping():
    signal = ModuleSignal()
    # The module's receiver is connected first: the core's must still run before it.
    signal.connect(receivers.on_ping, dispatch_uid="test_ping_notes")
    signal.connect(core_receiver, dispatch_uid="test_ping_core")
    heard.clear()
    yield signal
    heard.clear()


def test_it_does_not_run_a_modules_receiver_for_an_office_with_the_module_off(office_a, ping):
    with tenant_context(office_a.tenant):
        module_disable(key="notes")
        responses = ping.send(sender=None, label="off")
    assert heard == ["core:off"]
    assert [response for _receiver, response in responses] == ["core"]


def test_it_runs_the_core_first_then_the_module_where_it_is_on(office_a, office_b, ping):
    with tenant_context(office_a.tenant):
        module_enable(key="notes")
        ping.send(sender=None, label="alpha")
    with tenant_context(office_b.tenant):
        module_disable(key="notes")
        ping.send(sender=None, label="bravo")
    assert heard == ["core:alpha", "notes:alpha", "core:bravo"]


def test_it_applies_the_same_rule_to_send_robust(office_a, ping):
    with tenant_context(office_a.tenant):
        module_enable(key="notes")
        on = [response for _receiver, response in ping.send_robust(sender=None, label="on")]
        module_disable(key="notes")
        off = [response for _receiver, response in ping.send_robust(sender=None, label="off")]
    assert on == ["core", "notes"] and off == ["core"]
