"""Source keys: made here, shown once, stored as a digest.

A key is "dsk_" and 43 characters of 32 random bytes. Only its SHA-256 digest is
kept (and its first 12 characters, to tell keys apart in the admin): with that
much randomness a plain digest cannot be reversed or guessed, so no slow hash
is needed, and finding the source of a key stays one indexed lookup.
"""

import hashlib
import secrets

PREFIX = "dsk_"
MAX_LENGTH = 200


def new_key():
    return PREFIX + secrets.token_urlsafe(32)


def digest(key):
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def prefix_of(key):
    return key[:12]
