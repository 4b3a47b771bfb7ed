"""Tests for bench/python/cvppy/workloads: Python tasks compute the C++ tasks' digests."""

import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench" / "python"))

from cvppy.models.model import Limits, ideal_run_time  # noqa: E402
from cvppy.models.processes import pool_map_chunksize  # noqa: E402
from cvppy.params import BadInput  # noqa: E402
from cvppy.workloads import cpu_hash, io_sleep, mixed  # noqa: E402
from cvppy.workloads.cpu_hash import CpuHash  # noqa: E402
from cvppy.workloads.mixed import Mixed  # noqa: E402
from cvppy.workloads.workload import Params  # noqa: E402

# Real C++ output, not invented figures: printed once by a throwaway program
# compiled against this tree's src/ (g++ -std=c++20 -Isrc ref.cpp
# src/workloads/{cpu_hash,io_sleep,workload}.cpp src/sha256.cpp src/params.cpp
# -lcrypto) that printed cvp::CpuHash::digest(index, bytes, rounds),
# cvp::IoSleep::token(index) and cvp::CpuHash::message(3, 20) in hex.
CPP_DIGESTS = {
    (64, 256, 0): "38dab7746edf63566a93be3729308828a251ea8eeac1785790a3c7035568daeb",
    (64, 256, 1): "e0d72d48888707ead051b9f64c8f1ce8ea8038aafad57e3aab623c1bc7b83a3a",
    (64, 256, 7): "021ae99756037bc4ed0ec6574a3047be207c625d90fd7e54d35bd6e9b73d3b5a",
    (64, 256, 1000): "4f59be99158d446b3a805e06287bb842e49aea65c4b807bcfe9598fb7d1bd2f5",
    (4096, 16, 0): "25a5e20eb4a1f7444aa57e9bc1491ca82228a7e4122ecdc457cef902105f67ba",
    (4096, 16, 1): "187b5da0af69c1d8e3aba389c8f07afcf90c0f7ed30e6272e597c8ed25a42f17",
    (4096, 16, 7): "698be5d9d1fe25767ba063f99e2b81e8178846a7be3ca96275ae3108f1b67661",
    (4096, 16, 1000): "666ff6d1e9395cfbd0e0c14963abca813cd378cb5cbabe063834f0d03f512aa7",
    (65536, 1, 0): "345fc5244edfe2c45557bde70af40bc670a11ce4d3210b937bc13bcecb097742",
    (65536, 1, 1): "1171396128b691c73cebea651a0e987e746ebc4a03b8f48c92301d4e51fbb3ac",
    (65536, 1, 7): "c5569ff04006b41ec28f48b174752931e14554a461fd4f9ceb109b01a2b4179c",
    (65536, 1, 1000): "a9185b211295d07e3ea1b4aefca35420889d97c1c0390ddc8e21f0df267d7559",
    # Messages shorter than a digest, and of a length that is not a multiple of 8.
    (5, 2, 0): "56ccd9f0eba4dbef3f89d2a0918aec351ea4a97f52dee0ecf0b348b5ae413b0e",
    (5, 2, 1000): "d7be5050f3e8427fd25efa80d023491356ae9c179c125538df2c64a85ad61005",
    (100, 3, 7): "9b63e157a2835eb41396109ccc240afdadfe8a296c3e7b92df32c58364e67550",
    (100, 3, 1000): "c1feebab37b814063da8aa4909f79afa19e71cba1ce58785215d0612fa8e4547",
}
CPP_TOKENS = {
    0: "afcd1d7b39a820e26f7e194d2fdd06a791befc38bc7582236802c8aa8a743021",
    1: "c15c0289ec2d0a911e61397408ab415ec3868d6df4028ab15649eed9dd9581e2",
    12345: "a011d1a9588211223fbd3f8220600d046d1beef8af86fba994a468e86dfa502b",
}
CPP_MESSAGE_3_20 = "3fb9cb90f8861f6cf3540610784b3e37fd324b0b"


@pytest.mark.parametrize("key", sorted(CPP_DIGESTS))
def test_digest_equals_the_cpp_digest(key):
    nbytes, rounds, index = key
    assert cpu_hash.digest(index, nbytes, rounds).hex() == CPP_DIGESTS[key]


@pytest.mark.parametrize("nbytes, rounds", [(64, 256), (4096, 16), (65536, 1), (5, 2), (100, 3)])
def test_the_workload_computes_the_cpp_digests(nbytes, rounds):
    # The timed path: messages made for every task at once (big-integer lanes), then chained.
    w = CpuHash(Params(tasks=1001, bytes=nbytes, rounds=rounds))
    for (b, r, index), want in CPP_DIGESTS.items():
        if (b, r) == (nbytes, rounds):
            assert w.compute(index).hex() == want


def test_message_equals_the_cpp_message():
    assert cpu_hash.message(3, 20).hex() == CPP_MESSAGE_3_20


@pytest.mark.parametrize("nbytes", [1, 7, 8, 9, 64, 4096, 65536])
def test_fast_messages_equal_the_plain_ones(nbytes):
    table = cpu_hash.messages(20, nbytes)
    for index in (0, 1, 19):
        assert bytes(table[index]) == cpu_hash.message(index, nbytes)


@pytest.mark.parametrize("index", sorted(CPP_TOKENS))
def test_token_equals_the_cpp_token(index):
    assert io_sleep.token(index).hex() == CPP_TOKENS[index]


def test_default_rounds_are_those_of_the_cpp_harness():
    assert [cpu_hash.default_rounds(b) for b in (64, 4096, 65536, 1 << 20)] == [256, 16, 1, 1]


def test_mixed_hashes_with_rounds_and_returns_tokens_without():
    hashing = Mixed(Params(tasks=3, sleep_us=5000, bytes=4096, rounds=4))
    assert hashing.compute(2) == cpu_hash.digest(2, 4096, 4)
    waiting = Mixed(Params(tasks=3, sleep_us=10000, bytes=4096, rounds=0))
    assert waiting.compute(2) == io_sleep.token(2)
    assert waiting.params.bytes == 0


def test_mixed_share_splits_the_task_time():
    task_us = mixed.TASK_US
    p = mixed.share_params(16, 0.5, seconds_per_round=1e-6)
    assert (p.tasks, p.sleep_us, p.bytes, p.rounds) == (16, task_us // 2, 4096, task_us // 2)
    p = mixed.share_params(16, 0.0, seconds_per_round=1e-6)
    assert (p.sleep_us, p.bytes, p.rounds) == (task_us, 0, 0)


def test_workloads_refuse_bad_parameters_naming_them():
    with pytest.raises(BadInput, match=r"^bytes is 0; allowed: 1 to 67108864$"):
        CpuHash(Params(tasks=8, bytes=0, rounds=1))
    with pytest.raises(BadInput, match=r"^tasks is 0; allowed: 1 to 1000000$"):
        CpuHash(Params(tasks=0, bytes=64, rounds=1))
    with pytest.raises(BadInput, match=r"^rounds is 0"):
        CpuHash(Params(tasks=8, bytes=64, rounds=0))


def test_chunksize_is_that_of_pool_map():
    # multiprocessing.Pool.map: divmod(len, 4 * W), plus one for a remainder.
    assert pool_map_chunksize(100, 2) == 13
    assert pool_map_chunksize(96, 2) == 12
    assert pool_map_chunksize(3, 8) == 1


def test_ideal_run_time_is_the_cpp_formula():
    # max(ceil(N/C) * (cpu + wait), ceil(N/P) * cpu + wait)
    assert ideal_run_time(Limits(1, 1), 4, 1.0, 10.0) == 44.0
    assert ideal_run_time(Limits(4, 1), 4, 1.0, 10.0) == 14.0
    assert ideal_run_time(Limits(2, 2), 5, 1.0, 0.0) == 3.0
    assert ideal_run_time(Limits(64, 2), 4, 1.0, 0.0) == 2.0
