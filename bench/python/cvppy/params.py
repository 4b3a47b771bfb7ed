"""Validation of every user-chosen parameter, with one message naming the bad value.

The bounds are those of src/params.hpp, so both languages refuse the same input
with the same words.
"""

MAX_TASKS = 1_000_000
MAX_WORKERS = 256
MAX_SLEEP_US = 10_000_000  # 10 s per task
MAX_BYTES = 64 * 1024 * 1024  # 64 MiB per message
MAX_ROUNDS = 1_000_000
MAX_REPETITIONS = 1000


class BadInput(ValueError):
    """A parameter out of range: the message is `<what> is <value>; allowed: <range>`."""


def check_range(what: str, value: int, lo: int, hi: int) -> int:
    if value < lo or value > hi:
        raise BadInput(f"{what} is {value}; allowed: {lo} to {hi}")
    return value


def check_tasks(tasks: int) -> int:
    return check_range("tasks", tasks, 1, MAX_TASKS)


def check_workers(workers: int) -> int:
    return check_range("workers", workers, 1, MAX_WORKERS)


def check_sleep_us(sleep_us: int) -> int:
    return check_range("sleep_us", sleep_us, 0, MAX_SLEEP_US)


def check_bytes(nbytes: int) -> int:
    return check_range("bytes", nbytes, 1, MAX_BYTES)


def check_rounds(rounds: int) -> int:
    return check_range("rounds", rounds, 1, MAX_ROUNDS)


def check_repetitions(repetitions: int) -> int:
    return check_range("repetitions", repetitions, 1, MAX_REPETITIONS)
