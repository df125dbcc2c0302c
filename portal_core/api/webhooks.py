"""``/api/v1/webhooks/``: the office's webhook endpoints, their deliveries, and the event catalogue.

Every write goes through :mod:`webhooks.services`; a URL that resolves to a private address is
refused there (400, the reason under ``errors.url``)."""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework import serializers, status

from webhooks import services
from webhooks.catalogue import (
    TEST_EVENT_DESCRIPTION,
    TEST_EVENT_EXAMPLE,
    TEST_EVENT_TYPE,
    event_catalogue,
    event_type_names,
)
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

from .. import events
from .resources import (
    LIST_DESCRIPTION,
    CreateRow,
    DeleteRow,
    ListRows,
    OfficeResource,
    PatchRow,
    RowAction,
    ShowRow,
    doc,
)

# --- serializers --------------------------------------------------------------------------------


class WebhookEndpointSerializer(serializers.ModelSerializer):
    event_types = serializers.ListField(
        child=serializers.CharField(), help_text="The event types it receives; empty means every type."
    )

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "url",
            "description",
            "event_types",
            "enabled",
            "disabled_reason",
            "failing_since",
            "created",
            "updated",
        ]
        read_only_fields = fields
        ref_name = "WebhookEndpoint"


class WebhookEndpointSecretSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(
        read_only=True, help_text="The signing secret (``whsec_…``): shown only now, keep it safe."
    )

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]
        read_only_fields = fields
        ref_name = "WebhookEndpointWithSecret"


class WebhookEndpointWriteSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=2000, help_text="An http:// or https:// URL on a public address.")
    description = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    event_types = serializers.ListField(
        child=serializers.CharField(max_length=100),
        required=False,
        default=list,
        help_text="Event types to receive (see ``/api/v1/webhooks/event-types/``); empty means every type.",
    )
    enabled = serializers.BooleanField(required=False, default=True)

    class Meta:
        ref_name = "WebhookEndpointWrite"

    def get_fields(self):
        # The catalogue's names, as an enum: read when the serializer is made, once every module's
        # types are registered.
        fields = super().get_fields()
        names = sorted(event_type_names())
        unknown = {"invalid_choice": "Unknown event type: {input}."}
        fields["event_types"] = serializers.ListField(
            child=serializers.ChoiceField(choices=names, error_messages=unknown),
            required=False,
            default=list,
            help_text=fields["event_types"].help_text,
        )
        return fields


class WebhookAttemptSerializer(serializers.ModelSerializer):
    status = serializers.SerializerMethodField()

    class Meta:
        model = WebhookAttempt
        fields = ["number", "status", "started", "duration_ms", "status_code", "response_excerpt", "error"]
        read_only_fields = fields
        ref_name = "WebhookAttempt"

    def get_status(self, attempt: WebhookAttempt) -> str:
        return "succeeded" if attempt.succeeded else "failed"


class WebhookDeliverySerializer(serializers.ModelSerializer):
    event_id = serializers.CharField(read_only=True)
    event_type = serializers.CharField(source="event.type", read_only=True)
    attempts = WebhookAttemptSerializer(many=True, read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "endpoint",
            "event_id",
            "event_type",
            "status",
            "attempt_count",
            "next_attempt_at",
            "created",
            "finished_at",
            "redelivery_of",
            "attempts",
        ]
        read_only_fields = fields
        ref_name = "WebhookDelivery"


class WebhookTestSerializer(serializers.Serializer):
    event_id = serializers.CharField()
    type = serializers.CharField()
    delivery_id = serializers.IntegerField(allow_null=True)

    class Meta:
        ref_name = "WebhookTestSent"


class WebhookEventTypeSerializer(serializers.Serializer):
    type = serializers.CharField()
    description = serializers.CharField()
    module = serializers.CharField(help_text="The module that sends it; empty for the core's events.")
    example = serializers.DictField(
        help_text="An example body, as POSTed: ``type``, ``timestamp`` (ISO 8601, UTC) and ``data``."
    )

    class Meta:
        ref_name = "WebhookEventType"


# --- the catalogue ------------------------------------------------------------------------------

EXAMPLE_TIMESTAMP = "2025-01-31T09:31:00.123456Z"


def event_types_list() -> list[dict]:
    """The catalogue (and the test event), each with an example body: the ``data`` its emitter
    registered as an example, else ``{"id": 1}``."""
    rows = [(t.name, t.description, t.module, t.example) for t in event_catalogue()]
    rows.append((TEST_EVENT_TYPE, TEST_EVENT_DESCRIPTION, "", TEST_EVENT_EXAMPLE))
    return [
        {
            "type": name,
            "description": description,
            "module": module,
            "example": {"type": name, "timestamp": EXAMPLE_TIMESTAMP, "data": example or {"id": 1}},
        }
        for name, description, module, example in rows
    ]


def _catalogue_example() -> OpenApiExample:
    """The core's part of the catalogue (module types are added at run time, as modules load)."""
    rows = [*events.EVENT_EXAMPLES.items(), (TEST_EVENT_TYPE, TEST_EVENT_EXAMPLE)]
    value = [
        {
            "type": name,
            "description": events.EVENT_TYPES.get(name, TEST_EVENT_DESCRIPTION),
            "module": "",
            "example": {"type": name, "timestamp": EXAMPLE_TIMESTAMP, "data": data},
        }
        for name, data in rows
    ]
    return OpenApiExample("catalogue", summary="The core's event types", value=value, response_only=True)


# --- views --------------------------------------------------------------------------------------


def _endpoint_changes(endpoint: WebhookEndpoint, data: dict) -> None:
    services.endpoint_update(
        endpoint=endpoint,
        url=data.get("url"),
        description=data.get("description"),
        event_types=data.get("event_types"),
    )
    if data.get("enabled") is True and not endpoint.enabled:
        services.endpoint_enable(endpoint=endpoint)
    elif data.get("enabled") is False and endpoint.enabled:
        services.endpoint_disable(endpoint=endpoint)


def _deliveries():
    return WebhookDelivery.objects.select_related("event").prefetch_related(
        Prefetch("attempts", queryset=WebhookAttempt.objects.order_by("number"))
    )


class WebhookView(OfficeResource):
    tags = ["webhooks"]


class EndpointView(WebhookView):
    resource = "webhook_endpoints"
    InputSerializer = WebhookEndpointWriteSerializer
    OutputSerializer = WebhookEndpointSerializer

    def get_queryset(self):
        return WebhookEndpoint.objects.all()


class EndpointListView(ListRows, CreateRow, EndpointView):
    """The office's webhook endpoints: list and create."""

    CreatedSerializer = WebhookEndpointSecretSerializer  # the secret is shown once, when made
    docs = {
        "list": doc("List webhook endpoints", LIST_DESCRIPTION),
        "create": doc(
            "Create a webhook endpoint",
            "Answers with the endpoint's signing ``secret``, the only time it is shown. A URL whose host "
            "resolves to a private, loopback or otherwise non-public address is refused.",
        ),
    }

    def create(self, data, actor):
        return services.endpoint_create(**data)

    def created(self, row):
        return row  # it carries the secret


class EndpointDetailView(ShowRow, PatchRow, DeleteRow, EndpointView):
    """One endpoint: read (without its secret), change, delete."""

    docs = {
        "retrieve": doc("Get a webhook endpoint"),
        "partial_update": doc(
            "Change a webhook endpoint",
            "Only the fields sent change. A new URL is checked again; ``enabled: false`` gives up the "
            "endpoint's waiting deliveries (they can be redelivered).",
        ),
        "destroy": doc(
            "Delete a webhook endpoint", "Deletes the endpoint with its deliveries and their log."
        ),
    }

    def change(self, row, data, actor):
        _endpoint_changes(row, data)

    def destroy(self, row, actor):
        services.endpoint_delete(endpoint=row)


class EndpointRotateSecretView(RowAction, EndpointView):
    action = "rotate_secret"
    InputSerializer = None
    OutputSerializer = WebhookEndpointSecretSerializer
    docs = {
        "rotate_secret": doc(
            "Rotate an endpoint's signing secret",
            "Answers with the new secret, the only time it is shown. For 24 hours every message is signed "
            "with the old secret too, so the receiver can switch over without losing one.",
        )
    }

    def act(self, row, data, actor):
        return services.endpoint_secret_rotate(endpoint=row)


class EndpointTestView(RowAction, EndpointView):
    action = "test"
    action_status = status.HTTP_202_ACCEPTED
    InputSerializer = None
    OutputSerializer = WebhookTestSerializer
    docs = {
        "test": doc(
            "Send a test event",
            f"Sends a ``{TEST_EVENT_TYPE}`` event to this endpoint only; its delivery shows in the "
            "endpoint's deliveries. The endpoint must be enabled.",
            errors=(400,),
        )
    }

    def act(self, row, data, actor):
        event = services.endpoint_send_test(endpoint=row)
        delivery = event.deliveries.filter(endpoint=row).values_list("pk", flat=True).first()
        return {"event_id": event.pk, "type": event.type, "delivery_id": delivery}


class EndpointDeliveriesView(ListRows, WebhookView):
    """An endpoint's deliveries, newest first."""

    resource = "webhook_endpoint_deliveries"
    parent_queryset = WebhookEndpoint.objects.all()
    OutputSerializer = WebhookDeliverySerializer
    docs = {
        "list": doc(
            "List an endpoint's deliveries",
            "Newest first, each with its attempts (status, duration, HTTP status, the start of the "
            "answer). Follow ``next`` for more.",
        )
    }

    def get_queryset(self):
        return _deliveries().filter(endpoint=self.parent)


class DeliveryRedeliverView(RowAction, WebhookView):
    resource = "webhook_deliveries"
    action = "redeliver"
    action_status = status.HTTP_202_ACCEPTED
    OutputSerializer = WebhookDeliverySerializer
    docs = {
        "redeliver": doc(
            "Redeliver an event",
            "A finished delivery gets a new delivery (its own log, a fresh retry schedule); a waiting one "
            "is made due now. Answers with the delivery that will be sent.",
            errors=(400,),
        )
    }

    def get_queryset(self):
        return _deliveries()

    def act(self, row, data, actor):
        return _deliveries().get(pk=services.delivery_redeliver(delivery=row).pk)


class EventTypesView(ListRows, WebhookView):
    resource = "webhook_event_types"
    pagination_class = None
    OutputSerializer = WebhookEventTypeSerializer
    docs = {
        "list": doc(
            "List the webhook event types",
            "Every type an endpoint can subscribe to, with an example of the JSON body POSTed for it. "
            "Each request carries the Standard Webhooks headers ``webhook-id`` (the event id, the same on "
            "every retry), ``webhook-timestamp`` and ``webhook-signature``.",
            responses={
                200: OpenApiResponse(
                    WebhookEventTypeSerializer(many=True),
                    description="The catalogue, each type with an example body.",
                    examples=[_catalogue_example()],
                )
            },
        )
    }

    def rows(self, filters):
        return event_types_list()
