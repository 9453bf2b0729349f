"""The text of a chat message or reply, whatever shape its content has."""

from __future__ import annotations


def message_text(message) -> str:
    """The text of a message: a string, or content blocks (Anthropic and others) joined."""
    content = getattr(message, "content", message)
    if isinstance(content, list):
        return "".join(b.get("text", "") if isinstance(b, dict) else str(b) for b in content)
    return content if isinstance(content, str) else str(content)
