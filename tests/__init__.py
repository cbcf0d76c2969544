import os

# Before any `oms` import: new password hashes use argon2's cheapest profile (passwords.py), so
# log-ins and registrations in the suite cost microseconds, not 100 ms each.
os.environ.setdefault("APP_ENV", "test")
