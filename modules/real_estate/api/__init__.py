"""The real-estate module's REST API, mounted by the registry at ``/api/v1/real-estate/``.

The office's endpoints (an API key or a staff JWT; writes need the ``write`` scope) cover
properties with their photos, deals and the properties offered through them, viewings, feedback and
the clients' messages; ``me/…`` gives a portal account's JWT its own offered properties and viewings,
read-only, for widgets an office builds on its own site. Every write calls ``services``."""
