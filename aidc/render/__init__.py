"""Renderers for people (rich tables); they read the same dicts the --json output prints."""
