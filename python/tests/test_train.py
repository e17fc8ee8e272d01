"""test_train.py: ludus.train starts and resumes runs through the C run
(run.h): the folder, metrics.csv with each update once, resume, eval.json,
and errors as exceptions with the library's message."""
import os

import pytest

import ludus

SMALL = {"num_envs": 4, "num_steps": 32, "minibatches": 2, "eval_episodes": 5}


def rows(path):
    with open(os.path.join(path, "metrics.csv")) as f:
        lines = f.read().splitlines()
    return [int(line.split(",")[0]) for line in lines[1:]]


def test_train_and_resume(tmp_path):
    out = str(tmp_path / "deep" / "run")
    seen = []
    r = ludus.train("MiniGrid-Empty-5x5-v0", out=out, steps=512, config=SMALL, progress=seen.append)
    assert r["updates"] == 4 and r["steps"] == 512 and not r["stopped"]
    assert [p["update"] for p in seen] == [1, 2, 3, 4]
    assert seen[-1]["checkpointed"] and seen[-1]["total_steps"] == 512
    assert r["eval"]["env_id"] == "MiniGrid-Empty-5x5-v0"
    assert rows(out) == [1, 2, 3, 4]
    r = ludus.train(resume=out, steps=768)
    assert r["updates"] == 6 and r["steps"] == 768
    assert rows(out) == [1, 2, 3, 4, 5, 6]


def test_progress_exception_stops_with_a_checkpoint(tmp_path):
    out = str(tmp_path / "stop")

    def boom(p):
        if p["update"] == 2:
            raise KeyError("enough")

    with pytest.raises(KeyError):
        ludus.train("MiniGrid-Empty-5x5-v0", out=out, steps=4096, config=SMALL, progress=boom)
    assert rows(out) == [1, 2]
    r = ludus.train(resume=out, steps=512)
    assert r["updates"] == 4 and rows(out) == [1, 2, 3, 4]


def test_errors(tmp_path):
    out = str(tmp_path / "e")
    with pytest.raises(ludus.InvalidArgumentError, match='unknown key "epoch"; did you mean "epochs"'):
        ludus.train("MiniGrid-Empty-5x5-v0", out=out, config={"epoch": 3})
    with pytest.raises(ludus.NotFoundError, match="unknown learner 'ppp'; did you mean 'ppo'"):
        ludus.train("MiniGrid-Empty-5x5-v0", out=out, algo="ppp")
    ludus.train("MiniGrid-Empty-5x5-v0", out=out, steps=128, config=dict(SMALL, eval_episodes=0))
    with pytest.raises(ludus.StateError, match="exists"):
        ludus.train("MiniGrid-Empty-5x5-v0", out=out, steps=128, config=SMALL)
    with pytest.raises(ValueError):
        ludus.train(resume=out, seed=3)
    with pytest.raises(ludus.NotFoundError, match="no such run folder"):
        ludus.train(resume=str(tmp_path / "nowhere"))
    r = ludus.train("MiniGrid-Empty-5x5-v0", out=out, steps=256, config=dict(SMALL, eval_episodes=0), force=True)
    assert r["updates"] == 2 and r["eval"] is None and rows(out) == [1, 2]
