"""The placeholder vault of a held request, encrypted at rest (AES-GCM, `cryptography`).

A held request (routing.models.HeldRequest) waits for a person's approval with the bundle that would leave,
redacted, in clear (the approver reads it) and the vault that restores the answer sealed here: a 256-bit key
derived (HKDF-SHA256) from settings.HELD_VAULT_KEY, a random nonce per seal, and the row it belongs to as
associated data, so a sealed vault moved to another row does not open.
"""

from __future__ import annotations

import json
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from routing.redaction import Vault

FORMAT = b"v1"
NONCE_BYTES = 12


class VaultUnreadable(Exception):
    """A sealed vault does not open: another key, another row, or edited bytes."""


def _cipher(key: str) -> AESGCM:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"sluice held-request vault").derive(
        key.encode()
    )
    return AESGCM(derived)


def seal_vault(vault: Vault, *, row: str, key: str) -> bytes:
    """The vault's placeholders and values, encrypted under `key` and bound to `row` (e.g. "held:42")."""
    plain = json.dumps(vault.export_for_sealing(), ensure_ascii=False, separators=(",", ":")).encode()
    nonce = os.urandom(NONCE_BYTES)
    return FORMAT + nonce + _cipher(key).encrypt(nonce, plain, row.encode())


def open_vault(sealed: bytes, *, row: str, key: str) -> Vault:
    """The vault seal_vault() sealed for `row`. Raises VaultUnreadable when it does not open."""
    sealed = bytes(sealed)
    if not sealed.startswith(FORMAT):
        raise VaultUnreadable("not a sealed vault (deleted, or of an unknown format)")
    nonce, body = sealed[len(FORMAT) : len(FORMAT) + NONCE_BYTES], sealed[len(FORMAT) + NONCE_BYTES :]
    try:
        plain = _cipher(key).decrypt(nonce, body, row.encode())
    except InvalidTag:
        raise VaultUnreadable("the vault does not open with this key for this row") from None
    return Vault.from_sealed({p: (kind, value) for p, (kind, value) in json.loads(plain).items()})
