"""Who the bot answers where: optional allowlists of channels and users."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Access:
    """Empty lists allow everyone. The channel list does not apply to direct messages."""

    channels: frozenset[str] = frozenset()
    users: frozenset[str] = frozenset()

    def allows(self, channel: str, user: str, is_dm: bool) -> bool:
        if self.users and user not in self.users:
            return False
        return is_dm or not self.channels or channel in self.channels
