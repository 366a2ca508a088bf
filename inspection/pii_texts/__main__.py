from __future__ import annotations

from inspection.pii_texts import main

main()
