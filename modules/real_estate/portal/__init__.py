"""The real-estate module's portal pages."""
