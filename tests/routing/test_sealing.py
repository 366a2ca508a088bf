"""The sealed vault of a held request (routing/sealing.py): it opens only with its key, for its row."""

from __future__ import annotations

import pytest

from routing.redaction import Vault, restore
from routing.sealing import VaultUnreadable, open_vault, seal_vault

KEY = "k" * 40


def vault_with_an_email() -> Vault:
    vault = Vault()
    vault.placeholder_for("email", "dana.cho@quillfern.example")
    vault.placeholder_for("secret", "ghp_never_stored")
    return vault


def test_a_sealed_vault_opens_for_its_row_and_restores():
    sealed = seal_vault(vault_with_an_email(), row="held:7", key=KEY)

    opened = open_vault(sealed, row="held:7", key=KEY)

    assert b"dana.cho" not in sealed and b"quillfern" not in sealed
    restored = restore("Write to [EMAIL_1], not [SECRET_1].", opened)
    assert restored == "Write to dana.cho@quillfern.example, not [SECRET_1]."


def test_each_seal_is_different():
    vault = vault_with_an_email()
    assert seal_vault(vault, row="held:7", key=KEY) != seal_vault(vault, row="held:7", key=KEY)


@pytest.mark.parametrize(
    "row, key, edit",
    [
        ("held:8", KEY, None),  # moved to another row
        ("held:7", "x" * 40, None),  # another key
        ("held:7", KEY, "flip"),  # a byte edited
        ("held:7", KEY, "empty"),  # deleted
    ],
)
def test_a_sealed_vault_does_not_open_elsewhere(row, key, edit):
    sealed = seal_vault(vault_with_an_email(), row="held:7", key=KEY)
    if edit == "empty":
        sealed = b""
    elif edit == "flip":
        sealed = sealed[:-1] + bytes([sealed[-1] ^ 1])

    with pytest.raises(VaultUnreadable):
        open_vault(sealed, row=row, key=key)
