"""provider-runtime: one canonical request and response for every LLM provider."""

__version__ = "0.1.0"
