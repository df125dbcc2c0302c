"""The office's real-estate pages (``/office/real-estate/``): properties and their photos, deals and
the properties offered through them, viewings, and the clients' messages.

Every write is a service call; a refusal (``ValidationError``) goes back on the form it came from,
a success redirects with a message. Staff only: the core's ``staff_required`` sends anyone else to
the office's sign-in page, and every object is looked up in the office's own schema.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from portal_core.formatting import format_datetime
from portal_core.models import Contact
from portal_core.office.shell import actor, errors_onto, query_without, render_office, staff_required

from .. import services
from ..models import ClientGroup, Deal, OfferedProperty, Property, PropertyPhoto, Viewing
from ..selectors import (
    agent_messages_inbox,
    agent_messages_unread_count,
    office_agenda,
    property_search,
    viewings_awaiting_office,
)
from . import queries
from .forms import (
    DealCreateForm,
    DealEditForm,
    DealFilterForm,
    DealStatusForm,
    OfferForm,
    PhotoCaptionForm,
    PhotoMoveForm,
    PhotoOrderForm,
    PhotoUploadForm,
    PropertyFilterForm,
    PropertyForm,
    PropertyStatusForm,
    ReplyForm,
    SlotChoiceForm,
    ViewingCancelForm,
    ViewingTimeForm,
)

NS = "office:real_estate_office"
PROPERTIES_PER_PAGE = 25
DEALS_PER_PAGE = 25
OFFERS_PER_PAGE = 25
OFFERABLE_SHOWN = 60
AGENDA_PER_PAGE = 50
MESSAGES_PER_PAGE = 30


def _url(name: str, *args) -> str:
    return reverse(f"{NS}:{name}", args=args)


def _render(request, template: str, context: dict | None = None, **kwargs):
    """An office page of the module inside the core's frame (whose sidebar shows the module's pages
    with what waits in each)."""
    return render_office(request, template, context, **kwargs)


def _back(request, default: str) -> str:
    """Where to go after an action: the form's ``next`` when it is an office page here, else ``default``."""
    target = request.POST.get("next", "")
    if target.startswith("/office/") and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return default


def _posted(request):
    """The form data of a POST (even an empty one, so that its form is bound), else None."""
    return request.POST if request.method == "POST" else None


def _refused(request, form, exc: ValidationError, *, field: str | None = None) -> None:
    """A service's refusal of an action on an object: its messages go on the form's fields they
    name (or ``field``); one about the object as a whole (already answered, no longer active…) goes
    at the top of the page, where it shows whichever of the page's forms is still there."""
    if hasattr(exc, "error_dict") or field:
        errors_onto(form, exc, {"slots": field} if field else None, default=field)
    else:
        messages.error(request, " ".join(exc.messages))


def _when(value) -> str:
    return format_datetime(timezone.localtime(value), weekday=True)


# --- properties ---------------------------------------------------------------------------------


@staff_required
def property_list(request):
    form = PropertyFilterForm(request.GET, cities=queries.property_cities())
    filters = form.filters()
    properties = property_search(**filters).order_by("-created", "-id")
    page = Paginator(properties, PROPERTIES_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = queries.with_covers(page.object_list)
    return _render(
        request,
        "real_estate/office/properties/list.html",
        {
            "form": form,
            "page": page,
            "filtered": any(value not in ("", None) for value in filters.values()),
            "query_string": query_without(request, "page"),
            "total": Property.objects.count(),
        },
    )


@staff_required
def property_create(request):
    form = PropertyForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            prop = services.property_create(**form.service_data())
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(request, f"{prop.title} is added. Now add its photos.")
            return redirect(f"{NS}:property-detail", pk=prop.pk)
    return _render(
        request, "real_estate/office/properties/form.html", {"form": form, "title": "New property"}
    )


@staff_required
def property_edit(request, pk):
    prop = get_object_or_404(Property, pk=pk)
    form = PropertyForm(_posted(request), instance=prop)
    if request.method == "POST" and form.is_valid():
        try:
            # A fresh copy: validating the form already applied its values to ``prop``.
            services.property_update(property=Property.objects.get(pk=pk), **form.service_data())
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(request, "Property saved.")
            return redirect(f"{NS}:property-detail", pk=pk)
    return _render(
        request,
        "real_estate/office/properties/form.html",
        {"form": form, "property": Property.objects.get(pk=pk), "title": f"Edit {prop.title}"},
    )


@staff_required
@never_cache
def property_detail(request, pk, *, upload_form=None, status=200):
    prop = get_object_or_404(Property, pk=pk)
    photos = list(prop.photos.all())
    for photo in photos:
        photo.url = queries.media_url("media-property-photo", photo.pk)
    offers = (
        OfferedProperty.objects.filter(property=prop)
        .select_related("deal__contact")
        .with_client_group()
        .order_by("-offered_at", "-id")
    )
    return _render(
        request,
        "real_estate/office/properties/detail.html",
        {
            "property": prop,
            "photos": photos,
            "offers": offers,
            "upload_form": upload_form or PhotoUploadForm(),
            "status_form": PropertyStatusForm(initial={"status": prop.status}),
            "max_photos": services.MAX_PROPERTY_PHOTOS,
        },
        status=status,
    )


def _status_change(request, form, change, *, back: str):
    """Apply a status form's choice with ``change(status)``, which says what it did."""
    if form.is_valid():
        messages.success(request, change(form.cleaned_data["status"]))
    else:
        messages.error(request, "Choose a status.")
    return redirect(back)


@staff_required
@require_POST
def property_status(request, pk):
    prop = get_object_or_404(Property, pk=pk)

    def change(status):
        services.property_update(property=prop, status=status)
        return f"{prop.title} is now “{prop.get_status_display().lower()}”."

    return _status_change(request, PropertyStatusForm(request.POST), change, back=_url("property-detail", pk))


@staff_required
@require_POST
def property_delete(request, pk):
    """Only a property never offered to anyone can go; an offered one is part of its clients' history."""
    prop = get_object_or_404(Property, pk=pk)
    try:
        services.property_delete(property=prop)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(f"{NS}:property-detail", pk=pk)
    messages.success(request, f"{prop.title} is deleted.")
    return redirect(f"{NS}:properties")


@staff_required
@require_POST
def photos_upload(request, pk):
    """Add every chosen photo, or none: a bad file is named on the form and nothing stays behind."""
    prop = get_object_or_404(Property, pk=pk)
    form = PhotoUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return property_detail(request, pk, upload_form=form, status=400)
    try:
        added = services.property_photos_add(property=prop, uploads=form.cleaned_data["photos"])
    except ValidationError as exc:
        errors_onto(form, ValidationError({"photos": exc.messages}))
        return property_detail(request, pk, upload_form=form, status=400)
    messages.success(request, f"{len(added)} photo{'s' if len(added) != 1 else ''} added.")
    return redirect(f"{_url('property-detail', pk)}#photos")


def _photo(pk, photo_pk) -> PropertyPhoto:
    return get_object_or_404(PropertyPhoto, pk=photo_pk, property_id=pk)


@staff_required
@require_POST
def photo_caption(request, pk, photo_pk):
    photo = _photo(pk, photo_pk)
    form = PhotoCaptionForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("caption", ["The caption could not be saved."])))
    else:
        services.property_photo_update(photo=photo, caption=form.cleaned_data["caption"])
        messages.success(request, "Caption saved.")
    return redirect(f"{_url('property-detail', pk)}#photo-{photo.pk}")


@staff_required
@require_POST
def photo_move(request, pk, photo_pk):
    """The no-JavaScript way to reorder: move one photo a place up or down."""
    photo = _photo(pk, photo_pk)
    form = PhotoMoveForm(request.POST)
    order = list(PropertyPhoto.objects.filter(property_id=pk).values_list("pk", flat=True))
    if form.is_valid():
        index = order.index(photo.pk)
        other = index - 1 if form.cleaned_data["direction"] == "up" else index + 1
        if 0 <= other < len(order):
            order[index], order[other] = order[other], order[index]
            services.property_photos_reorder(property=photo.property, photo_ids=order)
    return redirect(f"{_url('property-detail', pk)}#photo-{photo.pk}")


@staff_required
@require_POST
def photos_reorder(request, pk):
    """The order a drag and drop left, as a comma-separated list of photo ids."""
    prop = get_object_or_404(Property, pk=pk)
    form = PhotoOrderForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors["order"])
        services.property_photos_reorder(property=prop, photo_ids=form.cleaned_data["order"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "New photo order saved.")
    return redirect(f"{_url('property-detail', pk)}#photos")


@staff_required
@require_POST
def photo_delete(request, pk, photo_pk):
    services.property_photo_delete(photo=_photo(pk, photo_pk))
    messages.success(request, "Photo deleted.")
    return redirect(f"{_url('property-detail', pk)}#photos")


# --- deals --------------------------------------------------------------------------------------


@staff_required
def deal_list(request):
    form = DealFilterForm(request.GET)
    filters = form.filters()
    page = Paginator(queries.deals_for_office(**filters), DEALS_PER_PAGE).get_page(request.GET.get("page"))
    counts = queries.deal_group_counts(deal.pk for deal in page.object_list)
    for deal in page.object_list:
        deal.counts = counts[deal.pk]
        deal.chips = queries.group_chips(deal.counts)
    return _render(
        request,
        "real_estate/office/deals/list.html",
        {
            "form": form,
            "page": page,
            "filtered": any(value not in ("", None) for value in filters.values()),
            "query_string": query_without(request, "page"),
            "contact": filters["contact"],
        },
    )


@staff_required
def deal_create(request):
    contact = None
    wanted = request.GET.get("contact", "")
    if wanted:
        contact = get_object_or_404(Contact, pk=wanted) if wanted.isdigit() else None
    form = DealCreateForm(_posted(request), fixed_contact=contact)
    if request.method == "POST" and form.is_valid():
        try:
            deal = services.deal_create(
                contact=form.cleaned_data["contact"],
                title=form.cleaned_data["title"],
                notes=form.cleaned_data["notes"],
                actor=actor(request),
            )
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(
                request, f"Deal “{deal.title}” opened for {deal.contact.full_name}. Offer them properties."
            )
            return redirect(f"{NS}:deal-detail", pk=deal.pk)
    return _render(
        request, "real_estate/office/deals/form.html", {"form": form, "contact": contact, "title": "New deal"}
    )


@staff_required
def deal_edit(request, pk):
    deal = get_object_or_404(Deal.objects.select_related("contact"), pk=pk)
    form = DealEditForm(_posted(request), instance=deal)
    if request.method == "POST" and form.is_valid():
        try:
            services.deal_update(deal=Deal.objects.get(pk=pk), **form.cleaned_data)
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(request, "Deal saved.")
            return redirect(f"{NS}:deal-detail", pk=pk)
    return _render(
        request,
        "real_estate/office/deals/form.html",
        {"form": form, "deal": Deal.objects.select_related("contact").get(pk=pk), "title": "Edit deal"},
    )


@staff_required
@never_cache
def deal_detail(request, pk):
    deal = get_object_or_404(Deal.objects.select_related("contact"), pk=pk)
    group = request.GET.get("group", "")
    if group not in ("new", *ClientGroup.values):
        group = ""
    offers = queries.offers_with_history(queries.offers_for_deal(deal=deal, group=group))
    page = Paginator(offers, OFFERS_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = queries.for_display(page.object_list)
    counts = OfferedProperty.objects.filter(deal=deal).group_counts()
    tabs = [("", "All", counts["total"]), ("new", "New", counts["new"])] + [
        (value, label, counts[value]) for value, label in queries.GROUPS
    ]
    return _render(
        request,
        "real_estate/office/deals/detail.html",
        {
            "deal": deal,
            "contact": deal.contact,
            "page": page,
            "group": group,
            "tabs": tabs,
            "counts": counts,
            "status_form": DealStatusForm(initial={"status": deal.status}),
            "query_string": query_without(request, "page"),
            "back": request.get_full_path(),
        },
    )


@staff_required
@require_POST
def deal_status(request, pk):
    deal = get_object_or_404(Deal, pk=pk)

    def change(status):
        services.deal_update(deal=deal, status=status)
        return f"The deal is now {deal.get_status_display().lower()}."

    return _status_change(request, DealStatusForm(request.POST), change, back=_url("deal-detail", pk))


@staff_required
def deal_offer(request, pk):
    """Choose among the properties this client has not been offered yet, several at once."""
    deal = get_object_or_404(Deal.objects.select_related("contact"), pk=pk)
    if deal.status != Deal.Status.OPEN:
        messages.error(request, "This deal is closed; reopen it to offer properties.")
        return redirect(f"{NS}:deal-detail", pk=pk)
    query = request.GET.get("q", "").strip()[:100]
    form = OfferForm(_posted(request), offerable=queries.offerable_properties(contact=deal.contact))
    if request.method == "POST" and form.is_valid():
        chosen = list(form.cleaned_data["properties"])
        try:
            with transaction.atomic():
                for prop in chosen:
                    try:
                        services.property_offer(deal=deal, property=prop, actor=actor(request))
                    except ValidationError as exc:
                        raise ValidationError(
                            {"properties": [f"{prop.title}: {m}" for m in exc.messages]}
                        ) from exc
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            names = "1 property" if len(chosen) == 1 else f"{len(chosen)} properties"
            messages.success(
                request, f"{names} offered to {deal.contact.full_name}: in their portal now, marked new."
            )
            return redirect(f"{NS}:deal-detail", pk=pk)
    offerable = queries.offerable_properties(contact=deal.contact, query=query).order_by("-created", "-id")
    shown = queries.with_covers(offerable[: OFFERABLE_SHOWN + 1])
    checked = {value for value in request.POST.getlist("properties")} if request.method == "POST" else set()
    return _render(
        request,
        "real_estate/office/deals/offer.html",
        {
            "deal": deal,
            "form": form,
            "properties": shown[:OFFERABLE_SHOWN],
            "more": len(shown) > OFFERABLE_SHOWN,
            "query": query,
            "checked": checked,
        },
        status=400 if request.method == "POST" else 200,
    )


@staff_required
@require_POST
def offer_approve(request, pk):
    offer = get_object_or_404(OfferedProperty.objects.select_related("property", "deal__contact"), pk=pk)
    try:
        services.property_approve(offer=offer, approved_by=request.user, actor=actor(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{offer.property.title} is approved for {offer.deal.contact.full_name}.")
    return redirect(_back(request, f"{_url('deal-detail', offer.deal_id)}#offer-{offer.pk}"))


# --- viewings -----------------------------------------------------------------------------------


@staff_required
@never_cache
def agenda(request):
    """Requests to answer, past viewings to mark as visited, proposals waiting for the client, then
    the upcoming confirmed viewings by day."""
    now = timezone.now()
    page = Paginator(office_agenda(start=now), AGENDA_PER_PAGE).get_page(request.GET.get("page"))
    return _render(
        request,
        "real_estate/office/viewings/agenda.html",
        {
            "awaiting": viewings_awaiting_office(),
            "to_mark": queries.viewings_to_mark_visited(now=now)[:AGENDA_PER_PAGE],
            "proposed": queries.viewings_awaiting_client(),
            "page": page,
            "query_string": query_without(request, "page"),
            "now": now,
        },
    )


def _viewing(pk) -> Viewing:
    return get_object_or_404(Viewing.objects.for_listing(), pk=pk)


@staff_required
@never_cache
def viewing_detail(request, pk, *, forms=None, status=200):
    viewing = _viewing(pk)
    forms = forms or {}
    return _render(
        request,
        "real_estate/office/viewings/detail.html",
        {
            "viewing": viewing,
            "offer": viewing.offered,
            "contact": viewing.offered.deal.contact,
            "slot_form": forms.get("slot") or SlotChoiceForm(viewing=viewing),
            "time_form": forms.get("time") or ViewingTimeForm(),
            "cancel_form": forms.get("cancel") or ViewingCancelForm(),
            "now": timezone.now(),
        },
        status=status,
    )


def _viewing_action(request, pk, *, key: str, form, act, field: str | None = None):
    """Run ``act(form.cleaned_data)`` (which returns what to tell the office) on a valid ``form``;
    on a refusal, show the viewing's page again with the messages on that form (on ``field`` when
    the service names none)."""
    if form.is_valid():
        try:
            done = act(form.cleaned_data)
        except ValidationError as exc:
            _refused(request, form, exc, field=field)
        else:
            messages.success(request, done)
            return redirect(_back(request, _url("agenda")))
    return viewing_detail(request, pk, forms={key: form}, status=400)


@staff_required
@require_POST
def viewing_confirm(request, pk):
    viewing = _viewing(pk)

    def confirm(data):
        services.viewing_confirm(viewing=viewing, start=data["slot"].start, actor=actor(request))
        return f"Viewing confirmed for {_when(data['slot'].start)}. The client gets an email."

    return _viewing_action(
        request, pk, key="slot", form=SlotChoiceForm(request.POST, viewing=viewing), act=confirm
    )


@staff_required
@require_POST
def viewing_propose(request, pk):
    viewing = _viewing(pk)
    form = ViewingTimeForm(request.POST)

    def propose(data):
        if viewing.status not in (Viewing.Status.REQUESTED, Viewing.Status.PROPOSED):
            raise ValidationError(
                "Only a requested viewing can get another time; move a confirmed one instead."
            )
        answered = services.viewing_confirm(viewing=viewing, start=data["start"], actor=actor(request))
        if answered.status == Viewing.Status.CONFIRMED:  # the time was one the client had chosen
            return f"Viewing confirmed for {_when(answered.start)}. The client gets an email."
        return (
            f"{_when(answered.proposed_start)} proposed to the client: they get an email and accept it "
            "in their portal."
        )

    return _viewing_action(request, pk, key="time", form=form, act=propose, field="start")


@staff_required
@require_POST
def viewing_reschedule(request, pk):
    viewing = _viewing(pk)

    def reschedule(data):
        moved = services.viewing_reschedule(viewing=viewing, start=data["start"], actor=actor(request))
        return f"Viewing moved to {_when(moved.start or moved.proposed_start)}. The client gets an email."

    return _viewing_action(
        request, pk, key="time", form=ViewingTimeForm(request.POST), act=reschedule, field="start"
    )


@staff_required
@require_POST
def viewing_cancel(request, pk):
    viewing = _viewing(pk)

    def cancel(data):
        services.viewing_cancel(
            viewing=viewing, by=Viewing.Party.OFFICE, actor=actor(request), reason=data["reason"]
        )
        return "Viewing cancelled. The client gets an email."

    return _viewing_action(request, pk, key="cancel", form=ViewingCancelForm(request.POST), act=cancel)


@staff_required
@require_POST
def viewing_visited(request, pk):
    viewing = _viewing(pk)
    try:
        services.viewing_mark_visited(viewing=viewing, actor=actor(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(f"{NS}:viewing-detail", pk=pk)
    messages.success(
        request,
        f"Marked as visited. {viewing.offered.deal.contact.full_name} can now give feedback on "
        f"{viewing.offered.property.title}.",
    )
    return redirect(_back(request, _url("agenda")))


# --- messages from clients ----------------------------------------------------------------------


@staff_required
@never_cache
def inbox(request):
    unread_only = request.GET.get("show") == "unread"
    inbox_messages = agent_messages_inbox()
    if unread_only:
        inbox_messages = inbox_messages.filter(read_at__isnull=True)
    page = Paginator(inbox_messages, MESSAGES_PER_PAGE).get_page(request.GET.get("page"))
    return _render(
        request,
        "real_estate/office/messages/inbox.html",
        {
            "page": page,
            "unread_only": unread_only,
            "query_string": query_without(request, "page"),
            "unread": agent_messages_unread_count(),
        },
    )


@staff_required
@never_cache
def message_detail(request, pk):
    """Opening a message marks it read; its form emails the reply to the client."""
    message = get_object_or_404(agent_messages_inbox().select_related("offered__deal"), pk=pk)
    form = ReplyForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.agent_reply(message=message, body=form.cleaned_data["body"], actor=actor(request))
        except ValidationError as exc:
            _refused(request, form, exc)
        else:
            messages.success(request, f"Reply emailed to {message.contact.email}.")
            return redirect(f"{NS}:message-detail", pk=pk)
    services.agent_message_read(message=message)
    return _render(
        request,
        "real_estate/office/messages/detail.html",
        {"message": message, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@staff_required
def home(request):
    return redirect(f"{NS}:properties")
