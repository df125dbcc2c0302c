"""The real-estate module's office pages."""
