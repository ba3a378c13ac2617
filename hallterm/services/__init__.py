"""Domain services: one module per area, each a flat set of keyword-only functions."""
