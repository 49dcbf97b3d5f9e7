"""Benchmark majorincident.lifecycle against baselines measured in the same run.

Targets (issue: lifecycles):
- TransitionTable.replay at least 200x faster per event than firing the same events on a
  python-statemachine instance, and at most 3x a bare dict[(state, event)] loop;
- restore + one event through our API at most 1.5x python-statemachine's own restore (a model
  holding the state) + event, for the same graph.
"""

from __future__ import annotations

import random

from statemachine import State, StateMachine
from statemachine.model import Model

from majorincident.lifecycle import IncidentLifecycle, TransitionTable, restore

from _harness import Report, per_call


class PlainIncident(StateMachine):
    """The incident graph as a plain python-statemachine machine: the baseline."""

    new = State("New", initial=True)
    in_progress = State("In progress")
    on_hold = State("On hold")
    resolved = State("Resolved")
    closed = State("Closed", final=True)
    canceled = State("Canceled", final=True)

    start = new.to(in_progress)
    hold = in_progress.to(on_hold)
    resume = on_hold.to(in_progress)
    resolve = in_progress.to(resolved) | on_hold.to(resolved)
    close = resolved.to(closed)
    cancel = new.to(canceled) | in_progress.to(canceled) | on_hold.to(canceled)
    reopen = resolved.to(in_progress)


def valid_events(table: TransitionTable, count: int) -> list[str]:
    """A random walk that never reaches a final state (so every event is allowed)."""
    rng = random.Random(5)
    state, events = table.initial, []
    while len(events) < count:
        options = [e for e in table.allowed(state) if table.next(state, e) not in table.finals]
        event = rng.choice(options)
        events.append(event)
        state = table.next(state, event)
    return events


def main() -> None:
    """Measure and report."""
    report = Report("lifecycle")
    table = TransitionTable.of(IncidentLifecycle)
    events = valid_events(table, 100_000)
    arguments = {"hold": {"reason": "awaiting_vendor"}}
    transitions = dict(table.transitions)

    def bare() -> object:
        state = "new"
        for event in events:
            state = transitions[(state, event)]
        return state

    def fire(count: int) -> None:
        machine = IncidentLifecycle()
        for event in events[:count]:
            machine.send(event, **arguments.get(event, {}))

    replay = per_call(lambda: table.replay("new", events), number=5) / len(events)
    baseline = per_call(bare, number=5) / len(events)
    firing = per_call(lambda: fire(2_000), number=1, repeat=3) / 2_000
    report.info("bare dict loop, per event", baseline * 1e9, "ns")
    report.info("TransitionTable.replay, per event", replay * 1e9, "ns")
    report.info("python-statemachine instance, per event", firing * 1e6, "us")
    report.ratio("replay / bare dict loop", replay, baseline, at_most=3)
    report.at_least("machine firing / replay (speed-up)", firing / replay, minimum=200)

    def theirs() -> None:
        model = Model()
        model.state = "in_progress"
        PlainIncident(model=model).resolve()

    def ours() -> None:
        restore(IncidentLifecycle, "in_progress").resolve()

    plain = per_call(theirs, number=500)
    mine = per_call(ours, number=500)
    report.info("python-statemachine restore + event", plain * 1e6, "us")
    report.info("restore() + event", mine * 1e6, "us")
    report.ratio("ours / python-statemachine's own", mine, plain, at_most=1.5)
    report.finish()


if __name__ == "__main__":
    main()
