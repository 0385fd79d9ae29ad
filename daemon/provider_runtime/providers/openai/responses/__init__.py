"""OpenAI's Responses API, always stateless (``store: false``): encoder, decoder and wire types.

Reference: https://platform.openai.com/docs/api-reference/responses/create (the spec's
``CreateResponse`` and ``Response``). ``OpenAIAdapter`` sends a model here or to Chat
Completions by its ``api`` setting (``providers/openai/adapter.py``).
"""
