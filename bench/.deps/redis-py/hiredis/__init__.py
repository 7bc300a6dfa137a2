from hiredis.hiredis import Reader, HiredisError, pack_command, ProtocolError, ReplyError, PushNotification
from hiredis.version import __version__

__all__ = [
  "Reader",
  "HiredisError",
  "pack_command",
  "ProtocolError",
  "PushNotification",
  "ReplyError",
  "__version__"]
