"""Helpers shared by tests and benchmarks (LibreOffice harness, ...)."""
