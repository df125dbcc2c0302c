"""The office's endpoint form: URL, description, and which events (every one, or a chosen few)."""

from __future__ import annotations

from django import forms

from webhooks.catalogue import event_catalogue


class EndpointForm(forms.Form):
    url = forms.URLField(
        label="Endpoint URL",
        max_length=2000,
        assume_scheme="https",
        help_text="Portico sends a signed POST with a JSON body to this address.",
        widget=forms.URLInput(attrs={"placeholder": "https://example.com/webhooks/portico"}),
    )
    description = forms.CharField(
        label="Description", max_length=200, required=False, help_text="Optional: what receives these events."
    )
    scope = forms.ChoiceField(
        label="Events",
        choices=[("all", "Every event, including ones added later"), ("some", "Only the events I choose")],
        initial="all",
        widget=forms.RadioSelect,
    )
    event_types = forms.MultipleChoiceField(
        label="Events to send", required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, endpoint=None, **kwargs):
        if endpoint is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "url": endpoint.url,
                "description": endpoint.description,
                "scope": "some" if endpoint.event_types else "all",
                "event_types": endpoint.event_types,
            }
        super().__init__(*args, **kwargs)
        self.catalogue = event_catalogue()
        self.fields["event_types"].choices = [(t.name, t.name) for t in self.catalogue]

    def event_groups(self) -> list[tuple[str, list[dict]]]:
        """The catalogue grouped for the checkboxes: core events, then each module's."""
        chosen = set(self["event_types"].value() or [])
        groups: dict[str, list[dict]] = {}
        for event_type in self.catalogue:
            groups.setdefault(event_type.module or "Portal and contacts", []).append(
                {"type": event_type, "checked": event_type.name in chosen}
            )
        return list(groups.items())

    def clean(self):
        data = super().clean()
        if data.get("scope") == "some" and not data.get("event_types"):
            self.add_error("event_types", "Choose at least one event, or send every event.")
        return data

    def chosen_event_types(self) -> list[str]:
        return [] if self.cleaned_data["scope"] == "all" else self.cleaned_data["event_types"]
