"""A fake chat model with queued replies, for demos, evals and tests.

langchain_core's FakeListChatModel cycles its replies and records nothing, so it cannot show
what a caller sent; this one replies from a queue and records every list of messages.
"""

from __future__ import annotations

from typing import Any

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import Field

from reviewer.llm.errors import LLMError


class FakeChatModel(BaseChatModel):
    """A chat model that replies from a queue and records every list of messages it receives.

    A queued item that is an exception is raised instead of replied, to rehearse failures.

    Example:
        >>> fake = FakeChatModel(replies=["Irisin rises after training [1]."])
        >>> fake.invoke("question").content
        'Irisin rises after training [1].'
        >>> len(fake.received)
        1
    """

    replies: list[Any] = Field(default_factory=list)
    received: list[list[Any]] = Field(default_factory=list)
    model_name: str = "fake"

    @property
    def _llm_type(self) -> str:
        return "fake"

    @property
    def spec(self) -> str:
        return f"fake:{self.model_name}"

    def _generate(self, messages, stop=None, run_manager=None, **kwargs) -> ChatResult:
        self.received.append(list(messages))
        if not self.replies:
            raise LLMError("FakeChatModel has no queued reply left")
        reply = self.replies.pop(0)
        if isinstance(reply, BaseException):
            raise reply
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=str(reply)))])
