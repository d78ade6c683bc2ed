"""Packaging of the desktop: the frozen bundle's entry point and self-test (see installers/README.md)."""
