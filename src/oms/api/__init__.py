"""The REST API (FastAPI). Routes are thin: parse, call one domain action, return a schema."""
