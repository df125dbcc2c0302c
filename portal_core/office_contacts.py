"""The office's contacts, companies and their portal accounts."""

urlpatterns: list = []
