"""The client's real-estate pages (seed 001): overview, new and all properties by group, a
property's page with every action on it, viewings, and messages to the agent.

Each page reads through ``selectors`` (a constant number of queries whatever the number of offers)
and each action goes through ``services``, which check that the offer is the client's own; here an
offer or viewing outside the client's scope is simply not found (404). Actions answer with a
redirect and a message, or with the page again and the service's errors on the form.
"""

from __future__ import annotations

import json
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal_core.client_auth import client_required, is_preview
from portal_core.csp import csp_allow
from portal_core.formatting import format_money
from portal_core.portal import portal_context

from .. import selectors, services
from ..models import ClientGroup, OfferedProperty, Property, RejectionReason, Viewing
from .forms import AgentMessageForm, CancelViewingForm, FeedbackForm, InterestForm, ViewingRequestForm

PAGE_SIZE = 24
HOME_NEWEST = 6
MESSAGES_SHOWN = 20
Interest = OfferedProperty.Interest
ViewingStatus = Viewing.Status


# --- shared ---------------------------------------------------------------------------------------


def _render(request, template: str, status: int = 200, **context):
    return render(
        request, f"real_estate/portal/{template}", portal_context(request, **context), status=status
    )


def _offer_or_404(request, pk: int) -> OfferedProperty:
    """One of the client's offers (listing annotations included); 404 for anyone else's."""
    return get_object_or_404(selectors.offered_properties_for_client(account=request.client), pk=pk)


def _viewing_or_404(request, pk: int) -> Viewing:
    contact = selectors.client_contact(request.client)
    if contact is None:
        raise Http404
    return get_object_or_404(Viewing.objects.for_contact(contact), pk=pk)


def _next_url(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _property_url(offer: OfferedProperty, anchor: str = "") -> str:
    url = reverse("real_estate:property", args=[offer.pk])
    return f"{url}#{anchor}" if anchor else url


def price_text(amount: Decimal | None, currency: str) -> str:
    """A price as the client's language writes it (``€ 450.000`` in Dutch, ``€450,000`` in English)."""
    return format_money(amount, currency)


def _for_cards(offers) -> list[OfferedProperty]:
    """The offers with what their cards show in the client's language: price and group."""
    offers, labels = list(offers), group_labels()
    for offer in offers:
        offer.price_text = price_text(offer.property.price, offer.property.currency)
        offer.group_label = labels[offer.client_group]
    return offers


def _page(request, offers):
    page = Paginator(offers, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = _for_cards(page.object_list)
    return page


def group_labels() -> dict[str, str]:
    return {
        ClientGroup.TO_RATE: _("To rate"),
        ClientGroup.INTERESTED: _("Interested"),
        ClientGroup.REJECTED: _("Not interested"),
        ClientGroup.VISITED: _("Visited"),
        ClientGroup.APPROVED: _("Approved"),
    }


# --- pages ----------------------------------------------------------------------------------------


@client_required
def home(request):
    """Quick statistics, what waits for the client, and the newest offers."""
    contact = selectors.client_contact(request.client)
    overview = selectors.client_overview(contact=contact) if contact else {}
    newest = _for_cards(selectors.offered_properties_for_client(account=request.client)[:HOME_NEWEST])
    unconfirmed = selectors.viewings_for_client(account=request.client, tab="unconfirmed")
    proposals = list(unconfirmed.filter(status=ViewingStatus.PROPOSED))
    upcoming = list(selectors.viewings_for_client(account=request.client, tab="upcoming")[:3])
    properties = reverse("real_estate:properties")
    statistics = [
        {"key": "new", "label": _("New"), "url": reverse("real_estate:new")},
        {"key": "to_rate", "label": _("To rate"), "url": f"{properties}?group=to_rate"},
        {"key": "interested", "label": _("Interested"), "url": f"{properties}?group=interested"},
        {"key": "visited", "label": _("Visited"), "url": f"{properties}?group=visited"},
        {"key": "approved", "label": _("Approved"), "url": f"{properties}?group=approved"},
        {"key": "upcoming_viewings", "label": _("Upcoming viewings"), "url": reverse("real_estate:viewings")},
    ]
    for stat in statistics:
        stat["value"] = overview.get(stat["key"], 0)
    return _render(
        request,
        "home.html",
        overview=overview,
        statistics=statistics,
        newest=newest,
        proposals=proposals,
        upcoming=upcoming,
        current="home",
    )


@client_required
def new(request):
    """Offered and not yet opened by the client."""
    offers = selectors.offered_properties_for_client(account=request.client, group="new")
    return _render(
        request,
        "list.html",
        page=_page(request, offers),
        heading=_("New properties"),
        intro=_("Properties your agent offered you that you have not looked at yet."),
        empty=_("Nothing new right now. You have seen every property your agent offered you."),
        current="new",
    )


@client_required
def properties(request):
    """Every offered property, by group (seed 001's tabs, with their counts), favourites only on
    request."""
    group = request.GET.get("group", "")
    group = group if group in ClientGroup.values else ""
    favourites = request.GET.get("favourites") == "1"
    offers = selectors.offered_properties_for_client(account=request.client, group=group or None)
    if favourites:
        offers = offers.filter(favourite=True)
    contact = selectors.client_contact(request.client)
    counts = OfferedProperty.objects.filter(deal__contact=contact).group_counts() if contact else {}
    base = reverse("real_estate:properties")
    labels = group_labels()

    def link(**params) -> str:
        query = {key: value for key, value in params.items() if value}
        return f"{base}?{urlencode(query)}" if query else base

    tabs = [
        {
            "key": "",
            "label": _("All"),
            "count": counts.get("total", 0),
            "url": link(favourites=favourites and "1"),
        }
    ]
    tabs += [
        {
            "key": value,
            "label": labels[value],
            "count": counts.get(value, 0),
            "url": link(group=value, favourites=favourites and "1"),
        }
        for value in ClientGroup.values
    ]
    return _render(
        request,
        "list.html",
        page=_page(request, offers),
        heading=_("All properties"),
        intro=_("Every property your agent offered you, by where it stands."),
        empty=_("No properties here.")
        if (group or favourites)
        else _("Your agent has not offered you any properties yet."),
        tabs=tabs,
        group=group,
        favourites=favourites,
        favourites_url=link(group=group, favourites="" if favourites else "1"),
        page_query=urlencode(
            {k: v for k, v in (("group", group), ("favourites", "1" if favourites else "")) if v}
        ),
        current="properties",
    )


def _property_page(request, offer: OfferedProperty, *, status: int = 200, **forms):
    """The property's page: everything about it, the client's status, viewings and feedback, and
    the forms of every action (``forms`` carries a bound one with its errors)."""
    prop: Property = offer.property
    viewings = list(offer.viewings.all())
    active = next((v for v in viewings if v.is_active), None)
    visited = any(v.status == ViewingStatus.VISITED for v in viewings)
    # A property the client has visited and the office has approved needs no further viewing.
    done = visited and offer.client_group == "approved"
    can_request = active is None and prop.is_offerable and offer.interest != Interest.REJECTED and not done
    interest_form = forms.get("interest_form") or InterestForm(
        initial={
            "interest": Interest.REJECTED,
            "reasons": offer.rejection_reasons,
            "note": offer.rejection_note,
        }
    )
    rejecting = interest_form.is_bound and interest_form.data.get("interest") == Interest.REJECTED
    context = {
        "offer": offer,
        "prop": prop,
        "photos": list(prop.photos.all()),
        "price": price_text(prop.price, prop.currency),
        "group_label": group_labels()[offer.client_group],
        "chosen_reasons": [
            label for value, label in RejectionReason.choices if value in offer.rejection_reasons
        ],
        "viewings": viewings,
        "active_viewing": active,
        "can_request": can_request,
        "can_give_feedback": visited,
        "feedback": list(offer.feedback.all()),
        "map": _map(prop),
        "interest_form": interest_form,
        "rejecting": rejecting,
        "viewing_form": forms.get("viewing_form") or ViewingRequestForm(),
        "feedback_form": forms.get("feedback_form") or FeedbackForm(),
        "message_form": forms.get("message_form") or AgentMessageForm(initial={"offer": offer.pk}),
        "zone": timezone.get_current_timezone_name(),
        "stars": range(1, 6),
        "current": "properties",
    }
    if context["map"]:
        csp_allow(request, "frame-src", MAP_ORIGIN)
    return _render(request, "property.html", status=status, **context)


MAP_ORIGIN = "https://www.openstreetmap.org"


def _map(prop: Property) -> dict | None:
    """An OpenStreetMap embed around the property, and a link to the full map."""
    if not prop.has_location:
        return None
    lat, lon = float(prop.latitude), float(prop.longitude)
    bbox = f"{lon - 0.008:.6f},{lat - 0.004:.6f},{lon + 0.008:.6f},{lat + 0.004:.6f}"
    query = urlencode({"bbox": bbox, "layer": "mapnik", "marker": f"{lat:.6f},{lon:.6f}"})
    return {
        "address": prop.address,
        "apps": f"geo:{lat:.6f},{lon:.6f}?q={lat:.6f},{lon:.6f}",
        "embed": f"{MAP_ORIGIN}/export/embed.html?{query}",
        "link": f"https://www.openstreetmap.org/?mlat={lat:.6f}&mlon={lon:.6f}#map=16/{lat:.6f}/{lon:.6f}",
    }


@client_required
def property_detail(request, pk: int):
    """One offered property. Opening it takes it out of “New”."""
    try:
        offer = selectors.offered_property_for_client(account=request.client, pk=pk)
    except OfferedProperty.DoesNotExist as exc:
        raise Http404 from exc
    if not is_preview(request):
        services.offered_property_seen(offer=offer, account=request.client)
    return _property_page(request, offer)


def _full_offer(request, offer: OfferedProperty) -> OfferedProperty:
    return selectors.offered_property_for_client(account=request.client, pk=offer.pk)


# --- actions on a property ------------------------------------------------------------------------


def _applied(form, action) -> bool:
    """Run ``action(cleaned_data)`` (a service call) if the form is valid. A ``ValidationError`` lands
    on the form, field by field; ``PermissionDenied`` (not the client's own) is a 404."""
    if not form.is_valid():
        return False
    try:
        action(form.cleaned_data)
    except ValidationError as exc:
        form.add_error(None, exc)
        return False
    except PermissionDenied as exc:
        raise Http404 from exc
    return True


@client_required
@require_POST
def interest(request, pk: int):
    """“Interested”, or “Not interested” with the reasons (and a note)."""
    offer = _offer_or_404(request, pk)
    form = InterestForm(request.POST)
    if _applied(
        form,
        lambda data: services.interest_set(
            offer=offer,
            account=request.client,
            interest=data["interest"],
            reasons=data["reasons"],
            note=data["note"],
        ),
    ):
        if form.cleaned_data["interest"] == Interest.INTERESTED:
            messages.success(request, _("Marked as interested. Your agent can see it now."))
        else:
            messages.success(request, _("Marked as not interested. Thank you for telling us why."))
        return redirect(_property_url(offer, "opinion"))
    return _property_page(request, _full_offer(request, offer), status=400, interest_form=form)


@client_required
@require_POST
def favourite(request, pk: int):
    """Add to favourites or take off (``favourite`` says which, so a second tap changes nothing).
    htmx swaps the button in place; without JavaScript the page comes back with a message."""
    offer = _offer_or_404(request, pk)
    wanted = request.POST.get("favourite") == "1"
    try:
        offer = services.favourite_set(offer=offer, account=request.client, favourite=wanted)
    except PermissionDenied as exc:
        raise Http404 from exc
    said = _("Added to your favourites.") if wanted else _("Removed from your favourites.")
    if request.htmx:
        context = {"offer": offer, "announce": True, "next": _next_url(request, _property_url(offer))}
        response = render(request, "real_estate/portal/_favourite.html", context)
        response["HX-Trigger"] = json.dumps({"toast": {"text": str(said)}})
        return response
    messages.success(request, said)
    return redirect(_next_url(request, _property_url(offer)))


@client_required
@require_POST
def viewing_request(request, pk: int):
    """Ask to view the property at one of 1 to 3 preferred times."""
    offer = _offer_or_404(request, pk)
    form = ViewingRequestForm(request.POST)
    if _applied(
        form,
        lambda data: services.viewing_request(
            offer=offer, account=request.client, slots=data["slots"], note=data["note"]
        ),
    ):
        messages.success(
            request, _("Your viewing request is sent. Your agent will confirm one of your times.")
        )
        return redirect(_property_url(offer, "viewing"))
    return _property_page(request, _full_offer(request, offer), status=400, viewing_form=form)


@client_required
@require_POST
def feedback(request, pk: int):
    """After a visit: notes, stars, photos and voice notes (uploaded or recorded in the browser).
    Every file is checked before anything is saved; on an error the client picks the files again."""
    offer = _offer_or_404(request, pk)
    form = FeedbackForm(request.POST, request.FILES)
    if _applied(
        form,
        lambda data: services.feedback_submit(
            offer=offer,
            account=request.client,
            notes=data["notes"],
            rating=data["rating"],
            photos=data["photos"],
            voice_notes=data["voice_notes"],
        ),
    ):
        messages.success(request, _("Thank you! Your feedback is with your agent."))
        return redirect(_property_url(offer, "feedback"))
    form.files_dropped = bool(request.FILES)
    return _property_page(request, _full_offer(request, offer), status=400, feedback_form=form)


# --- messages to the agent ------------------------------------------------------------------------


@client_required
def contact_agent(request):
    """Write to the agent, in general or about one of the client's properties (``offer``)."""
    client = request.client
    if selectors.client_contact(client) is None:
        raise Http404
    offer = None
    offer_id = request.POST.get("offer") or request.GET.get("offer")
    if offer_id:
        if not str(offer_id).isdigit():
            raise Http404
        offer = _offer_or_404(request, int(offer_id))
    bound = request.POST if request.method == "POST" else None
    form = AgentMessageForm(bound, initial={"offer": offer.pk if offer else None})
    status = 200
    if request.method == "POST":
        if _applied(
            form,
            lambda data: services.agent_contact(
                account=client, body=data["body"], subject=data["subject"], offer=offer
            ),
        ):
            messages.success(request, _("Your message is sent. Your agent will answer by email."))
            return redirect(_property_url(offer, "contact") if offer else reverse("real_estate:contact"))
        status = 400
    sent = selectors.agent_messages_inbox().filter(contact=client.contact)[:MESSAGES_SHOWN]
    return _render(
        request, "contact.html", status=status, form=form, offer=offer, sent=sent, current="contact"
    )


# --- viewings -------------------------------------------------------------------------------------


def viewing_tabs() -> list[tuple[str, str]]:
    return [
        ("upcoming", _("Upcoming")),
        ("recent", _("Recent")),
        ("unconfirmed", _("Unconfirmed")),
    ]


@client_required
def viewings(request):
    """Upcoming (confirmed), Recent (past) and Unconfirmed (requested, or a time the office
    proposed) viewings, each tab with its count."""
    tab = request.GET.get("tab", "upcoming")
    if tab not in selectors.VIEWING_TABS:
        tab = "upcoming"
    now = timezone.now()
    tabs = [
        {
            "key": key,
            "label": label,
            "count": selectors.viewings_for_client(account=request.client, tab=key, now=now).count(),
            "url": f"{reverse('real_estate:viewings')}?tab={key}",
        }
        for key, label in viewing_tabs()
    ]
    listing = selectors.viewings_for_client(account=request.client, tab=tab, now=now)
    page = Paginator(listing, PAGE_SIZE).get_page(request.GET.get("page"))
    empty = {
        "upcoming": _("No viewings planned. Ask for one on a property's page."),
        "recent": _("No past viewings yet."),
        "unconfirmed": _("Nothing waiting for confirmation."),
    }[tab]
    return _render(
        request,
        "viewings.html",
        tab=tab,
        tabs=tabs,
        page=page,
        empty=empty,
        now=now,
        current="viewings",
    )


@client_required
@require_POST
def viewing_accept(request, pk: int):
    """Accept the time the office proposed: the viewing is confirmed."""
    viewing = _viewing_or_404(request, pk)
    try:
        services.viewing_proposal_accept(viewing=viewing, account=request.client)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied as exc:
        raise Http404 from exc
    else:
        messages.success(request, _("Your viewing is confirmed. See you there!"))
    return redirect(_next_url(request, reverse("real_estate:viewings")))


@client_required
@require_POST
def viewing_cancel(request, pk: int):
    """Cancel a viewing that has not taken place, with an optional reason for the agent."""
    viewing = _viewing_or_404(request, pk)
    form = CancelViewingForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(m for errors in form.errors.values() for m in errors))
        return redirect(_next_url(request, reverse("real_estate:viewings")))
    try:
        services.viewing_cancel(
            viewing=viewing,
            by=Viewing.Party.CLIENT,
            account=request.client,
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied as exc:
        raise Http404 from exc
    else:
        messages.success(request, _("Your viewing is cancelled. Your agent has been told."))
    return redirect(_next_url(request, reverse("real_estate:viewings")))
