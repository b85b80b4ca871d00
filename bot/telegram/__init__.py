"""The Telegram door (python-telegram-bot 22).

Modules, each read top to bottom: ``door`` (the Application's life cycle: build, start, stop, polling),
``webhook`` (webhook mode's server), ``ratelimit`` (flood limits, bounded), ``updates`` (what each update
does), ``dialogue`` (the guided /log), ``convert`` (updates → core types), ``messenger`` (sending),
``render`` (HTML splitting, the BotFather command list — no PTB import), ``buttons`` (what a button carries:
its command, or a token of one stored in the database), ``files`` (downloading an attached CSV).

``TelegramDoor`` is resolved lazily so that importing a PTB-free submodule does not load PTB.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.telegram.door import TelegramDoor

__all__ = ["TelegramDoor"]


def __getattr__(name: str) -> Any:
    if name == "TelegramDoor":
        from bot.telegram.door import TelegramDoor

        return TelegramDoor
    raise AttributeError(name)
