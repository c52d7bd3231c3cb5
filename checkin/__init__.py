"""Muster's core: plain Python, no Qt. Everything here runs from the CLI and tests."""
