"""Reading what a model wrote: the JSON object of a reply, however it was wrapped."""

from __future__ import annotations

import json
from typing import Optional


def parse_json_reply(reply: str) -> Optional[dict]:
    """The JSON object of a reply (code fences and surrounding words tolerated), or None.

    Example:
        >>> parse_json_reply('Sure: ```json\\n{"mixed": false}\\n```')
        {'mixed': False}
    """
    start, end = reply.find("{"), reply.rfind("}")
    if start < 0 or end <= start:
        return None
    try:
        data = json.loads(reply[start:end + 1])
    except json.JSONDecodeError:
        return None
    return data if isinstance(data, dict) else None
