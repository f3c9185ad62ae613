"""Statutory returns: read, validate and load SSDA903, the CIN census and Ofsted's Annex A."""
