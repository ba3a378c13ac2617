"""Property tests of the "who is next" policy (services.queue.policy) with Hypothesis."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from hallterm.services.queue import policy
from hallterm.services.queue.policy import Candidate, PolicyConfig

SERVICES = ("A", "B", "C")
COUNTERS = {1: ("A", "B"), 2: ("B", "C"), 3: ("C",)}

issue = st.tuples(st.just("issue"), st.sampled_from(SERVICES), st.sampled_from(policy.CLASSES))
call = st.tuples(st.just("call"), st.sampled_from(sorted(COUNTERS)), st.none())
events = st.lists(st.one_of(issue, call), max_size=120)
configs = st.builds(PolicyConfig, policy=st.sampled_from(["ratio", "aging"]),
                    priority_run=st.integers(1, 6), aging_minutes_per_class=st.integers(1, 30))


def simulate(evts, config, *, use_heads=False):
    """Replay events (one minute apart); returns [(ticket id, counter)] in call order."""
    waiting: dict[int, Candidate] = {}
    recent: dict[int, list[str]] = {c: [] for c in COUNTERS}
    calls = []
    next_id = 1
    for minute, (kind, arg, priority) in enumerate(evts):
        now = minute * 60.0
        if kind == "issue":
            waiting[next_id] = Candidate(next_id, arg, priority, now)
            next_id += 1
            continue
        pool = list(waiting.values())
        if use_heads:
            pool = policy.heads([c for c in pool if c.service in COUNTERS[arg]])
        choice = policy.choose(pool, services=COUNTERS[arg], now_key=now,
                               recent=policy.streak(recent[arg]), config=config)
        if choice is None:
            continue
        ticket = waiting.pop(choice.id)
        recent[arg].insert(0, ticket.priority)
        calls.append((ticket.id, arg, ticket.service))
    return calls


@settings(max_examples=150, deadline=None)
@given(events, configs)
def test_never_called_twice_and_only_where_served(evts, config):
    calls = simulate(evts, config)
    ids = [c[0] for c in calls]
    assert len(ids) == len(set(ids))
    for _id, counter, service in calls:
        assert service in COUNTERS[counter]


@settings(max_examples=150, deadline=None)
@given(events, configs)
def test_replay_gives_the_same_order_and_heads_suffice(evts, config):
    first = simulate(evts, config)
    assert simulate(list(evts), config) == first
    # the store only hands over each class's first in line: the same choices follow
    assert simulate(evts, config, use_heads=True) == first


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 6), st.lists(st.booleans(), min_size=1, max_size=150),
       st.lists(st.sampled_from(["vip", "care", "appointment"]), min_size=1, max_size=150))
def test_ratio_normal_called_within_bound_under_endless_vips(run, normal_arrivals, classes):
    """Every call round a priority ticket arrives; normals still get their turn in time."""
    config = PolicyConfig("ratio", run, 10)
    waiting: dict[int, Candidate] = {}
    recent: list[str] = []
    deadline: dict[int, int] = {}
    next_id = 1
    for i, arrives in enumerate(normal_arrivals):
        cls = classes[i % len(classes)]
        waiting[next_id] = Candidate(next_id, "A", cls, float(i))
        next_id += 1
        if arrives:
            ahead = sum(1 for c in waiting.values() if c.priority == "normal")
            waiting[next_id] = Candidate(next_id, "A", "normal", float(i))
            deadline[next_id] = i + policy.ratio_bound(ahead, config)
            next_id += 1
        choice = policy.choose(list(waiting.values()), services=("A",), now_key=float(i),
                               recent=policy.streak(recent), config=config)
        ticket = waiting.pop(choice.id)
        recent.insert(0, ticket.priority)
        if ticket.priority == "normal":
            assert i < deadline.pop(ticket.id)
        for tid, due in deadline.items():
            assert i < due, f"normal ticket {tid} not called within its bound"


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 20), st.lists(st.booleans(), min_size=1, max_size=150))
def test_aging_never_passes_an_older_ticket_beyond_its_bonus(a, normal_arrivals):
    """Under an endless VIP stream a normal ticket is called before any VIP that came
    more than 3·A minutes after it, so it waits at most 3·A minutes plus the line
    that was ahead of it."""
    config = PolicyConfig("aging", 3, a)
    waiting: dict[int, Candidate] = {}
    next_id = 1
    for i, arrives in enumerate(normal_arrivals):
        now = i * 60.0
        waiting[next_id] = Candidate(next_id, "A", "vip", now)
        next_id += 1
        if arrives:
            waiting[next_id] = Candidate(next_id, "A", "normal", now)
            next_id += 1
        choice = policy.choose(list(waiting.values()), services=("A",), now_key=now,
                               recent=0, config=config)
        ticket = waiting.pop(choice.id)
        for other in waiting.values():
            gap = policy.RANK[ticket.priority] - policy.RANK[other.priority]
            assert ticket.queue_key <= other.queue_key + max(0, gap) * a * 60


def test_choice_explains_itself():
    config = PolicyConfig("ratio", 2, 10)
    pool = [Candidate(1, "A", "normal", 0.0), Candidate(2, "A", "vip", 60.0)]
    first = policy.choose(pool, services=("A",), now_key=120.0, recent=0, config=config)
    assert (first.id, first.rule) == (2, policy.RULE_PRIORITY)
    turn = policy.choose(pool, services=("A",), now_key=120.0, recent=2, config=config)
    assert (turn.id, turn.rule) == (1, policy.RULE_RATIO)
    assert policy.choose(pool, services=("B",), now_key=0.0, recent=0, config=config) is None
    assert policy.streak(["vip", "care", "normal", "vip"]) == 2
