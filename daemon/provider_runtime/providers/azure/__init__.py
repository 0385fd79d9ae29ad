"""Azure OpenAI: OpenAI's Chat Completions and Responses on an Azure resource (``adapter.py``)."""

from .adapter import AzureOpenAIAdapter, azure_paths, resource_root
from .decode import decode_azure_chat, filtered_categories

__all__ = [
    "AzureOpenAIAdapter",
    "azure_paths",
    "decode_azure_chat",
    "filtered_categories",
    "resource_root",
]
