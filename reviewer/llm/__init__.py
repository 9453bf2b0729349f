"""LLM backends chosen by name, their errors, the local model and the prompt files."""

from reviewer.llm.providers import LLMError, complete, make_chat_model, resolve_llm

__all__ = ["LLMError", "complete", "make_chat_model", "resolve_llm"]
