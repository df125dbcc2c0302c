"""Every write of the real-estate module. Office pages, client pages, the API and tasks all call
these, so each business action has one path: it validates (raising ``ValidationError`` with a
message the client or the office can read, or ``PermissionDenied`` when a client touches what is
not theirs), changes the rows in one transaction, writes an activity entry on the contact
(``module="real_estate"``, a verb of ``activity.ACTIVITY_KINDS`` with its parameters), emits its webhook event
in the same transaction (payloads in ``payloads``; see ``events``) and queues its emails.

Client actions take the signed-in ``account`` (``request.client``); office actions take ``actor``,
the staff member's (or API key's) label for the activity log.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal_core.activity import activity_record
from portal_core.emails import supported_language
from portal_core.models import ActivityEntry, Contact, PortalAccount
from portal_core.time_zones import office_localtime
from webhooks.services import event_emit

from . import notifications
from .models import (
    AgentMessage,
    Deal,
    Feedback,
    FeedbackPhoto,
    FeedbackVoiceNote,
    OfferedProperty,
    Property,
    PropertyPhoto,
    RejectionReason,
    Viewing,
    ViewingSlot,
)
from .payloads import feedback_payload, message_payload, offer_payload, viewing_payload
from .uploads import file_delete_on_commit, files_saved_atomically, photo_checked, voice_note_checked

MODULE = "real_estate"
MAX_PROPERTY_PHOTOS = 60
MAX_VIEWING_SLOTS = 3
VIEWING_HORIZON = timedelta(days=366)
MAX_FEEDBACK_PHOTOS = 10
MAX_FEEDBACK_VOICE_NOTES = 3
MAX_MESSAGE_LENGTH = 5000

Interest = OfferedProperty.Interest
ViewingStatus = Viewing.Status
Party = Viewing.Party


# --- shared steps -------------------------------------------------------------------------------


def _client_text(contact: Contact, text, **params) -> str:
    """``text`` (a lazy translation) in the contact's language (a message subject they will read)."""
    with translation.override(supported_language(contact.language)):
        return str(text) % params if params else str(text)


def _record(
    *,
    contact: Contact,
    verb: str,
    account: PortalAccount | None = None,
    actor: str = "",
    data: dict | None = None,
    visible_to_client: bool = True,
    **params,
) -> ActivityEntry:
    """An activity entry by the client (``account`` given) or the office: ``verb`` (one of
    ``activity.ACTIVITY_KINDS``) with ``params``, rendered in the reader's language when shown."""
    return activity_record(
        contact=contact,
        account=account,
        verb=verb,
        params=params,
        actor=ActivityEntry.Actor.CLIENT if account is not None else ActivityEntry.Actor.STAFF,
        actor_label=actor if account is None else "",
        data=data or {},
        module=MODULE,
        visible_to_client=visible_to_client,
    )


def _client_owns(account: PortalAccount, offer: OfferedProperty) -> None:
    """Refuse a client acting on another client's offer (or with a disabled account)."""
    if account is None or not account.is_usable or account.contact_id != offer.deal.contact_id:
        raise PermissionDenied(_("This property was not offered to you."))


def _offer_locked(offer: OfferedProperty) -> OfferedProperty:
    """The offer, locked for the rest of the transaction, with its deal and property."""
    return (
        OfferedProperty.objects.select_for_update(of=("self",))
        .select_related("deal__contact", "property")
        .get(pk=offer.pk)
    )


def _viewing_locked(viewing: Viewing) -> Viewing:
    return (
        Viewing.objects.select_for_update(of=("self",))
        .select_related("offered__deal__contact", "offered__property")
        .get(pk=viewing.pk)
    )


def _aware(value: datetime) -> datetime:
    if not isinstance(value, datetime):
        raise ValidationError(_("Give a date and a time."))
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _office_time(value: datetime) -> str:
    """A time for a note to the office, in its time zone (also when the API, in UTC, acted)."""
    local = office_localtime(value)
    return f"{local:%Y-%m-%d %H:%M} ({local.tzinfo.key})"


def _future(value: datetime, *, now: datetime) -> datetime:
    value = _aware(value)
    if value <= now:
        raise ValidationError(_("Choose a date and time in the future."))
    if value > now + VIEWING_HORIZON:
        raise ValidationError(_("Choose a date within the next year."))
    return value


# --- properties ---------------------------------------------------------------------------------

PROPERTY_FIELDS = (
    "title",
    "street",
    "postal_code",
    "city",
    "country",
    "latitude",
    "longitude",
    "price",
    "currency",
    "property_type",
    "rooms",
    "bedrooms",
    "living_area",
    "plot_area",
    "features",
    "description",
    "energy_label",
    "status",
)


def property_create(
    *,
    title: str,
    street: str = "",
    postal_code: str = "",
    city: str = "",
    country: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    price: Decimal | None = None,
    currency: str = "EUR",
    property_type: str = Property.Type.HOUSE,
    rooms: int | None = None,
    bedrooms: int | None = None,
    living_area: int | None = None,
    plot_area: int | None = None,
    features: Sequence[str] | None = None,
    description: str = "",
    energy_label: str = "",
    status: str = Property.Status.AVAILABLE,
) -> Property:
    """A new property (validated: coordinates in range and given together, bedrooms within rooms,
    a three-letter currency, features a list of distinct texts, known type, label and status)."""
    prop = Property(
        title=title.strip(),
        street=street.strip(),
        postal_code=postal_code.strip(),
        city=city.strip(),
        country=country.strip(),
        latitude=latitude,
        longitude=longitude,
        price=price,
        currency=currency,
        property_type=property_type,
        rooms=rooms,
        bedrooms=bedrooms,
        living_area=living_area,
        plot_area=plot_area,
        features=list(features or []),
        description=description.strip(),
        energy_label=energy_label,
        status=status,
    )
    prop.full_clean()
    prop.save()
    return prop


def property_update(*, property: Property, **fields) -> Property:  # noqa: A002 - the product's word
    """Change any of ``PROPERTY_FIELDS`` (validated as in ``property_create``)."""
    unknown = set(fields) - set(PROPERTY_FIELDS)
    if unknown:
        raise ValueError(f"Not a property field: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        if isinstance(value, str) and name not in ("description",):
            value = value.strip()
        setattr(property, name, value)
    property.full_clean()
    property.save()
    return property


def property_delete(*, property: Property) -> None:  # noqa: A002
    """Delete a property that was never offered, with its photos (their files go once the deletion
    has committed). An offered one is part of its clients' history: it stays, and can be marked sold."""
    with transaction.atomic():
        locked = Property.objects.select_for_update().get(pk=property.pk)  # an offer made meanwhile waits
        if locked.offers.exists():
            raise ValidationError(
                _(
                    "This property has been offered to a client, so it cannot be deleted. "
                    "Mark it sold instead."
                )
            )
        for photo in locked.photos.all():
            file_delete_on_commit(photo.image)
            if photo.thumbnail:
                file_delete_on_commit(photo.thumbnail)
        locked.delete()


def property_photo_add(*, property: Property, upload, caption: str = "") -> PropertyPhoto:  # noqa: A002
    """Add a photo at the end of the property's gallery. The upload is checked by content, size and
    pixel count and stored re-encoded, without EXIF (so without a location), with a small copy."""
    return property_photos_add(property=property, uploads=[upload], captions=[caption], named=False)[0]


def property_photos_add(
    *,
    property: Property,  # noqa: A002
    uploads: Sequence,
    captions: Sequence[str] = (),
    named: bool = True,
) -> list[PropertyPhoto]:
    """Add several photos at the end of the gallery, all or none: every upload is checked first
    (with ``named``, an error starts with the file's name), then every file and row is written in
    one transaction whose failure deletes the files it wrote."""
    if property.photos.count() + len(uploads) > MAX_PROPERTY_PHOTOS:
        raise ValidationError(_("A property can have at most %(max)d photos.") % {"max": MAX_PROPERTY_PHOTOS})
    checked = []
    for upload in uploads:
        try:
            checked.append(photo_checked(upload))
        except ValidationError as exc:
            if not named:
                raise
            name = getattr(upload, "name", "") or _("photo")
            raise ValidationError([f"{name}: {message}" for message in exc.messages]) from exc
    added = []
    with files_saved_atomically() as save:
        Property.objects.select_for_update().filter(pk=property.pk).first()
        last = property.photos.aggregate(last=Max("position"))["last"]
        position = 0 if last is None else last + 1
        for index, photo_file in enumerate(checked):
            caption = captions[index] if index < len(captions) else ""
            photo = PropertyPhoto(
                property=property,
                caption=caption.strip()[:200],
                width=photo_file.width,
                height=photo_file.height,
                position=position + index,
            )
            save(photo.image, "photo.jpg", photo_file.content)
            if photo_file.thumbnail is not None:
                save(photo.thumbnail, "photo.jpg", photo_file.thumbnail)
            photo.full_clean()
            photo.save()
            added.append(photo)
    return added


def property_photo_update(*, photo: PropertyPhoto, caption: str) -> PropertyPhoto:
    """Change a photo's caption."""
    photo.caption = caption.strip()
    photo.full_clean()
    photo.save(update_fields=["caption"])
    return photo


def property_photos_reorder(*, property: Property, photo_ids: Sequence[int]) -> list[PropertyPhoto]:  # noqa: A002
    """Put the gallery in the order of ``photo_ids``, which must name each of its photos once."""
    with transaction.atomic():
        photos = {p.pk: p for p in PropertyPhoto.objects.select_for_update().filter(property=property)}
        ids = [int(pk) for pk in photo_ids]
        if len(ids) != len(set(ids)) or set(ids) != set(photos):
            raise ValidationError(_("The new order must list each photo of this property exactly once."))
        for position, pk in enumerate(ids):
            photos[pk].position = position
        PropertyPhoto.objects.bulk_update(photos.values(), ["position"])
    return [photos[pk] for pk in ids]


def property_photo_delete(*, photo: PropertyPhoto) -> None:
    """Remove a photo (its file goes once the removal has committed); the rest close up."""
    with transaction.atomic():
        file_delete_on_commit(photo.image)
        if photo.thumbnail:
            file_delete_on_commit(photo.thumbnail)
        prop_id = photo.property_id
        photo.delete()
        rest = list(PropertyPhoto.objects.select_for_update().filter(property_id=prop_id))
        for position, remaining in enumerate(rest):
            remaining.position = position
        PropertyPhoto.objects.bulk_update(rest, ["position"])


# --- deals and offers ---------------------------------------------------------------------------


def deal_create(*, contact: Contact, title: str, notes: str = "", actor: str = "") -> Deal:
    """Open a deal for ``contact``: the file through which properties are offered to them."""
    deal = Deal(contact=contact, title=title.strip(), notes=notes.strip())
    deal.full_clean()
    deal.save()
    _record(
        contact=contact,
        verb="deal_created",
        title=deal.title,
        actor=actor,
        data={"deal_id": deal.pk},
        visible_to_client=False,
    )
    return deal


def deal_update(
    *, deal: Deal, title: str | None = None, notes: str | None = None, status: str | None = None
) -> Deal:
    """Rename the deal, change its notes, or close it (``won`` / ``lost``: no more offers on it)."""
    if title is not None:
        deal.title = title.strip()
    if notes is not None:
        deal.notes = notes.strip()
    if status is not None:
        deal.status = status
    deal.full_clean()
    deal.save()
    return deal


def property_offer(*, deal: Deal, property: Property, actor: str = "") -> OfferedProperty:  # noqa: A002
    """Offer a property to the deal's contact: it is in their portal at once, marked new.

    Refused when the deal is closed, the property is sold, or the contact already has it (through
    this deal or another). Event ``real_estate.property_offered``."""
    if deal.status != Deal.Status.OPEN:
        raise ValidationError(_("This deal is closed; reopen it to offer properties."))
    if not property.is_offerable:
        raise ValidationError(_("This property is sold and cannot be offered."))
    if OfferedProperty.objects.filter(deal__contact_id=deal.contact_id, property=property).exists():
        raise ValidationError(_("This property has already been offered to this client."))
    with transaction.atomic():
        try:
            with transaction.atomic():
                offer = OfferedProperty.objects.create(deal=deal, property=property)
        except IntegrityError as exc:  # offered at the same moment by someone else
            raise ValidationError(_("This property has already been offered to this client.")) from exc
        offer = OfferedProperty.objects.select_related("deal__contact", "property").get(pk=offer.pk)
        _record(
            contact=deal.contact,
            verb="property_offered",
            title=property.title,
            actor=actor,
            data={"offer_id": offer.pk, "property_id": property.pk, "deal_id": deal.pk},
        )
        event_emit(
            type="real_estate.property_offered", data={"offer": offer_payload(offer), "offered_by": actor}
        )
    return offer


def offered_property_seen(*, offer: OfferedProperty, account: PortalAccount) -> OfferedProperty:
    """The client opened the property: it is no longer new to them. Idempotent; no event."""
    _client_owns(account, offer)
    if offer.seen_at is None:
        now = timezone.now()
        OfferedProperty.objects.filter(pk=offer.pk, seen_at__isnull=True).update(seen_at=now)
        offer.seen_at = now
    return offer


def interest_set(
    *,
    offer: OfferedProperty,
    account: PortalAccount,
    interest: str,
    reasons: Iterable[str] = (),
    note: str = "",
) -> OfferedProperty:
    """The client's “Interested” (``interest="interested"``) or “Not interested”
    (``"rejected"``, with at least one of ``RejectionReason`` and an optional note).

    Saying the same again changes nothing. Event ``real_estate.interest_changed``."""
    _client_owns(account, offer)
    if interest not in (Interest.INTERESTED, Interest.REJECTED):
        raise ValidationError(_("Choose “Interested” or “Not interested”."))
    chosen = list(dict.fromkeys(reasons or ()))
    note = (note or "").strip()
    if interest == Interest.REJECTED:
        unknown = [r for r in chosen if r not in RejectionReason.values]
        if unknown:
            raise ValidationError(
                {"reasons": _("Unknown reason: %(reason)s.") % {"reason": ", ".join(unknown)}}
            )
        if not chosen:
            raise ValidationError(
                {"reasons": _("Tell us at least one reason why this property is not for you.")}
            )
        chosen = [r for r in RejectionReason.values if r in chosen]
    else:
        chosen, note = [], ""
    with transaction.atomic():
        offer = _offer_locked(offer)
        if offer.interest == interest and offer.rejection_reasons == chosen and offer.rejection_note == note:
            return offer
        previous = offer.interest
        now = timezone.now()
        offer.interest, offer.rejection_reasons, offer.rejection_note = interest, chosen, note
        offer.interest_changed_at = now
        offer.seen_at = offer.seen_at or now
        offer.full_clean()
        offer.save()
        title = offer.property.title
        _record(
            contact=offer.deal.contact,
            account=account,
            verb="interest_changed",
            title=title,
            interest="interested" if interest == Interest.INTERESTED else "not_interested",
            data={"offer_id": offer.pk, "interest": interest, "reasons": chosen},
        )
        event_emit(
            type="real_estate.interest_changed",
            data={
                "offer": offer_payload(offer),
                "previous_interest": previous,
                "rejection_reasons": chosen,
                "rejection_note": note,
            },
        )
    return offer


def favourite_set(*, offer: OfferedProperty, account: PortalAccount, favourite: bool) -> OfferedProperty:
    """Add the property to the client's favourites, or take it off. Activity only, no event."""
    _client_owns(account, offer)
    with transaction.atomic():
        offer = _offer_locked(offer)
        if offer.favourite == bool(favourite):
            return offer
        offer.favourite = bool(favourite)
        offer.seen_at = offer.seen_at or timezone.now()
        offer.save(update_fields=["favourite", "seen_at"])
        title = offer.property.title
        _record(
            contact=offer.deal.contact,
            account=account,
            verb="favourite_changed",
            title=title,
            change="added" if favourite else "removed",
            data={"offer_id": offer.pk, "favourite": offer.favourite},
        )
    return offer


def property_approve(*, offer: OfferedProperty, approved_by=None, actor: str = "") -> OfferedProperty:
    """After a viewing, the office approves the property for the client (the “Approved” group).

    Needs a visited viewing and a client who has not rejected it; approving twice changes nothing.
    Event ``real_estate.property_approved``."""
    with transaction.atomic():
        offer = _offer_locked(offer)
        if offer.approved_at is not None:
            return offer
        if offer.visited_at is None:
            raise ValidationError(_("A property can be approved only after a viewing has taken place."))
        if offer.interest == Interest.REJECTED:
            raise ValidationError(_("The client is not interested in this property."))
        offer.approved_at = timezone.now()
        offer.approved_by = approved_by
        offer.save(update_fields=["approved_at", "approved_by"])
        actor = actor or (getattr(approved_by, "email", "") or "")
        _record(
            contact=offer.deal.contact,
            verb="property_approved",
            title=offer.property.title,
            actor=actor,
            data={"offer_id": offer.pk},
        )
        event_emit(
            type="real_estate.property_approved", data={"offer": offer_payload(offer), "approved_by": actor}
        )
    return offer


# --- viewings -----------------------------------------------------------------------------------


def viewing_slots_clean(slots: Iterable[datetime], *, now: datetime | None = None) -> list[datetime]:
    """1 to 3 distinct date-times in the future (within a year), sorted; else a clear error."""
    now = now or timezone.now()
    try:
        cleaned = sorted(_future(slot, now=now) for slot in slots or ())
    except ValidationError as exc:
        raise ValidationError({"slots": exc.messages}) from exc
    if not cleaned:
        raise ValidationError({"slots": _("Choose at least one date and time for the viewing.")})
    if len(cleaned) > MAX_VIEWING_SLOTS:
        raise ValidationError(
            {"slots": _("Choose at most %(max)d dates and times.") % {"max": MAX_VIEWING_SLOTS}}
        )
    if len(set(cleaned)) != len(cleaned):
        raise ValidationError({"slots": _("Choose different dates and times: two of them are the same.")})
    return cleaned


def viewing_request(
    *, offer: OfferedProperty, account: PortalAccount, slots: Iterable[datetime], note: str = ""
) -> Viewing:
    """The client asks to view the property at one of 1 to 3 preferred future times.

    Refused when the property is sold, the client rejected it, or a viewing of it is already
    requested, proposed or confirmed. The client gets an email with their times and the office is
    told. Event ``real_estate.viewing_requested``."""
    _client_owns(account, offer)
    cleaned = viewing_slots_clean(slots)
    with transaction.atomic():
        offer = _offer_locked(offer)
        if not offer.property.is_offerable:
            raise ValidationError(_("This property has been sold."))
        if offer.interest == Interest.REJECTED:
            raise ValidationError(
                _("You marked this property “Not interested”. Change that first to ask for a viewing.")
            )
        if offer.viewings.active().exists():
            raise ValidationError(
                _("A viewing of this property is already planned or waiting for confirmation.")
            )
        viewing = Viewing.objects.create(offered=offer, requested_by=account, note=(note or "").strip())
        ViewingSlot.objects.bulk_create([ViewingSlot(viewing=viewing, start=start) for start in cleaned])
        offer.seen_at = offer.seen_at or timezone.now()
        offer.save(update_fields=["seen_at"])
        viewing.offered = offer
        title = offer.property.title
        _record(
            contact=offer.deal.contact,
            account=account,
            verb="viewing_requested",
            title=title,
            data={"offer_id": offer.pk, "viewing_id": viewing.pk},
        )
        event_emit(
            type="real_estate.viewing_requested",
            data={"viewing": viewing_payload(viewing), "offer": offer_payload(offer)},
        )
        notifications.viewing_email_queue(viewing=viewing, kind="real_estate.viewing_requested")
        notifications.office_notify(
            contact=offer.deal.contact,
            subject=f"Viewing requested: {title}",
            body=f"{offer.deal.contact.full_name} asked to view {title} at one of these times:\n"
            + "\n".join(f"- {_office_time(start)}" for start in cleaned)
            + (f"\n\nNote: {viewing.note}" if viewing.note else ""),
        )
    return viewing


def viewing_confirm(*, viewing: Viewing, start: datetime, actor: str = "") -> Viewing:
    """The office answers a request: ``start`` one of the client's times confirms the viewing
    (event ``real_estate.viewing_confirmed``); any other future time is proposed to the client, who
    accepts it with ``viewing_proposal_accept`` (event ``real_estate.viewing_proposed``). Either way
    the client is emailed."""
    start = _aware(start)
    with transaction.atomic():
        viewing = _viewing_locked(viewing)
        if viewing.status not in (ViewingStatus.REQUESTED, ViewingStatus.PROPOSED):
            raise ValidationError(_("Only a requested viewing can be confirmed."))
        if start in {slot.start for slot in viewing.slots.all()}:
            if start <= timezone.now():
                raise ValidationError(_("This time has passed: propose another one."))
            return _viewing_confirmed(viewing, start=start, by=Party.OFFICE, actor=actor)
        return _viewing_proposed(viewing, start=_future(start, now=timezone.now()), actor=actor)


def _viewing_proposed(viewing: Viewing, *, start: datetime, actor: str) -> Viewing:
    viewing.status = ViewingStatus.PROPOSED
    viewing.proposed_start = start
    viewing.save(update_fields=["status", "proposed_start", "updated"])
    _viewing_changed(
        viewing,
        verb="viewing_proposed",
        actor=actor,
        event="real_estate.viewing_proposed",
        email="real_estate.viewing_proposed",
    )
    return viewing


def viewing_proposal_accept(*, viewing: Viewing, account: PortalAccount) -> Viewing:
    """The client accepts the time the office proposed: the viewing is confirmed (event
    ``real_estate.viewing_confirmed``, confirmed by the client; the office is told)."""
    _client_owns(account, viewing.offered)
    with transaction.atomic():
        viewing = _viewing_locked(viewing)
        if viewing.status != ViewingStatus.PROPOSED:
            raise ValidationError(_("There is no proposed time to accept for this viewing."))
        if viewing.proposed_start <= timezone.now():
            raise ValidationError(_("The proposed time has passed. Please ask for a new viewing."))
        viewing = _viewing_confirmed(viewing, start=viewing.proposed_start, by=Party.CLIENT, account=account)
        title = viewing.offered.property.title
        notifications.office_notify(
            contact=viewing.offered.deal.contact,
            subject=f"Viewing time accepted: {title}",
            body=f"{viewing.offered.deal.contact.full_name} accepted the viewing of {title} on "
            f"{_office_time(viewing.start)}.",
        )
    return viewing


def _viewing_confirmed(
    viewing: Viewing, *, start: datetime, by: str, actor: str = "", account: PortalAccount | None = None
) -> Viewing:
    viewing.status = ViewingStatus.CONFIRMED
    viewing.start = start
    viewing.proposed_start = None
    viewing.confirmed_at = timezone.now()
    viewing.save(update_fields=["status", "start", "proposed_start", "confirmed_at", "updated"])
    _viewing_changed(
        viewing,
        verb="viewing_confirmed",
        actor=actor,
        account=account,
        event="real_estate.viewing_confirmed",
        extra={"confirmed_by": by, "rescheduled": False},
        email="real_estate.viewing_confirmed",
    )
    return viewing


def _viewing_changed(
    viewing: Viewing,
    *,
    verb: str,
    event: str,
    params: dict | None = None,
    actor: str = "",
    account: PortalAccount | None = None,
    extra: dict | None = None,
    email: str = "",
) -> None:
    """The activity entry, the event and the client's email of a change to ``viewing``."""
    offer = viewing.offered
    _record(
        contact=offer.deal.contact,
        account=account,
        verb=verb,
        title=offer.property.title,
        **(params or {}),
        actor=actor,
        data={"offer_id": offer.pk, "viewing_id": viewing.pk, "status": viewing.status},
    )
    event_emit(
        type=event, data={"viewing": viewing_payload(viewing), "offer": offer_payload(offer), **(extra or {})}
    )
    if email:
        notifications.viewing_email_queue(viewing=viewing, kind=email)


def viewing_reschedule(*, viewing: Viewing, start: datetime, actor: str = "") -> Viewing:
    """The office moves a viewing to another future time. A confirmed viewing stays confirmed at the
    new time (event ``real_estate.viewing_confirmed`` with ``rescheduled``); a pending proposal is
    replaced by the new one. The client is emailed."""
    with transaction.atomic():
        viewing = _viewing_locked(viewing)
        start = _future(start, now=timezone.now())
        if viewing.status == ViewingStatus.PROPOSED:
            if start == viewing.proposed_start:
                return viewing
            return _viewing_proposed(viewing, start=start, actor=actor)
        if viewing.status != ViewingStatus.CONFIRMED:
            raise ValidationError(_("Only a confirmed viewing can be moved; confirm the request first."))
        if start == viewing.start:
            return viewing
        viewing.start = start
        viewing.save(update_fields=["start", "updated"])
        _viewing_changed(
            viewing,
            verb="viewing_rescheduled",
            actor=actor,
            event="real_estate.viewing_confirmed",
            extra={"confirmed_by": Party.OFFICE, "rescheduled": True},
            email="real_estate.viewing_rescheduled",
        )
    return viewing


def viewing_cancel(
    *,
    viewing: Viewing,
    by: str,
    account: PortalAccount | None = None,
    actor: str = "",
    reason: str = "",
) -> Viewing:
    """Cancel a requested, proposed or confirmed viewing that has not yet taken place.

    ``by="client"`` needs the client's ``account`` (the office is told); ``by="office"`` emails the
    client, with ``reason`` when given. Event ``real_estate.viewing_cancelled``."""
    if by not in Party.values:
        raise ValueError(f"A viewing is cancelled by the client or the office, not {by!r}")
    if by == Party.CLIENT:
        _client_owns(account, viewing.offered)
    with transaction.atomic():
        viewing = _viewing_locked(viewing)
        if not viewing.is_active:
            raise ValidationError(_("This viewing can no longer be cancelled."))
        if viewing.status == ViewingStatus.CONFIRMED and viewing.start <= timezone.now():
            raise ValidationError(_("This viewing has already taken place."))
        viewing.status = ViewingStatus.CANCELLED
        viewing.cancelled_by = by
        viewing.cancelled_at = timezone.now()
        viewing.cancel_reason = (reason or "").strip()
        viewing.save(update_fields=["status", "cancelled_by", "cancelled_at", "cancel_reason", "updated"])
        title = viewing.offered.property.title
        client = by == Party.CLIENT
        _viewing_changed(
            viewing,
            verb="viewing_cancelled",
            params={"by": "client" if client else "office"},
            actor=actor,
            account=account if client else None,
            event="real_estate.viewing_cancelled",
            extra={"cancelled_by": by},
            email="" if client else "real_estate.viewing_cancelled",
        )
        if client:
            contact = viewing.offered.deal.contact
            notifications.office_notify(
                contact=contact,
                subject=f"Viewing cancelled: {title}",
                body=f"{contact.full_name} cancelled the viewing of {title}."
                + (f"\n\nReason: {viewing.cancel_reason}" if viewing.cancel_reason else ""),
            )
    return viewing


def viewing_mark_visited(*, viewing: Viewing, actor: str = "") -> Viewing:
    """The office records that a confirmed viewing took place: the property moves to the client's
    “Visited” group and the client can give feedback. Activity only, no event."""
    with transaction.atomic():
        viewing = _viewing_locked(viewing)
        if viewing.status == ViewingStatus.VISITED:
            return viewing
        if viewing.status != ViewingStatus.CONFIRMED:
            raise ValidationError(_("Only a confirmed viewing can be marked as visited."))
        now = timezone.now()
        if viewing.start > now:
            raise ValidationError(_("This viewing has not taken place yet."))
        viewing.status = ViewingStatus.VISITED
        viewing.visited_at = now
        viewing.save(update_fields=["status", "visited_at", "updated"])
        offer = viewing.offered
        if offer.visited_at is None:
            offer.visited_at = viewing.start
            offer.save(update_fields=["visited_at"])
        _record(
            contact=offer.deal.contact,
            verb="viewing_visited",
            title=offer.property.title,
            actor=actor,
            data={"offer_id": offer.pk, "viewing_id": viewing.pk},
        )
    return viewing


# --- feedback after a viewing -------------------------------------------------------------------


def _rating_clean(rating) -> int | None:
    if rating in (None, ""):
        return None
    if isinstance(rating, bool):
        raise ValidationError({"rating": _("Give 1 to 5 stars.")})
    try:
        value = int(rating)
    except (TypeError, ValueError) as exc:
        raise ValidationError({"rating": _("Give 1 to 5 stars.")}) from exc
    if value != rating and str(value) != str(rating).strip():
        raise ValidationError({"rating": _("Give 1 to 5 stars.")})
    if not 1 <= value <= 5:
        raise ValidationError({"rating": _("Give 1 to 5 stars.")})
    return value


def feedback_submit(
    *,
    offer: OfferedProperty,
    account: PortalAccount,
    notes: str = "",
    rating: int | None = None,
    photos: Sequence = (),
    voice_notes: Sequence = (),
    viewing: Viewing | None = None,
) -> Feedback:
    """The client's impressions after visiting: notes, 1–5 stars, up to 10 photos and 3 voice notes
    (at least one of these). Only after a visited viewing (``viewing``, or the latest visited one).

    Every file is checked before anything is written; a bad one raises ``ValidationError`` and
    nothing is saved. Event ``real_estate.feedback_submitted``; the office is told."""
    _client_owns(account, offer)
    rating = _rating_clean(rating)
    notes = (notes or "").strip()
    photos, voice_notes = list(photos or ()), list(voice_notes or ())
    if len(photos) > MAX_FEEDBACK_PHOTOS:
        raise ValidationError({"photos": _("Add at most %(max)d photos.") % {"max": MAX_FEEDBACK_PHOTOS}})
    if len(voice_notes) > MAX_FEEDBACK_VOICE_NOTES:
        raise ValidationError(
            {"voice_notes": _("Add at most %(max)d voice notes.") % {"max": MAX_FEEDBACK_VOICE_NOTES}}
        )
    if not (notes or rating or photos or voice_notes):
        raise ValidationError(_("Write a note, give stars, or add a photo or a voice note."))
    visited = offer.viewings.filter(status=ViewingStatus.VISITED)
    if viewing is not None:
        if viewing.offered_id != offer.pk:
            raise PermissionDenied(_("This viewing is not one of this property."))
        if viewing.status != ViewingStatus.VISITED:
            raise ValidationError(_("You can give feedback once the viewing has taken place."))
    else:
        viewing = visited.order_by("-start", "-id").first()
        if viewing is None:
            raise ValidationError(_("You can give feedback once you have visited this property."))
    checked_photos = [_checked(photo_checked, upload, "photos") for upload in photos]
    checked_audio = [_checked(voice_note_checked, upload, "voice_notes") for upload in voice_notes]
    with files_saved_atomically() as save:
        feedback = Feedback(offered=offer, viewing=viewing, account=account, rating=rating, notes=notes)
        feedback.full_clean()
        feedback.save()
        for position, checked in enumerate(checked_photos):
            photo = FeedbackPhoto(
                feedback=feedback, width=checked.width, height=checked.height, position=position
            )
            save(photo.image, "photo.jpg", checked.content)
            photo.save()
        for position, checked in enumerate(checked_audio):
            note = FeedbackVoiceNote(
                feedback=feedback,
                content_type=checked.content_type,
                duration_seconds=Decimal(str(round(checked.duration, 1))),
                size=checked.size,
                position=position,
            )
            save(note.audio, f"voice{checked.extension}", checked.content)
            note.save()
        offer = OfferedProperty.objects.select_related("deal__contact", "property").get(pk=offer.pk)
        title = offer.property.title
        _record(
            contact=offer.deal.contact,
            account=account,
            verb="feedback_submitted",
            title=title,
            rated="rated" if rating else "",
            rating=rating or "",
            data={"offer_id": offer.pk, "feedback_id": feedback.pk, "rating": rating},
        )
        event_emit(
            type="real_estate.feedback_submitted",
            data={"feedback": feedback_payload(feedback), "offer": offer_payload(offer)},
        )
        contact = offer.deal.contact
        notifications.office_notify(
            contact=contact,
            subject=f"Feedback on {title}",
            body=f"{contact.full_name} gave feedback on {title}"
            + (f": {rating}/5 stars" if rating else "")
            + f", {len(checked_photos)} photo(s), {len(checked_audio)} voice note(s)."
            + (f"\n\n{notes}" if notes else ""),
        )
    return feedback


def _checked(check, upload, field: str):
    try:
        return check(upload)
    except ValidationError as exc:
        name = getattr(upload, "name", "") or ""
        messages = [f"{name}: {m}" if name else m for m in exc.messages]
        raise ValidationError({field: messages}) from exc


# --- messages to the agent ----------------------------------------------------------------------


def agent_contact(
    *, account: PortalAccount, body: str, subject: str = "", offer: OfferedProperty | None = None
) -> AgentMessage:
    """The client writes to the office, about a property (``offer``) or in general. It lands in the
    office's inbox and the office is told. Event ``real_estate.agent_contacted``."""
    if account is None or not account.is_usable or account.contact_id is None:
        raise PermissionDenied(_("Only a client can write to the agent."))
    if offer is not None:
        _client_owns(account, offer)
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write your message.")})
    if len(body) > MAX_MESSAGE_LENGTH:
        raise ValidationError(
            {"body": _("Keep your message to %(max)d characters.") % {"max": MAX_MESSAGE_LENGTH}}
        )
    contact = account.contact
    subject = " ".join((subject or "").split())
    if not subject:
        subject = (
            _client_text(contact, gettext_lazy("About %(title)s"), title=offer.property.title)
            if offer is not None
            else _client_text(contact, gettext_lazy("A question from the portal"))
        )
    with transaction.atomic():
        message = AgentMessage(
            contact=contact, account=account, offered=offer, subject=subject[:200], body=body
        )
        message.full_clean()
        message.save()
        _record(
            contact=contact,
            account=account,
            verb="agent_contacted",
            subject=message.subject,
            data={"message_id": message.pk, "offer_id": offer.pk if offer else None},
        )
        event_emit(
            type="real_estate.agent_contacted",
            data={"message": message_payload(message), "offer": offer_payload(offer) if offer else None},
        )
        notifications.office_notify(
            contact=contact, subject=f"Message from {contact.full_name}: {message.subject}", body=body
        )
    return message


def agent_message_read(*, message: AgentMessage) -> AgentMessage:
    """The office opened the message (it leaves the unread count)."""
    if message.read_at is None:
        message.read_at = timezone.now()
        AgentMessage.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=message.read_at)
    return message


def agent_reply(*, message: AgentMessage, body: str, actor: str = "") -> AgentMessage:
    """The office answers a client's message; the answer is emailed to the client (in their
    language's template) and kept with the message. One reply per message."""
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write your reply.")})
    if len(body) > MAX_MESSAGE_LENGTH:
        raise ValidationError(
            {"body": _("Keep your reply to %(max)d characters.") % {"max": MAX_MESSAGE_LENGTH}}
        )
    with transaction.atomic():
        message = (
            AgentMessage.objects.select_for_update(of=("self",)).select_related("contact").get(pk=message.pk)
        )
        if message.replied_at is not None:
            raise ValidationError(_("This message has already been answered."))
        if not message.contact.email:
            raise ValidationError(_("This client has no email address to send the reply to."))
        now = timezone.now()
        message.reply_body, message.replied_at, message.replied_by = body, now, actor[:160]
        message.read_at = message.read_at or now
        message.save(update_fields=["reply_body", "replied_at", "replied_by", "read_at"])
        _record(
            contact=message.contact,
            verb="agent_replied",
            subject=message.subject,
            actor=actor,
            data={"message_id": message.pk},
        )
        notifications.agent_reply_queue(message=message)
    return message
