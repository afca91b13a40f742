"""What the Teams adapter may know of the people it writes to, and nothing more.

Teams only lets a bot write into a conversation it has a saved reference for, and a card mentions people
by the names the program knows. The chat port needs exactly that: read and save references, and look up
display names. It gets this narrow port instead of the whole unit of work, so it cannot reach the
program's other data, and each lookup is one short transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from conversations.batched_lookup import BatchedLookup
from conversations.domain import ConversationRef, UserRef
from conversations.ports import UnitOfWorkFactory


class ConversationDirectory(Protocol):
    async def reference(self, user: UserRef) -> ConversationRef | None:
        """The saved conversation with `user` (or a tenant's, under its reserved id), if any."""
        ...

    async def display_names(self, users: Sequence[UserRef]) -> dict[UserRef, str]:
        """Each person's name in the program, else the name the platform last sent with them."""
        ...

    async def remember(self, refs: Sequence[ConversationRef]) -> None:
        """Saves references an inbound activity proved; only those that changed are written."""
        ...

    async def forget(self, user: UserRef) -> None: ...


class StoredConversationDirectory:
    """The directory over the program's store; lookups made together are read together."""

    def __init__(self, uow_factory: UnitOfWorkFactory) -> None:
        self._uow_factory = uow_factory
        self._references = BatchedLookup(self._read_references)
        self._names = BatchedLookup(self._read_names)

    async def reference(self, user: UserRef) -> ConversationRef | None:
        return await self._references.get(user)

    async def display_names(self, users: Sequence[UserRef]) -> dict[UserRef, str]:
        return await self._names.get_many(users)

    async def remember(self, refs: Sequence[ConversationRef]) -> None:
        if not refs:
            return
        async with self._uow_factory() as uow:
            existing = await uow.conversation_refs.get_many([ref.user for ref in refs])
            changed = [
                ref for ref in refs if (saved := existing.get(ref.user)) is None or saved.data != ref.data
            ]
            for ref in changed:
                await uow.conversation_refs.save(ref)
            if changed:
                await uow.commit()

    async def forget(self, user: UserRef) -> None:
        async with self._uow_factory() as uow:
            await uow.conversation_refs.delete(user)
            await uow.commit()

    async def _read_references(self, users: list[UserRef]) -> dict[UserRef, ConversationRef]:
        async with self._uow_factory() as uow:
            return await uow.conversation_refs.get_many(users)

    async def _read_names(self, users: list[UserRef]) -> dict[UserRef, str]:
        async with self._uow_factory() as uow:
            participants = await uow.participants.get_many(users)
            unnamed = [user for user in users if not getattr(participants.get(user), "display_name", None)]
            refs = await uow.conversation_refs.get_many(unnamed) if unnamed else {}
        names: dict[UserRef, str] = {}
        for user in users:
            participant = participants.get(user)
            if participant is not None and participant.display_name:
                names[user] = participant.display_name
                continue
            saved = refs.get(user)
            account = saved.data.get("user") if saved else None
            name = account.get("name") if isinstance(account, dict) else None
            if isinstance(name, str) and name:
                names[user] = name
        return names
