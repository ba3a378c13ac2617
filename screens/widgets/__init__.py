"""Shared widgets reused by every post screen."""
