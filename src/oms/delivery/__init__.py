"""Reaching people who are not looking (DESIGN §10): preferences, email, Web Push, deliveries."""
