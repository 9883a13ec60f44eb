"""Residents' tip-offs and their liaisons (issue 25): central/tipoffs/service.py."""
