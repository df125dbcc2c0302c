"""Shared pieces of the benchmarks in ``bench/``: environment, Django settings, URLconf, views.

They live in this package rather than next to the scripts because ``make bench`` runs every
``bench/*.py`` as a script.
"""
