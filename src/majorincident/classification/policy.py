"""Which incidents are major: an assessment, ordered rules, and a verdict with its reasons.

"Not all high-priority incidents are major incidents": a P1 that touches one team is handled by
incident management; one that stops a business-critical service, or a large share of the users,
is declared major.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable, Iterable
from typing import Any, Final, cast

import attrs

from majorincident._checks import is_text
from majorincident.classification.levels import Impact, Priority, Urgency
from majorincident.classification.matrix import PriorityMatrix
from majorincident.errors import ClassificationError, ConfigurationError

__all__ = [
    "DEFAULT_RELATED_INCIDENTS",
    "DEFAULT_USER_SHARE",
    "Action",
    "Assessment",
    "MajorIncidentPolicy",
    "Rule",
    "Verdict",
]

#: The share of users from which the default policy calls an impact organisation-wide.
DEFAULT_USER_SHARE: Final = 0.25
#: How many related open incidents make the default policy propose a major incident.
DEFAULT_RELATED_INCIDENTS: Final = 5


class Action(enum.Enum):
    """What a policy says to do with an incident."""

    NONE = "none"
    PROPOSE = "propose"
    DECLARE = "declare"


def _impact(value: object) -> Impact | None:
    return None if value is None else Impact.parse(value)  # names the field "impact"


def _urgency(value: object) -> Urgency | None:
    return None if value is None else Urgency.parse(value)  # names the field "urgency"


def _priority(value: object) -> Priority | None:
    return None if value is None else Priority.parse(value)  # names the field "priority"


def _count(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ClassificationError(
            f"{attribute.name} ({value!r}) must be a whole number of at least 0"
        )


def _share(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ClassificationError(f"{attribute.name} ({value!r}) must be a share from 0 to 1")


def _amount(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        return
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value < 0
    ):
        raise ClassificationError(f"{attribute.name} ({value!r}) must be a finite amount >= 0")


def _services(value: Iterable[str] | str) -> frozenset[str]:
    services = frozenset((value,) if isinstance(value, str) else value)
    for service in cast("frozenset[object]", services):
        if not is_text(service):
            raise ClassificationError(f"services holds {service!r}; expected non-empty names")
    return services


@attrs.frozen
class Assessment:
    """What is known when deciding whether an incident is major. Unknowns are None.

    Attributes:
        impact: how much of the business is affected.
        urgency: how quickly it must be resolved.
        priority: given outright, or derived from impact and urgency by the policy's matrix.
        services: the affected services.
        business_critical: whether a business-critical service is affected.
        affected_users: how many users are affected.
        affected_share: which share of all users is affected, from 0 to 1.
        related_open_incidents: how many open incidents report the same issue.
        loss_per_hour: the estimated loss per hour of downtime, in any currency.
    """

    impact: Impact | None = attrs.field(default=None, converter=_impact)
    urgency: Urgency | None = attrs.field(default=None, converter=_urgency)
    priority: Priority | None = attrs.field(default=None, converter=_priority)
    services: frozenset[str] = attrs.field(default=frozenset(), converter=_services)
    business_critical: bool | None = None
    affected_users: int | None = attrs.field(default=None, validator=_count)
    affected_share: float | None = attrs.field(default=None, validator=_share)
    related_open_incidents: int = attrs.field(default=0, validator=_count)
    loss_per_hour: float | None = attrs.field(default=None, validator=_amount)


Predicate = Callable[[Assessment], bool]
Explanation = Callable[[Assessment], str]


@attrs.frozen
class Rule:
    """A rule of a policy: when `when` holds for an assessment, take `action`, because ...

    Attributes:
        name: a short stable name, reported in verdicts.
        when: a predicate over the assessment (its priority already derived).
        action: PROPOSE or DECLARE.
        because: the reason in plain words, or a function of the assessment that gives it.
    """

    name: str
    when: Predicate
    action: Action = attrs.field()
    because: str | Explanation = ""

    @action.validator
    def _check_action(self, _attribute: attrs.Attribute[Action], value: object) -> None:
        if value not in (Action.PROPOSE, Action.DECLARE):
            raise ConfigurationError(
                f"rule {self.name!r}: action ({value!r}) must be Action.PROPOSE or Action.DECLARE"
            )

    def reason(self, assessment: Assessment) -> str:
        """Return the reason, in words, for this assessment."""
        return self.because(assessment) if callable(self.because) else self.because or self.name


@attrs.frozen
class Verdict:
    """What a policy decided, and why.

    Attributes:
        action: NONE, PROPOSE (a candidate the major incident manager must accept) or DECLARE.
        priority: the priority, given or derived; None when impact or urgency is unknown.
        rule: the rule that fired, or None.
        reasons: the reasons in plain words: how the priority came about, then the rule's.
    """

    action: Action
    priority: Priority | None
    rule: Rule | None
    reasons: tuple[str, ...]

    @property
    def is_major(self) -> bool:
        """Declare a major incident."""
        return self.action is Action.DECLARE

    @property
    def is_candidate(self) -> bool:
        """Propose a major incident, for the major incident manager to accept or reject."""
        return self.action is Action.PROPOSE


def _rules(value: Iterable[Rule]) -> tuple[Rule, ...]:
    rules = tuple(value)
    names: set[str] = set()
    for rule in rules:
        if not isinstance(rule, Rule):
            raise ConfigurationError(f"policy rule {rule!r} is not a Rule")
        if rule.name in names:
            raise ConfigurationError(f"policy names the rule {rule.name!r} twice")
        names.add(rule.name)
    return rules


@attrs.frozen
class MajorIncidentPolicy:
    """Ordered rules deciding whether an incident is major; the first that matches wins.

    Args:
        rules: the rules, in order.
        matrix: derives the priority from impact and urgency when not given.

    >>> verdict = MajorIncidentPolicy.default().evaluate(
    ...     Assessment(impact="high", urgency="high", business_critical=True)
    ... )
    >>> verdict.action
    <Action.DECLARE: 'declare'>
    >>> verdict.reasons
    ('P1: impact HIGH and urgency HIGH', 'a business-critical service is affected')
    """

    rules: tuple[Rule, ...] = attrs.field(converter=_rules)
    matrix: PriorityMatrix[Impact, Urgency, Priority] = attrs.field(factory=PriorityMatrix.itil)

    @classmethod
    def default(
        cls,
        *,
        user_share: float = DEFAULT_USER_SHARE,
        related_incidents: int = DEFAULT_RELATED_INCIDENTS,
        matrix: PriorityMatrix[Impact, Urgency, Priority] | None = None,
    ) -> MajorIncidentPolicy:
        """The default policy.

        1. DECLARE a P1 whose impact is organisation-wide: a business-critical service is
           affected, or at least `user_share` of the users (a quarter by default).
        2. PROPOSE any other P1: the major incident manager decides.
        3. PROPOSE when `related_incidents` or more related open incidents report the same issue
           (five by default): an influx of tickets is how most major incidents first show.
        4. Otherwise nothing: a P1 that touches one team stays with incident management.
        """

        def organisation_wide(a: Assessment) -> bool:
            return a.priority is Priority.P1 and (
                a.business_critical is True
                or (a.affected_share is not None and a.affected_share >= user_share)
            )

        def why_wide(a: Assessment) -> str:
            if a.business_critical:
                return "a business-critical service is affected"
            return f"{a.affected_share:.0%} of users are affected (at least {user_share:.0%})"

        def influx(a: Assessment) -> bool:
            return a.related_open_incidents >= related_incidents

        return cls(
            [
                Rule("organisation-wide P1", organisation_wide, Action.DECLARE, why_wide),
                Rule(
                    "P1 candidate",
                    lambda a: a.priority is Priority.P1,
                    Action.PROPOSE,
                    "a P1 whose impact is not shown to be organisation-wide: "
                    "the major incident manager decides",
                ),
                Rule(
                    "influx of related incidents",
                    influx,
                    Action.PROPOSE,
                    lambda a: (
                        f"{a.related_open_incidents} related open incidents "
                        f"(at least {related_incidents})"
                    ),
                ),
            ],
            matrix=matrix or PriorityMatrix.itil(),
        )

    def evaluate(self, assessment: Assessment) -> Verdict:
        """Decide on an assessment.

        Returns:
            The verdict: the action, the priority and the reasons in words.
        """
        priority = assessment.priority
        if priority is not None:
            basis = f"{priority.name}: given"
        elif assessment.impact is not None and assessment.urgency is not None:
            priority = self.matrix.priority(assessment.impact, assessment.urgency)
            basis = (
                f"{priority.name}: impact {assessment.impact.name} and urgency "
                f"{assessment.urgency.name}"
            )
            assessment = attrs.evolve(assessment, priority=priority)
        else:
            basis = "priority unknown: impact or urgency not assessed"
        for rule in self.rules:
            if rule.when(assessment):
                return Verdict(rule.action, priority, rule, (basis, rule.reason(assessment)))
        return Verdict(Action.NONE, priority, None, (basis, "no rule matched"))
