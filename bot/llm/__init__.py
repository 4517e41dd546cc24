"""Opt-in LLM answer mode: any OpenAI-compatible chat endpoint, every citation verified before display.

Modules: `client` (the ChatModel seam), `context`, `budget`, `prompt`, `parse`, `locate`,
`support`, `answerer`.
Nothing here imports llama-index or openai at import time.
"""
