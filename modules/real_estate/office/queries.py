"""Reads of the office's pages that the shared ``selectors`` do not cover: the cities to filter
properties by, the properties a client can still be offered, per-deal counts of the client's
groups, the offers of a deal or a contact with their viewings and feedback, and the media URLs of
what a page shows. Each costs a fixed number of queries, whatever the number of rows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count, F, Prefetch, Q, QuerySet, Subquery, Window
from django.db.models.functions import RowNumber
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from portal_core.models import Contact

from ..models import (
    ClientGroup,
    Deal,
    OfferedProperty,
    Property,
    RejectionReason,
    Viewing,
    client_group_expression,
)
from ..selectors import property_search

GROUPS = [(group.value, group.label) for group in ClientGroup]


# --- media --------------------------------------------------------------------------------------


def media_url(name: str, pk: int | None, *, small: bool = False) -> str:
    """The URL that serves one of the module's files (``real_estate:media-…``; ``small``: a
    property photo's thumbnail), or "" while the portal's media views are not mounted."""
    if pk is None:
        return ""
    try:
        url = reverse(f"real_estate:{name}", args=[pk])
    except NoReverseMatch:
        return ""
    return f"{url}?size=small" if small else url


def stars(rating: int | None) -> str:
    return "" if not rating else "★" * rating + "☆" * (5 - rating)


def for_display(offers: Iterable[OfferedProperty]) -> list[OfferedProperty]:
    """Set what the templates show and cannot work out themselves: ``cover_url``,
    ``reason_labels`` and ``rating_stars`` on each offer, ``stars`` on its (prefetched) feedback and
    ``url`` on the feedback's photos and voice notes."""
    offers = list(offers)
    for offer in offers:
        offer.cover_url = media_url(
            "media-property-photo", getattr(offer, "cover_photo_id", None), small=True
        )
        offer.reason_labels = [
            RejectionReason(reason).label if reason in RejectionReason.values else reason
            for reason in offer.rejection_reasons or []
        ]
        offer.rating_stars = stars(getattr(offer, "latest_rating", None))
        if "feedback" in getattr(offer, "_prefetched_objects_cache", {}):
            for feedback in offer.feedback.all():
                feedback.stars = stars(feedback.rating)
                for photo in feedback.photos.all():
                    photo.url = media_url("media-feedback-photo", photo.pk)
                for note in feedback.voice_notes.all():
                    note.url = media_url("media-voice-note", note.pk)
    return offers


# --- properties ---------------------------------------------------------------------------------


def property_cities() -> list[str]:
    """The cities the office has properties in, for the list's filter."""
    cities = Property.objects.exclude(city="").order_by("city").values_list("city", flat=True).distinct()
    return list(cities)


def with_covers(properties: Iterable[Property]) -> list[Property]:
    """Set ``cover_url`` and ``photo_count`` on properties whose photos are prefetched (as
    ``selectors.property_search`` does)."""
    properties = list(properties)
    for prop in properties:
        photos = list(prop.photos.all())
        prop.photo_count = len(photos)
        prop.cover_url = media_url("media-property-photo", photos[0].pk, small=True) if photos else ""
    return properties


def offerable_properties(*, contact: Contact, query: str = "") -> QuerySet[Property]:
    """Properties that can still be offered to ``contact``: not sold, not offered to them through
    any of their deals."""
    offered = OfferedProperty.objects.filter(deal__contact=contact).values("property_id")
    return property_search(query=query).exclude(status=Property.Status.SOLD).exclude(pk__in=offered)


# --- deals and their offers ---------------------------------------------------------------------


def deals_for_office(*, query: str = "", status: str = "", contact: Contact | None = None) -> QuerySet[Deal]:
    deals = Deal.objects.select_related("contact")
    for term in query.split():
        deals = deals.filter(
            Q(title__icontains=term)
            | Q(contact__first_name__icontains=term)
            | Q(contact__last_name__icontains=term)
            | Q(contact__email__icontains=term)
        )
    if status:
        deals = deals.filter(status=status)
    if contact is not None:
        deals = deals.filter(contact=contact)
    return deals.order_by("-created", "-id")


def deal_group_counts(deal_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """For each deal: ``total``, ``new`` and one count per ``ClientGroup`` (one query)."""
    empty = {"total": 0, "new": 0, **{group.value: 0 for group in ClientGroup}}
    counts: dict[int, dict[str, int]] = defaultdict(lambda: dict(empty))
    rows = (
        OfferedProperty.objects.filter(deal_id__in=list(deal_ids))
        .order_by()
        .annotate(group=client_group_expression())
        .values("deal_id", "group")
        .annotate(n=Count("pk"), new=Count("pk", filter=Q(seen_at__isnull=True)))
    )
    for row in rows:
        deal = counts[row["deal_id"]]
        deal[row["group"]] += row["n"]
        deal["total"] += row["n"]
        deal["new"] += row["new"]
    return counts


def group_chips(counts: dict[str, int]) -> list[tuple[str, str, int]]:
    """The client's groups that hold anything, as ``(value, label, count)``."""
    return [(value, label, counts[value]) for value, label in GROUPS if counts.get(value)]


def offers_with_history(offers: QuerySet[OfferedProperty]) -> QuerySet[OfferedProperty]:
    """``offers`` ready for the office's deal and contact pages: every feedback item with its
    files, and the viewings with their preferred times (five queries in all)."""
    return offers.with_feedback().prefetch_related(
        Prefetch("viewings", queryset=Viewing.objects.order_by("-created", "-id").prefetch_related("slots"))
    )


def offers_for_deal(*, deal: Deal, group: str = "") -> QuerySet[OfferedProperty]:
    offers = OfferedProperty.objects.for_deal(deal)
    if group == "new":
        offers = offers.new()
    elif group:
        offers = offers.in_group(group)
    return offers


def offers_for_contact_panel(*, contact: Contact, per_deal: int) -> dict[int, list[OfferedProperty]]:
    """The ``per_deal`` latest offers of each of the contact's deals, with their history, by deal."""
    latest = (
        OfferedProperty.objects.filter(deal__contact=contact)
        .annotate(
            rank=Window(
                RowNumber(), partition_by=[F("deal_id")], order_by=[F("offered_at").desc(), F("id").desc()]
            )
        )
        .filter(rank__lte=per_deal)
        .values("pk")
    )
    offers = offers_with_history(OfferedProperty.objects.for_listing().filter(pk__in=Subquery(latest)))
    by_deal: dict[int, list[OfferedProperty]] = defaultdict(list)
    for offer in for_display(offers):
        by_deal[offer.deal_id].append(offer)
    return by_deal


# --- viewings -----------------------------------------------------------------------------------


def viewings_to_mark_visited(now=None) -> QuerySet[Viewing]:
    """Confirmed viewings whose time has passed, latest first: did they take place?"""
    now = now or timezone.now()
    return (
        Viewing.objects.for_listing()
        .filter(status=Viewing.Status.CONFIRMED, start__lt=now)
        .order_by("-start", "-id")
    )


def viewings_awaiting_client() -> QuerySet[Viewing]:
    """Times the office proposed that the client has not accepted yet, oldest first."""
    return Viewing.objects.for_listing().filter(status=Viewing.Status.PROPOSED).order_by("created", "id")
