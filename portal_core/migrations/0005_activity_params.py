"""Activity entries store their verb's parameters and are rendered when shown. Entries written
before keep their English text (``summary``) for the office; where the text names its parameters
(a property's title, a message's subject, the changed fields) they are read back into ``params``, so
clients read those entries in their own language too. Nothing is left blank."""

import re

from django.db import migrations, models

# verb → the English sentences it was written with, each with the parameters it carried.
PATTERNS = {
    "deal_created": [(r"^Deal opened: (?P<title>.+)$", {})],
    "property_offered": [(r"^Property offered: (?P<title>.+)$", {})],
    "interest_changed": [
        (r"^Not interested in (?P<title>.+)$", {"interest": "not_interested"}),
        (r"^Interested in (?P<title>.+)$", {"interest": "interested"}),
    ],
    "favourite_changed": [
        (r"^Added (?P<title>.+) to favourites$", {"change": "added"}),
        (r"^Removed (?P<title>.+) from favourites$", {"change": "removed"}),
    ],
    "property_approved": [(r"^Approved (?P<title>.+)$", {})],
    "viewing_requested": [(r"^Asked to view (?P<title>.+)$", {})],
    "viewing_proposed": [(r"^Proposed another time to view (?P<title>.+)$", {})],
    "viewing_confirmed": [(r"^Viewing of (?P<title>.+) confirmed$", {})],
    "viewing_rescheduled": [(r"^Viewing of (?P<title>.+) moved$", {})],
    "viewing_cancelled": [
        (r"^The office cancelled the viewing of (?P<title>.+)$", {"by": "office"}),
        (r"^Cancelled the viewing of (?P<title>.+)$", {"by": "client"}),
    ],
    "viewing_visited": [(r"^Visited (?P<title>.+)$", {})],
    "feedback_submitted": [
        (r"^Gave feedback on (?P<title>.+) \((?P<rating>[1-5])/5\)$", {"rated": "rated"}),
        (r"^Gave feedback on (?P<title>.+)$", {"rated": ""}),
    ],
    "agent_contacted": [(r"^Wrote to the office: (?P<subject>.+)$", {})],
    "agent_replied": [(r"^Replied to: (?P<subject>.+)$", {})],
    "previewed": [(r"^Portal previewed by (?P<by>.+)$", {})],
    "file_shared": [
        (r"^Shared the file (?P<name>.+)$", {"by": "client"}),
        (r"^The office shared (?P<name>.+)$", {"by": "office"}),
    ],
    "self_registered": [
        (r"^Registered in the portal \(linked to this contact\)$", {"how": "linked"}),
        (r"^Registered in the portal \(new lead\)$", {"how": "lead"}),
    ],
}
COMPILED = {verb: [(re.compile(p), extra) for p, extra in rules] for verb, rules in PATTERNS.items()}


def params_from_text(apps, schema_editor):
    ActivityEntry = apps.get_model("portal_core", "ActivityEntry")
    changed = []
    for entry in ActivityEntry.objects.filter(params={}).exclude(summary="").iterator(chunk_size=2000):
        params = None
        if entry.verb in ("contact_updated", "company_updated") and entry.data.get("fields"):
            params = {"fields": entry.data["fields"]}
        for pattern, extra in COMPILED.get(entry.verb, ()):
            match = pattern.match(entry.summary)
            if match:
                params = {**match.groupdict(), **extra}
                break
        if params is not None:
            entry.params = params
            changed.append(entry)
    ActivityEntry.objects.bulk_update(changed, ["params"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("portal_core", "0004_time_zone")]

    operations = [
        migrations.AddField(
            model_name="activityentry", name="params", field=models.JSONField(blank=True, default=dict)
        ),
        migrations.AlterField(
            model_name="activityentry", name="summary", field=models.CharField(blank=True, max_length=300)
        ),
        migrations.RunPython(params_from_text, migrations.RunPython.noop),
    ]
