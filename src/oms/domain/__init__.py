"""The clinic's rules and actions. Imports neither FastAPI nor socket.io."""
