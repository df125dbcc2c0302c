"""``/api/v1/real-estate/properties/``: the office's properties and their photo galleries."""

from __future__ import annotations

from rest_framework import status

from portal_core.api.resources import (
    LIST_DESCRIPTION,
    ChangeRow,
    CreateRow,
    DeleteRow,
    ListRows,
    OfficeResource,
    PatchRow,
    RowAction,
    ShowRow,
    doc,
    errors_under,
)
from portal_core.input_guard import GuardedMultiPartParser

from .. import selectors, services
from ..models import Property, PropertyPhoto
from . import serializers as s


class PropertyView(OfficeResource):
    resource = "properties"
    InputSerializer = s.PropertyWriteSerializer
    OutputSerializer = s.PropertySerializer

    def get_queryset(self):
        return selectors.property_search()


class PropertyListView(ListRows, CreateRow, PropertyView):
    """The office's properties: list and create."""

    FilterSerializer = s.PropertyFilterSerializer
    docs = {
        "list": doc(
            "List properties", LIST_DESCRIPTION + " Each property comes with its photos, in gallery order."
        ),
        "create": doc("Create a property", "Photos are added afterwards, one upload each (``…/photos/``)."),
    }

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


class PropertyDetailView(ShowRow, ChangeRow, DeleteRow, PropertyView):
    """One property: read, replace, change, delete."""

    docs = {
        "retrieve": doc("Get a property"),
        "update": doc(
            "Replace a property",
            "Fields left out take their defaults (empty, no price, a house, available). Clients it was "
            "offered to see the change at once.",
        ),
        "partial_update": doc(
            "Change a property",
            "Only the fields sent change (``status: sold`` keeps it from being offered again).",
        ),
        "destroy": doc(
            "Delete a property",
            "Deletes the property with its photos, only if it was never offered to a client (400 "
            "otherwise: it is part of their history; mark it sold instead).",
            errors=(400,),
        ),
    }

    def change(self, row, data, actor):
        services.property_update(property=row, **data)

    def destroy(self, row, actor):
        services.property_delete(property=row)


# --- photos -------------------------------------------------------------------------------------


class PhotoView(OfficeResource):
    """A property's gallery (``properties/{id}/photos/…``)."""

    resource = "property_photos"
    parent_queryset = Property.objects.all()
    OutputSerializer = s.PropertyPhotoSerializer
    path_ids = {"id": "The property's id.", "photo_id": "The photo's id, as the gallery lists it."}

    def get_queryset(self):
        return PropertyPhoto.objects.filter(property=self.parent)


class PropertyPhotoListView(ListRows, CreateRow, PhotoView):
    """A property's gallery: list and upload."""

    parser_classes = [GuardedMultiPartParser]  # the one body that is not JSON: a file
    pagination_class = None
    InputSerializer = s.PhotoUploadSerializer
    docs = {
        "list": doc(
            "List a property's photos",
            "In gallery order (the first is the cover); not paged (a property has at most "
            f"{services.MAX_PROPERTY_PHOTOS} photos).",
        ),
        "create": doc(
            "Upload a photo",
            "Multipart form data. Added at the end of the gallery. The file's type is read from its "
            "content, not its name; it is stored re-encoded, without EXIF or location. A bad file is "
            "refused under ``errors.image`` and nothing is saved.",
        ),
    }

    def rows(self, filters):
        return self.parent.photos.all()

    def create(self, data, actor):
        with errors_under("image"):
            return services.property_photo_add(
                property=self.parent, upload=data["image"], caption=data["caption"]
            )

    def created(self, row):
        return row


class PropertyPhotoOrderView(RowAction, PhotoView):
    """The gallery in a new order."""

    action = "reorder"
    lookup_url_kwarg = "id"
    InputSerializer = s.PhotoOrderSerializer
    docs = {
        "reorder": doc(
            "Reorder a property's photos",
            "Send every photo id of the property once, in the new order; answers with the gallery in "
            "that order.",
            responses={status.HTTP_200_OK: s.PropertyPhotoSerializer(many=True)},
        )
    }

    def get_object(self):
        return self.parent

    def act(self, row, data, actor):
        with errors_under("photo_ids"):
            return services.property_photos_reorder(property=row, photo_ids=data["photo_ids"])


class PropertyPhotoDetailView(PatchRow, DeleteRow, PhotoView):
    """One photo of a property: change its caption, or delete it."""

    lookup_url_kwarg = "photo_id"
    partial = False  # the caption is the whole body
    InputSerializer = s.PhotoCaptionSerializer
    docs = {
        "partial_update": doc("Change a photo's caption"),
        "destroy": doc("Delete a photo", "The photos after it move up one place."),
    }

    def change(self, row, data, actor):
        services.property_photo_update(photo=row, caption=data["caption"])

    def destroy(self, row, actor):
        services.property_photo_delete(photo=row)
