"""Synthetic production traffic of an LLM support assistant, with a manifest of every planted PII value.

Modules: `vocab` (word lists and text), `pii` (personal values), `conversations` (sessions and one
request), `traffic` (one day), `writer` (shards and manifest), `runner` (`generate`).
"""

from .runner import GenerateSummary, default_manifest_path, generate

__all__ = ["GenerateSummary", "default_manifest_path", "generate"]
