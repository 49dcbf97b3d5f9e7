"""Tests for majorincident.process: stages, activities and processes."""

from __future__ import annotations

import attrs
import pytest
from hypothesis import given

from majorincident.errors import ConfigurationError
from majorincident.process import (
    SEED_ACTIVITIES,
    SEED_PROCESS,
    SEED_STAGES,
    Activity,
    Process,
    Stage,
)
from majorincident.testing import processes

TRIAGE = Stage("triage", "Triage")
FIX = Stage("fix", "Fix")
LEARN = Stage("learn", "Learn")
PAGE = Activity("page", "Paging the on-call engineer", TRIAGE)
PATCH = Activity("patch", "Deploying the patch", FIX)
RETRO = Activity("retro", "Holding a retrospective", LEARN)


class TestSeedProcess:
    def test_four_stages_in_order(self) -> None:
        """The seed's stages are identification, containment, resolution, maintenance."""
        assert [stage.key for stage in SEED_PROCESS] == [
            "identification",
            "containment",
            "resolution",
            "maintenance",
        ]

    @pytest.mark.parametrize(
        ("stage", "titles"),
        [
            (Stage.IDENTIFICATION, ["Declaring the major incident", "Informing stakeholders"]),
            (
                Stage.CONTAINMENT,
                [
                    "Assembling the MIT",
                    "Setting up a conference bridge",
                    "Preparing a designated war room",
                    "Creating a problem ticket to identify underlying issues",
                ],
            ),
            (Stage.RESOLUTION, ["Implementing the resolution plan as a change"]),
            (
                Stage.MAINTENANCE,
                [
                    "Performing post-implementation review",
                    "Producing clear documentation",
                    "Measuring metrics",
                ],
            ),
        ],
    )
    def test_activities_per_stage(self, stage: Stage, titles: list[str]) -> None:
        """Each stage holds the seed's steps, in the seed's order."""
        assert titles == [activity.title for activity in SEED_PROCESS.activities_of(stage)]

    def test_all_ten_are_required(self) -> None:
        """Every one of the ten seed activities gates its stage."""
        assert len(SEED_ACTIVITIES) == 10
        assert frozenset(SEED_ACTIVITIES) == SEED_PROCESS.required

    def test_keys_are_stable(self) -> None:
        """Activity keys are the stable identifiers other tools store."""
        assert [activity.key for activity in SEED_ACTIVITIES] == [
            "declare_major_incident",
            "inform_stakeholders",
            "assemble_team",
            "set_up_bridge",
            "prepare_war_room",
            "create_problem_ticket",
            "implement_change",
            "post_implementation_review",
            "produce_documentation",
            "measure_metrics",
        ]


class TestProcessQueries:
    def test_missing_lists_titles_of_required_not_done(self) -> None:
        """missing() names the required activities of a stage that are not done yet."""
        done = [Activity.ASSEMBLE_TEAM, Activity.SET_UP_BRIDGE, Activity.CREATE_PROBLEM]

        assert SEED_PROCESS.missing(Stage.CONTAINMENT, done) == ("Preparing a designated war room",)

    def test_next_stage(self) -> None:
        """next_stage() walks the stages in order and ends with None."""
        assert SEED_PROCESS.next_stage(Stage.CONTAINMENT) == Stage.RESOLUTION
        assert SEED_PROCESS.next_stage(Stage.MAINTENANCE) is None

    def test_lookup_by_key(self) -> None:
        """Stages and activities are found by their stable keys."""
        assert SEED_PROCESS.stage("containment") == Stage.CONTAINMENT
        assert SEED_PROCESS.activity("prepare_war_room") == Activity.PREPARE_WAR_ROOM

    def test_unknown_keys(self) -> None:
        """Unknown keys raise ConfigurationError naming the key and the known ones."""
        with pytest.raises(ConfigurationError, match=r"^stage 'triage' is not in the process"):
            SEED_PROCESS.stage("triage")
        with pytest.raises(ConfigurationError, match=r"^activity 'page' is not in the process"):
            SEED_PROCESS.activity("page")
        with pytest.raises(ConfigurationError, match="expected one of identification"):
            SEED_PROCESS.activities_of(TRIAGE)

    def test_optional_activities_do_not_gate(self) -> None:
        """Only required activities are missing; others may be skipped."""
        process = Process([TRIAGE, FIX], [PAGE, PATCH], required=[PATCH])

        assert process.missing(TRIAGE, done=[]) == ()
        assert process.missing(FIX, done=[]) == ("Deploying the patch",)
        assert process.required_of(FIX) == (PATCH,)

    def test_equal_keys_are_equal_values(self) -> None:
        """Stages and activities compare by key, so a reloaded value equals the original."""
        assert Stage("containment", "Eindämmung") == Stage.CONTAINMENT
        assert attrs.evolve(Activity.DECLARE, title="Declare") == Activity.DECLARE

    @given(processes())
    def test_generated_processes_are_consistent(self, process: Process) -> None:
        """Every activity lies in a stage of its process; required ones are activities."""
        keys = {stage.key for stage in process.stages}

        assert all(activity.stage.key in keys for activity in process.activities)
        assert process.required <= set(process.activities)
        assert sum(len(process.activities_of(stage)) for stage in process) == len(
            process.activities
        )


class TestProcessDefinition:
    @pytest.mark.parametrize(
        ("arguments", "message"),
        [
            (([], []), "^Process.stages is empty"),
            (
                ([TRIAGE, Stage("triage", "Again")], []),
                "^Process.stages names the stage 'triage' twice",
            ),
            (([TRIAGE, "fix"], []), r"^Process.stages holds 'fix', which is not a Stage"),
            (([TRIAGE], [PAGE, PAGE]), "^Process.activities names the activity 'page' twice"),
            (
                ([TRIAGE], [PAGE, "patch"]),
                r"^Process.activities holds 'patch', which is not an Activity",
            ),
            (
                ([TRIAGE], [PAGE, PATCH]),
                r"^activity 'patch' belongs to stage 'fix', which is not in the process \(triage\)",
            ),
            (
                ([TRIAGE, FIX], [PAGE], [PATCH]),
                "^required activity 'patch' is not one of the process's activities",
            ),
        ],
    )
    def test_invalid_processes(self, arguments: tuple[object, ...], message: str) -> None:
        """Each inconsistent process raises ConfigurationError naming what is wrong."""
        with pytest.raises(ConfigurationError, match=message):
            Process(*arguments)  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        ("build", "message"),
        [
            (lambda: Stage("", "Empty"), r"^Stage.key \(''\) must be a non-empty string"),
            (lambda: Stage("x", " padded"), r"^Stage.title \(' padded'\) must be"),
            (lambda: Activity("x", "X", "triage"), r"^Activity.stage \('triage'\) is not a Stage"),
            (lambda: Activity(3, "X", TRIAGE), r"^Activity.key \(3\) must be a non-empty string"),
        ],
    )
    def test_invalid_values(self, build: object, message: str) -> None:
        """Stages and activities validate their fields, naming them."""
        with pytest.raises(ConfigurationError, match=message):
            build()  # type: ignore[operator]

    @pytest.mark.parametrize(
        ("exits", "message"),
        [
            ({"review": "resolved"}, r"^Process.exits names stage 'review', which is not in"),
            ({"fix": "fixed"}, r"^Process.exits\['fix'\] \('fixed'\) is not one of contained"),
            ({"triage": "resolved", "fix": "resolved"}, r"^Process.exits sets 'resolved' twice"),
            ({"triage": "resolved", "fix": "contained"}, "^Process.exits sets 'contained' after"),
            ([("fix",)], r"^Process.exits holds \('fix',\); expected stage key -> milestone"),
        ],
    )
    def test_invalid_exits(self, exits: object, message: str) -> None:
        """Stage exits must name stages of the process and known milestones, in order."""
        with pytest.raises(ConfigurationError, match=message):
            Process([TRIAGE, FIX, LEARN], [PAGE, PATCH, RETRO], exits=exits)  # type: ignore[arg-type]

    def test_exit_milestones(self) -> None:
        """Leaving containment contains, resolution resolves, and the last stage closes."""
        assert "contained" == SEED_PROCESS.exit_milestone(Stage.CONTAINMENT)
        assert "resolved" == SEED_PROCESS.exit_milestone(Stage.RESOLUTION)
        assert SEED_PROCESS.exit_milestone(Stage.IDENTIFICATION) is None
        assert "closed" == SEED_PROCESS.exit_milestone(Stage.MAINTENANCE)
        assert Stage.RESOLUTION == SEED_PROCESS.resolution_stage

    def test_resolution_defaults_to_the_last_stage(self) -> None:
        """Without a stage that resolves, the last stage holds the resolution."""
        process = Process(
            [TRIAGE, FIX, LEARN], [PAGE, PATCH, RETRO], exits=[("triage", "contained")]
        )

        assert LEARN == process.resolution_stage
        assert "contained" == process.exit_milestone(TRIAGE)

    def test_custom_three_stage_process(self) -> None:
        """Organisations define their own stages and activities."""
        process = Process([TRIAGE, FIX, LEARN], [PAGE, PATCH, RETRO])

        assert process.next_stage(TRIAGE) == FIX
        assert process.activities_of(LEARN) == (RETRO,)
        assert process.stages != SEED_STAGES
