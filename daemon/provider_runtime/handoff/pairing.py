"""Second handoff pass: every tool call gets exactly one result, directly after its message.

A result answers the most recent earlier unanswered call with its id, wherever it sits; calls
left unanswered get a synthetic error result, results answering no call become text. Results
opening the next user message (Anthropic's shape) are already directly after their calls.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import msgspec

from ..core.types import CacheBreakpoint, MessageRole, ToolCall, ToolResult
from .model import HandoffTarget, Notices, Slot, WorkMessage
from .parts import result_as_text
from .tool_ids import assign_tool_call_ids

__all__ = ["SYNTHETIC_RESULT_TEXT", "pair_tool_calls"]

SYNTHETIC_RESULT_TEXT = "No result was recorded for this tool call."

Position = tuple[int, int]  # (index in the working list, index within its slots)


@dataclass(slots=True, eq=False)  # calls compare by identity
class _Call:
    at: Position
    slot: Slot
    call: ToolCall
    new_id: str = ""
    result: Position | None = None
    result_slot: Slot | None = None  # kept here: the message holding it may be rewritten first


def pair_tool_calls(
    work: list[WorkMessage], target: HandoffTarget, notices: Notices
) -> list[WorkMessage]:
    """Rewrite ids, then lay out each assistant message with calls followed by their results."""
    pairing = _Pairing(work=work, target=target, notices=notices)
    pairing.scan()
    pairing.assign_ids()
    return list(pairing.layout())


@dataclass(slots=True)
class _Pairing:
    work: list[WorkMessage]
    target: HandoffTarget
    notices: Notices
    calls: list[_Call] = field(default_factory=list)
    claimed: dict[Position, _Call] = field(default_factory=dict)  # result -> call it answers
    orphans: dict[Position, str] = field(default_factory=dict)  # result -> why it answers none

    by_message: dict[int, list[_Call]] = field(default_factory=dict)

    def calls_of(self, k: int) -> list[_Call]:
        return self.by_message.get(k, [])

    def scan(self) -> None:
        pending: dict[str, list[_Call]] = {}
        for k, message in enumerate(self.work):
            for pos, slot in enumerate(message.slots):
                part = slot.part
                if isinstance(part, ToolCall):
                    call = _Call(at=(k, pos), slot=slot, call=part)
                    self.calls.append(call)
                    self.by_message.setdefault(k, []).append(call)
                    pending.setdefault(part.id, []).append(call)
                elif isinstance(part, ToolResult):
                    waiting = pending.get(part.tool_call_id)
                    if waiting:
                        call = waiting.pop()
                        call.result, call.result_slot = (k, pos), slot
                        self.claimed[(k, pos)] = call
                    else:
                        called = part.tool_call_id in pending
                        self.orphans[(k, pos)] = "duplicate_result" if called else "no_earlier_call"

    def assign_ids(self) -> None:
        caps = self.target.capabilities
        for call, new in zip(
            self.calls, assign_tool_call_ids([c.call.id for c in self.calls], caps), strict=True
        ):
            call.new_id = new.new
            if not new.reason:
                continue
            self.notices.at(
                "handoff.tool_call_id_rewritten",
                f"Rewrote tool call id {new.old!r} to {new.new!r} ({new.reason}); "
                "its result follows the new id.",
                call.slot.origin,
                old_id=new.old,
                new_id=new.new,
                reason=new.reason,
            )
            if not new.fits:
                self.notices.at(
                    "handoff.tool_call_id_unfit",
                    f"No id matching {caps.tool_call_id_pattern!r} within "
                    f"{caps.tool_call_id_max_length} characters could be made for tool call "
                    f"{new.old!r}; using {new.new!r}.",
                    call.slot.origin,
                    old_id=new.old,
                    new_id=new.new,
                )

    def layout(self) -> Iterator[WorkMessage]:
        k = 0
        while k < len(self.work):
            calls = self.calls_of(k) if self.work[k].role == MessageRole.ASSISTANT else []
            if not calls:
                yield from self.rest([k])
                k += 1
                continue
            yield self.with_new_ids(k)
            end = k + 1
            while end < len(self.work) and self.work[end].role == MessageRole.TOOL:
                end += 1
            user = end if self.opens_with_results(end, calls) else None
            yield from self.segment(k, range(k + 1, end), user, calls)
            k = end if user is None else end + 1

    def leading_results(self, i: int) -> list[Position]:
        """Where the tool results that open message ``i`` sit (before any other part)."""
        positions: list[Position] = []
        for pos, slot in enumerate(self.work[i].slots):
            if not isinstance(slot.part, ToolResult):
                break
            positions.append((i, pos))
        return positions

    def opens_with_results(self, i: int, calls: list[_Call]) -> bool:
        """Whether user message ``i`` opens with results of ``calls`` (Anthropic's shape)."""
        if i >= len(self.work) or self.work[i].role != MessageRole.USER:
            return False
        return any(self.claimed.get(at) in calls for at in self.leading_results(i))

    def answer(self, call: _Call) -> Slot:
        """The result of ``call`` under its new id (a synthetic error when it has none)."""
        if call.result_slot is None:
            synthetic = ToolResult(
                tool_call_id=call.new_id, content=SYNTHETIC_RESULT_TEXT, is_error=True
            )
            return Slot(synthetic, None)
        slot = call.result_slot
        assert isinstance(slot.part, ToolResult)
        if slot.part.tool_call_id == call.new_id:
            return slot
        return Slot(msgspec.structs.replace(slot.part, tool_call_id=call.new_id), slot.origin)

    def with_new_ids(self, k: int) -> WorkMessage:
        """Assistant message ``k`` with its calls renamed (any results inside it move out)."""
        message = self.work[k]
        renamed = {c.at: c for c in self.calls_of(k) if c.new_id != c.call.id}
        slots: list[Slot] = []
        for pos, slot in enumerate(message.slots):
            call = renamed.get((k, pos))
            if call is not None:
                slot = Slot(msgspec.structs.replace(call.call, id=call.new_id), slot.origin)
            slots.extend(self.keep_or_convert(slot, (k, pos), message.role))
        message.replace(slots)
        return message

    def keep_or_convert(self, slot: Slot, at: Position, role: MessageRole) -> list[Slot]:
        """Drop a result answered elsewhere, write an orphan result as text, keep the rest."""
        if at in self.claimed:
            return []
        reason = self.orphans.get(at)
        if reason is None:
            return [slot]
        assert isinstance(slot.part, ToolResult)
        self.notices.at(
            "handoff.orphan_tool_result",
            f"Wrote the result for tool call {slot.part.tool_call_id!r} as text: it answers no "
            f"earlier call ({reason}).",
            slot.origin,
            tool_call_id=slot.part.tool_call_id,
            reason=reason,
        )
        return result_as_text(slot, role, self.target, self.notices)

    def rest(self, indices: list[int]) -> Iterator[WorkMessage]:
        """What stays of messages ``indices`` once their answered results have moved.

        Tool-message leftovers (orphans written as text, stray text or images) become one user
        message: the user side is where content that answers nothing belongs.
        """
        leftovers: list[Slot] = []
        sources: tuple[int, ...] = ()
        for k in indices:
            message = self.work[k]
            is_tool = message.role == MessageRole.TOOL
            role = MessageRole.USER if is_tool else message.role
            slots: list[Slot] = []
            for pos, slot in enumerate(message.slots):
                converted = self.keep_or_convert(slot, (k, pos), role)
                if is_tool and converted == [slot] and not _is_breakpoint(slot):
                    self.notices.at(
                        "handoff.misplaced_part",
                        "Moved a non-result part of a tool message into a user message.",
                        slot.origin,
                    )
                slots.extend(converted)
            if is_tool:
                leftovers.extend(slots)
                sources += message.sources
            elif slots:
                message.replace(slots)
                yield message
        if leftovers:
            yield WorkMessage(role=MessageRole.USER, slots=leftovers, sources=sources)

    def segment(
        self, k: int, run: range, user: int | None, calls: list[_Call]
    ) -> Iterator[WorkMessage]:
        """The results of message ``k``'s calls, in place of the tool messages in ``run`` and
        of the results opening user message ``user`` (None: no such message follows)."""
        places = [  # a cache breakpoint between results answers nothing and stays in place
            (i, p)
            for i in run
            for p, slot in enumerate(self.work[i].slots)
            if not _is_breakpoint(slot)
        ]
        if user is not None:
            places += self.leading_results(user)
        answered = [self.claimed.get(at) for at in places]
        if len(answered) == len(calls) and all(
            a is c for a, c in zip(answered, calls, strict=True)
        ):
            # Already one result per call, in call order, right after the call: keep the layout.
            places_kept = [*run] if user is None else [*run, user]
            for i in places_kept:
                yield self.with_answers(i, calls)
            return
        self.report(calls, set(places))
        sources = tuple(s for i in run for s in self.work[i].sources) or self.work[k].sources
        slots = [self.answer(call) for call in calls]
        yield WorkMessage(role=MessageRole.TOOL, slots=slots, sources=sources)
        yield from self.rest(list(run))
        if user is not None:
            yield from self.rest([user])

    def with_answers(self, i: int, calls: list[_Call]) -> WorkMessage:
        """Message ``i`` with its results of ``calls`` under their new ids, the rest kept."""
        message = self.work[i]
        slots: list[Slot] = []
        for pos, slot in enumerate(message.slots):  # already in call order; breakpoints stay
            call = self.claimed.get((i, pos))
            if call is not None and call in calls:
                slots.append(self.answer(call))
            else:
                slots.extend(self.keep_or_convert(slot, (i, pos), message.role))
        message.replace(slots)
        return message

    def report(self, calls: list[_Call], places: set[Position]) -> None:
        """Warn for each synthetic result and each result that had to move."""
        in_run = [c for c in calls if c.result is not None and c.result in places]
        by_position = sorted(in_run, key=lambda c: c.result or (0, 0))
        for call in calls:
            if call.result_slot is None:
                self.notices.at(
                    "handoff.synthetic_tool_result",
                    f"Tool call {call.new_id!r} ({call.call.name}) has no result; inserted an "
                    "error result after it.",
                    call.slot.origin,
                    tool_call_id=call.new_id,
                    name=call.call.name,
                )
                continue
            if call not in in_run:
                reason = "not_after_call"
            elif in_run.index(call) != by_position.index(call):
                reason = "reordered"
            else:
                continue
            self.notices.at(
                "handoff.tool_result_moved",
                f"Moved the result of tool call {call.new_id!r} to directly after the call "
                f"({reason}).",
                call.result_slot.origin,
                tool_call_id=call.new_id,
                reason=reason,
            )


def _is_breakpoint(slot: Slot) -> bool:
    return isinstance(slot.part, CacheBreakpoint)
