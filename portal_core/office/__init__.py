"""The office console at ``/office/`` on an office's host: the shell every page uses (``shell``),
the core's pages, and the URL list (``urls``) that mounts them with each module's office pages."""
