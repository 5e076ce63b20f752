"""Cryptography helpers: envelope encryption and secret hashing."""
