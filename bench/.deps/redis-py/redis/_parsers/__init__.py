from .base import (
    AsyncPushNotificationsParser,
    BaseParser,
    PushNotificationsParser,
    _AsyncRESPBase,
)
from .commands import AsyncCommandsParser, CommandsParser
from .encoders import Encoder
from .hiredis import _AsyncHiredisParser, _HiredisParser
from .resp2 import _AsyncRESP2Parser, _RESP2Parser
from .resp3 import _AsyncRESP3Parser, _RESP3Parser

__all__ = [
    "AsyncCommandsParser",
    "_AsyncHiredisParser",
    "_AsyncRESPBase",
    "_AsyncRESP2Parser",
    "_AsyncRESP3Parser",
    "AsyncPushNotificationsParser",
    "CommandsParser",
    "Encoder",
    "BaseParser",
    "_HiredisParser",
    "_RESP2Parser",
    "_RESP3Parser",
    "PushNotificationsParser",
]
