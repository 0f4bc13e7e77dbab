"""How the landing sensor turns a batch of partitions into a run or a backfill."""

from dagster_project.defs.sensors import contiguous_range

ORDER = ["2025-11|64", "2025-11|64.72", "2025-12|64", "2025-12|64.72", "2025-12|K001"]


def test_single_partition_is_its_own_range() -> None:
    assert contiguous_range(ORDER, ["2025-11|64.72"]) == ("2025-11|64.72", "2025-11|64.72")


def test_new_periode_registered_together_is_one_range() -> None:
    wanted = ["2025-12|K001", "2025-12|64", "2025-12|64.72"]  # any order
    assert contiguous_range(ORDER, wanted) == ("2025-12|64", "2025-12|K001")


def test_scattered_reuploads_are_not_a_range() -> None:
    assert contiguous_range(ORDER, ["2025-11|64", "2025-12|64"]) is None
