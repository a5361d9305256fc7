"""Account security adapters: password hashing, breached-password lists, strength, TOTP, QR."""
