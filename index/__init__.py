"""Embeddings, the Chroma-backed archive store and retrieval. Knows nothing of files, answers or Slack."""
