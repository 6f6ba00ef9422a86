"""Filled in by a later issue; see DESIGN.md."""
