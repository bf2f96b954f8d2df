"""Estimates researchers argue about, from the catalog's sourced numbers."""
