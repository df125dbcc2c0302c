"""``/api/v1/webhooks/``: the office's webhook endpoints, their deliveries, and the event catalogue.

Every write goes through :mod:`webhooks.services`; a URL that resolves to a private address is
refused there (400, the reason under ``errors.url``)."""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

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
from . import serializers as s
from .base import PorticoGenericView, service_errors

TAGS = ["webhooks"]

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

    def validate_event_types(self, value: list[str]) -> list[str]:
        unknown = sorted({t for t in value if t not in event_type_names()})
        if unknown:
            raise serializers.ValidationError(f"Unknown event type: {', '.join(unknown)}.")
        return value


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


class EndpointListView(PorticoGenericView):
    """The office's webhook endpoints: list and create."""

    queryset = WebhookEndpoint.objects.all()
    serializer_class = WebhookEndpointSerializer

    @extend_schema(
        operation_id="webhook_endpoints_list",
        summary="List webhook endpoints",
        description="Newest first, 50 a page (``page_size`` up to 200); follow ``next`` for the rest.",
        responses={200: WebhookEndpointSerializer(many=True), **s.error_responses(400)},
        tags=TAGS,
    )
    def get(self, request):
        return self.paginated(self.get_queryset(), WebhookEndpointSerializer)

    @extend_schema(
        operation_id="webhook_endpoints_create",
        summary="Create a webhook endpoint",
        description="Answers with the endpoint's signing ``secret``, the only time it is shown. A URL "
        "whose host resolves to a private, loopback or otherwise non-public address is refused.",
        request=WebhookEndpointWriteSerializer,
        responses={201: WebhookEndpointSecretSerializer, **s.error_responses(400)},
        tags=TAGS,
    )
    def post(self, request):
        body = WebhookEndpointWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with service_errors():
            endpoint = services.endpoint_create(**body.validated_data)
        return Response(WebhookEndpointSecretSerializer(endpoint).data, status=status.HTTP_201_CREATED)


class EndpointDetailView(PorticoGenericView):
    """One endpoint: read (without its secret), change, delete."""

    queryset = WebhookEndpoint.objects.all()
    serializer_class = WebhookEndpointSerializer

    @extend_schema(
        operation_id="webhook_endpoints_retrieve",
        summary="Get a webhook endpoint",
        responses={200: WebhookEndpointSerializer, **s.error_responses(404, model="Webhook endpoint")},
        tags=TAGS,
        parameters=[s.ROW_ID],
    )
    def get(self, request, **kwargs):
        return Response(WebhookEndpointSerializer(self.get_object()).data)

    @extend_schema(
        operation_id="webhook_endpoints_partial_update",
        summary="Change a webhook endpoint",
        description="Only the fields sent change. A new URL is checked again; ``enabled: false`` gives up "
        "the endpoint's waiting deliveries (they can be redelivered).",
        request=WebhookEndpointWriteSerializer(partial=True),
        responses={
            200: WebhookEndpointSerializer,
            **s.error_responses(400, 404, model="Webhook endpoint"),
        },
        tags=TAGS,
        parameters=[s.ROW_ID],
    )
    def patch(self, request, **kwargs):
        endpoint = self.get_object()
        body = WebhookEndpointWriteSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        with service_errors():
            _endpoint_changes(endpoint, body.validated_data)
        return Response(WebhookEndpointSerializer(self.get_object()).data)

    @extend_schema(
        operation_id="webhook_endpoints_destroy",
        summary="Delete a webhook endpoint",
        description="Deletes the endpoint with its deliveries and their log.",
        responses={204: None, **s.error_responses(404, model="Webhook endpoint")},
        tags=TAGS,
        parameters=[s.ROW_ID],
    )
    def delete(self, request, **kwargs):
        services.endpoint_delete(endpoint=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class EndpointRotateSecretView(PorticoGenericView):
    queryset = WebhookEndpoint.objects.all()
    serializer_class = WebhookEndpointSecretSerializer

    @extend_schema(
        operation_id="webhook_endpoints_rotate_secret",
        summary="Rotate an endpoint's signing secret",
        description="Answers with the new secret, the only time it is shown. For 24 hours every message "
        "is signed with the old secret too, so the receiver can switch over without losing one.",
        request=None,
        responses={200: WebhookEndpointSecretSerializer, **s.error_responses(404, model="Webhook endpoint")},
        tags=TAGS,
        parameters=[s.ROW_ID],
    )
    def post(self, request, **kwargs):
        endpoint = services.endpoint_secret_rotate(endpoint=self.get_object())
        return Response(WebhookEndpointSecretSerializer(endpoint).data)


class EndpointTestView(PorticoGenericView):
    queryset = WebhookEndpoint.objects.all()
    serializer_class = WebhookTestSerializer

    @extend_schema(
        operation_id="webhook_endpoints_test",
        summary="Send a test event",
        description=f"Sends a ``{TEST_EVENT_TYPE}`` event to this endpoint only; its delivery shows in "
        "the endpoint's deliveries. The endpoint must be enabled.",
        request=None,
        responses={202: WebhookTestSerializer, **s.error_responses(400, 404, model="Webhook endpoint")},
        tags=TAGS,
        parameters=[s.ROW_ID],
    )
    def post(self, request, **kwargs):
        endpoint = self.get_object()
        with service_errors():
            event = services.endpoint_send_test(endpoint=endpoint)
        delivery = event.deliveries.filter(endpoint=endpoint).values_list("pk", flat=True).first()
        return Response(
            {"event_id": event.pk, "type": event.type, "delivery_id": delivery},
            status=status.HTTP_202_ACCEPTED,
        )


def _deliveries():
    return WebhookDelivery.objects.select_related("event").prefetch_related(
        Prefetch("attempts", queryset=WebhookAttempt.objects.order_by("number"))
    )


class EndpointDeliveriesView(PorticoGenericView):
    queryset = WebhookEndpoint.objects.all()
    serializer_class = WebhookDeliverySerializer

    @extend_schema(
        operation_id="webhook_endpoints_deliveries",
        summary="List an endpoint's deliveries",
        description="Newest first, each with its attempts (status, duration, HTTP status, the start of "
        "the answer). Follow ``next`` for more.",
        responses={
            200: WebhookDeliverySerializer(many=True),
            **s.error_responses(400, 404, model="Webhook endpoint"),
        },
        tags=TAGS,
        parameters=[s.ROW_ID],
    )
    def get(self, request, **kwargs):
        endpoint = self.get_object()
        return self.paginated(_deliveries().filter(endpoint=endpoint), WebhookDeliverySerializer)


class DeliveryRedeliverView(PorticoGenericView):
    serializer_class = WebhookDeliverySerializer

    def get_queryset(self):
        return _deliveries()

    @extend_schema(
        operation_id="webhook_deliveries_redeliver",
        summary="Redeliver an event",
        description="A finished delivery gets a new delivery (its own log, a fresh retry schedule); a "
        "waiting one is made due now. Answers with the delivery that will be sent.",
        request=None,
        responses={
            202: WebhookDeliverySerializer,
            **s.error_responses(400, 404, model="Webhook delivery"),
        },
        tags=TAGS,
        parameters=[s.ROW_ID],
    )
    def post(self, request, **kwargs):
        delivery = self.get_object()
        with service_errors():
            again = services.delivery_redeliver(delivery=delivery)
        return Response(
            WebhookDeliverySerializer(_deliveries().get(pk=again.pk)).data, status=status.HTTP_202_ACCEPTED
        )


class EventTypesView(PorticoGenericView):
    serializer_class = WebhookEventTypeSerializer
    pagination_class = None

    @extend_schema(
        operation_id="webhook_event_types",
        summary="List the webhook event types",
        description="Every type an endpoint can subscribe to, with an example of the JSON body POSTed for "
        "it. Each request carries the Standard Webhooks headers ``webhook-id`` (the event id, the same "
        "on every retry), ``webhook-timestamp`` and ``webhook-signature``.",
        responses={
            200: OpenApiResponse(
                WebhookEventTypeSerializer(many=True),
                description="The catalogue, each type with an example body.",
                examples=[_catalogue_example()],
            ),
            **s.error_responses(),
        },
        tags=TAGS,
    )
    def get(self, request):
        return Response(WebhookEventTypeSerializer(event_types_list(), many=True).data)
