"""Password hashing and signed access tokens."""
