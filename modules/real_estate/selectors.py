"""Reads of the real-estate module that pages and the API share. Every list is built on the
querysets of ``models`` so that its number of queries does not grow with its length."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from portal_core.models import Contact, PortalAccount

from .models import (
    AgentMessage,
    ClientGroup,
    FeedbackPhoto,
    FeedbackVoiceNote,
    OfferedProperty,
    Property,
    PropertyPhoto,
    Viewing,
)

VIEWING_TABS = ("upcoming", "recent", "unconfirmed")


def property_search(
    *,
    query: str = "",
    status: str = "",
    property_type: str = "",
    city: str = "",
    min_price: Decimal | None = None,
    max_price: Decimal | None = None,
) -> QuerySet:
    """The office's properties matching every word of ``query`` (in the title, street, postal code,
    city or country) and the filters, newest first, each with its gallery and ``offer_count`` (two
    queries for a page of any length)."""
    properties = Property.objects.annotate(offer_count=Count("offers")).prefetch_related("photos")
    for word in query.split():
        properties = properties.filter(
            Q(title__icontains=word)
            | Q(street__icontains=word)
            | Q(postal_code__icontains=word)
            | Q(city__icontains=word)
            | Q(country__icontains=word)
        )
    if status:
        properties = properties.filter(status=status)
    if property_type:
        properties = properties.filter(property_type=property_type)
    if city:
        properties = properties.filter(city__iexact=city.strip())
    if min_price is not None:
        properties = properties.filter(price__gte=min_price)
    if max_price is not None:
        properties = properties.filter(price__lte=max_price)
    return properties


def client_contact(account: PortalAccount | None) -> Contact | None:
    """The contact whose deals a signed-in portal account sees (none for a company account)."""
    if account is None or not account.contact_id:
        return None
    return account.contact


def offered_properties_for_client(*, account: PortalAccount, group: str | None = None) -> QuerySet:
    """The properties offered to the client, newest first, optionally only one ``ClientGroup`` or
    ``"new"``. Empty for an account without a contact."""
    contact = client_contact(account)
    if contact is None:
        return OfferedProperty.objects.none()
    offers = OfferedProperty.objects.for_contact(contact)
    if group == "new":
        return offers.new()
    if group:
        return offers.in_group(ClientGroup(group))
    return offers


def offered_property_for_client(*, account: PortalAccount, pk: int) -> OfferedProperty:
    """One offer of the client's, with photos and feedback; ``OfferedProperty.DoesNotExist`` when it
    is not theirs."""
    return (
        offered_properties_for_client(account=account)
        .with_photos()
        .with_feedback()
        .prefetch_related("viewings__slots")
        .get(pk=pk)
    )


# Files are not under a public URL: a view serves each one after finding it in the caller's scope,
# e.g. ``get_object_or_404(property_photos_for_client(account=request.client), pk=pk)``.


def property_photos_for_client(*, account: PortalAccount) -> QuerySet:
    """The photos of every property offered to the client (what their portal may show)."""
    contact = client_contact(account)
    if contact is None:
        return PropertyPhoto.objects.none()
    offered = OfferedProperty.objects.filter(deal__contact=contact).values("property_id")
    return PropertyPhoto.objects.filter(property_id__in=offered)


def feedback_photos_for_client(*, account: PortalAccount) -> QuerySet:
    contact = client_contact(account)
    if contact is None:
        return FeedbackPhoto.objects.none()
    return FeedbackPhoto.objects.filter(feedback__offered__deal__contact=contact)


def voice_notes_for_client(*, account: PortalAccount) -> QuerySet:
    contact = client_contact(account)
    if contact is None:
        return FeedbackVoiceNote.objects.none()
    return FeedbackVoiceNote.objects.filter(feedback__offered__deal__contact=contact)


def viewings_for_client(*, account: PortalAccount, tab: str | None, now: datetime | None = None) -> QuerySet:
    """The client's viewings in one tab: ``upcoming``, ``recent`` or ``unconfirmed`` (``None``: all)."""
    if tab is not None and tab not in VIEWING_TABS:
        raise ValueError(f"Unknown viewing tab {tab!r}")
    contact = client_contact(account)
    if contact is None:
        return Viewing.objects.none()
    viewings = Viewing.objects.for_contact(contact)
    if tab is None:
        return viewings
    return viewings.unconfirmed() if tab == "unconfirmed" else getattr(viewings, tab)(now=now)


def client_overview(*, contact: Contact, now: datetime | None = None) -> dict[str, int]:
    """The client's quick statistics: ``new``, ``total`` and one count per ``ClientGroup``, plus
    ``upcoming_viewings`` and ``unconfirmed_viewings`` (two queries)."""
    counts = OfferedProperty.objects.filter(deal__contact=contact).group_counts()
    viewings = Viewing.objects.filter(offered__deal__contact=contact)
    now = now or timezone.now()
    counts["upcoming_viewings"] = viewings.upcoming(now=now).count()
    counts["unconfirmed_viewings"] = viewings.unconfirmed().count()
    return counts


def office_agenda(*, start: datetime | None = None, end: datetime | None = None) -> QuerySet:
    """Confirmed viewings from ``start`` (now) until ``end``, soonest first, with property and contact."""
    viewings = Viewing.objects.for_listing().upcoming(now=start or timezone.now())
    return viewings.filter(start__lt=end) if end else viewings


def viewings_awaiting_office() -> QuerySet:
    """Requests the office has still to answer, oldest first."""
    return Viewing.objects.for_listing().filter(status=Viewing.Status.REQUESTED).order_by("created", "id")


def agent_messages_inbox() -> QuerySet:
    """Every client message, newest first, with its contact and property."""
    return AgentMessage.objects.select_related("contact", "offered__property")


def agent_messages_unread_count() -> int:
    return AgentMessage.objects.filter(read_at__isnull=True).count()
