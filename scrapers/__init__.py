"""Fetch, parse and store published model details as sourced claims."""
