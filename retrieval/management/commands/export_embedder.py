from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from retrieval.embedders.onnx_export import FP32_FILE, INT8_FILE, export_folder, export_model


class Command(BaseCommand):
    help = (
        "Export the shipped embedding model to ONNX (fp32 and int8) in SLUICE_DATA_DIR/models, from the installed "
        "wheel, offline. Does nothing when a complete export of the installed versions is there; `serve` and "
        "the ONNX embedder run it themselves when it is missing."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        folder = export_folder(settings.DATA_DIR)
        wrote = export_model(folder)
        sizes = ", ".join(f"{name} {(folder / name).stat().st_size / 1e6:.0f} MB" for name in (FP32_FILE, INT8_FILE))
        self.stdout.write(f"{'Exported' if wrote else 'Already exported'}: {folder} ({sizes})")
