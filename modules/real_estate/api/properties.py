"""``/api/v1/real-estate/properties/``: the office's properties and their photo galleries."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_view
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from portal_core.api.base import service_errors

from .. import selectors, services
from ..models import Property, PropertyPhoto
from . import serializers as s
from .base import (
    LIST_DESCRIPTION,
    PHOTO_ID,
    ChangeRow,
    CreateRow,
    ListRows,
    OfficeView,
    ShowRow,
    doc,
    errors_under,
    row_or_404,
)


@extend_schema_view(
    get=doc(
        "properties_list",
        "List properties",
        s.PropertySerializer(many=True),
        codes=(400,),
        description=LIST_DESCRIPTION + " Each property comes with its photos, in gallery order.",
        parameters=(s.PropertyFilterSerializer,),
    ),
    post=doc(
        "properties_create",
        "Create a property",
        s.PropertySerializer,
        codes=(400,),
        code=201,
        description="Photos are added afterwards, one upload each (``…/photos/``).",
        request=s.PropertyWriteSerializer,
    ),
)
class PropertyListView(ListRows, CreateRow, OfficeView):
    """The office's properties: list and create."""

    FilterSerializer = s.PropertyFilterSerializer
    InputSerializer = s.PropertyWriteSerializer
    OutputSerializer = serializer_class = s.PropertySerializer

    def get_queryset(self):
        return selectors.property_search()

    def rows(self, filters):
        return selectors.property_search(
            query=filters.get("search", ""),
            status=filters.get("status", ""),
            property_type=filters.get("type", ""),
            city=filters.get("city", ""),
            min_price=filters.get("min_price"),
            max_price=filters.get("max_price"),
        )

    def create(self, data, actor):
        return services.property_create(**data)


@extend_schema_view(
    get=doc("properties_retrieve", "Get a property", s.PropertySerializer, model="Property"),
    put=doc(
        "properties_update",
        "Replace a property",
        s.PropertySerializer,
        codes=(400,),
        model="Property",
        description="Fields left out take their defaults (empty, no price, a house, available). "
        "Clients it was offered to see the change at once.",
        request=s.PropertyWriteSerializer,
    ),
    patch=doc(
        "properties_partial_update",
        "Change a property",
        s.PropertySerializer,
        codes=(400,),
        model="Property",
        description="Only the fields sent change (``status: sold`` keeps it from being offered again).",
        request=s.PropertyWriteSerializer,
    ),
    delete=doc(
        "properties_destroy",
        "Delete a property",
        None,
        code=204,
        codes=(400,),
        model="Property",
        description="Deletes the property with its photos, only if it was never offered to a client "
        "(400 otherwise: it is part of their history; mark it sold instead).",
    ),
)
class PropertyDetailView(ShowRow, ChangeRow, OfficeView):
    """One property: read, replace, change, delete."""

    InputSerializer = s.PropertyWriteSerializer
    OutputSerializer = serializer_class = s.PropertySerializer

    def get_queryset(self):
        return selectors.property_search()

    def change(self, row, data):
        services.property_update(property=row, **data)

    def delete(self, request, **kwargs):
        with service_errors():
            services.property_delete(property=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- photos -------------------------------------------------------------------------------------


@extend_schema_view(
    get=doc(
        "property_photos_list",
        "List a property's photos",
        s.PropertyPhotoSerializer(many=True),
        model="Property",
        description="In gallery order (the first is the cover); not paged (a property has at most "
        f"{services.MAX_PROPERTY_PHOTOS} photos).",
    ),
    post=doc(
        "property_photos_create",
        "Upload a photo",
        s.PropertyPhotoSerializer,
        codes=(400,),
        model="Property",
        code=201,
        description="Multipart form data. Added at the end of the gallery. The file's type is read "
        "from its content, not its name; it is stored re-encoded, without EXIF or location. A bad "
        "file is refused under ``errors.image`` and nothing is saved.",
        request={"multipart/form-data": s.PhotoUploadSerializer},
    ),
)
class PropertyPhotoListView(OfficeView):
    """A property's gallery: list and upload."""

    parser_classes = [MultiPartParser, FormParser]
    pagination_class = None
    OutputSerializer = serializer_class = s.PropertyPhotoSerializer

    def get_queryset(self):
        return Property.objects.all()

    def get(self, request, **kwargs):
        return Response(self.OutputSerializer(self.get_object().photos.all(), many=True).data)

    def post(self, request, **kwargs):
        prop = self.get_object()
        body = s.PhotoUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with service_errors(), errors_under("image"):
            photo = services.property_photo_add(
                property=prop, upload=body.validated_data["image"], caption=body.validated_data["caption"]
            )
        return Response(self.OutputSerializer(photo).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    post=doc(
        "property_photos_reorder",
        "Reorder a property's photos",
        s.PropertyPhotoSerializer(many=True),
        codes=(400,),
        model="Property",
        description="Send every photo id of the property once, in the new order; answers with the "
        "gallery in that order.",
        request=s.PhotoOrderSerializer,
    )
)
class PropertyPhotoOrderView(OfficeView):
    OutputSerializer = serializer_class = s.PropertyPhotoSerializer

    def get_queryset(self):
        return Property.objects.all()

    def post(self, request, **kwargs):
        prop = self.get_object()
        body = s.PhotoOrderSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with service_errors(), errors_under("photo_ids"):
            photos = services.property_photos_reorder(
                property=prop, photo_ids=body.validated_data["photo_ids"]
            )
        return Response(self.OutputSerializer(photos, many=True).data)


@extend_schema_view(
    patch=doc(
        "property_photos_partial_update",
        "Change a photo's caption",
        s.PropertyPhotoSerializer,
        codes=(400,),
        model="Property photo",
        parameters=(PHOTO_ID,),
        request=s.PhotoCaptionSerializer,
    ),
    delete=doc(
        "property_photos_destroy",
        "Delete a photo",
        None,
        code=204,
        model="Property photo",
        parameters=(PHOTO_ID,),
        description="The photos after it move up one place.",
    ),
)
class PropertyPhotoDetailView(OfficeView):
    """One photo of a property: change its caption, or delete it."""

    OutputSerializer = serializer_class = s.PropertyPhotoSerializer

    def get_queryset(self):
        return Property.objects.all()

    def get_object(self):
        photos = PropertyPhoto.objects.filter(property=super().get_object())
        return row_or_404(photos, self.kwargs["photo_id"])

    def patch(self, request, **kwargs):
        photo = self.get_object()
        body = s.PhotoCaptionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with service_errors():
            photo = services.property_photo_update(photo=photo, caption=body.validated_data["caption"])
        return Response(self.OutputSerializer(photo).data)

    def delete(self, request, **kwargs):
        services.property_photo_delete(photo=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
