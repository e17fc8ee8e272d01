"""train.py: start and resume training runs from Python through the C run
(include/ludus/run.h), the same code `ludus train` runs: the run folder,
its lock, config.json, metrics.csv, checkpoints at an interval and on
Ctrl-C, resume checks and eval.json are the library's, not this module's.
"""
import json
import os

from . import _lib
from ._lib import lib, check


def _b(s):
    return None if s is None else str(s).encode("utf-8")


def train(env_id=None, *, out=None, steps=None, config=None, algo=None, seed=None,
          train_levels=None, threads=None, force=False, resume=None, progress=None,
          evaluate=True):
    """Train a learner in a run folder, or continue one.

    New run: ``train("MiniGrid-Empty-5x5-v0", out="runs/x", steps=20000,
    config={"lr": 0.0005})``: config is a dict of run and learner keys (as
    config.json holds them; ``algo`` picks the learner, PPO by default).
    Resume: ``train(resume="runs/x", steps=40000)``: only steps and threads
    may change. progress(dict) is called after each update with update,
    steps, total_steps, steps_per_s, seconds_left, ret and checkpointed; an
    exception it raises stops the run (checkpointed) and is raised again.
    Ctrl-C also stops the run after a checkpoint (result["stopped"] is
    True). With evaluate and eval_episodes > 0 a finished run writes
    eval.json, returned as result["eval"].

    Returns a dict: dir, updates, steps, stopped, eval.
    """
    run = _lib.c_void_p()
    if resume is not None:
        if env_id is not None or out is not None or config is not None or algo is not None \
                or seed is not None or train_levels is not None or force:
            raise ValueError("resume continues a run with its own config.json: give only steps "
                             "and threads")
        overrides = {}
        if steps is not None:
            overrides["total_steps"] = int(steps)
        if threads is not None:
            overrides["num_threads"] = int(threads)
        check(lib.ludus_run_resume(_b(os.fspath(resume)), _b(json.dumps(overrides)) if overrides else None,
                                   run))
    else:
        setup = _lib.c_void_p()
        text = json.dumps(config) if config is not None else None
        check(lib.ludus_run_setup_create(_b(env_id), _b(algo), _b(text), setup))
        try:
            for key, value in (("total_steps", steps), ("seed", seed), ("train_levels", train_levels),
                               ("num_threads", threads)):
                if value is not None:
                    check(lib.ludus_run_setup_set(setup, _b(key), _b(int(value))))
            if out is None:  # the CLI's default folder: runs/ID-seedS
                env = env_id if env_id is not None else (config or {}).get("env_id")
                s = seed if seed is not None else (config or {}).get("seed", 1)
                out = os.path.join("runs", "%s-seed%d" % (env, int(s)))
            check(lib.ludus_run_start(_b(os.fspath(out)), setup, 1 if force else 0, run))
        finally:
            lib.ludus_run_setup_destroy(setup)
    raised = []

    def on_progress(p, user):
        if progress is None or raised:
            return
        q = p.contents
        try:
            progress({"update": q.update, "steps": q.steps, "total_steps": q.total_steps,
                      "wall_s": q.wall_s, "steps_per_s": q.steps_per_s,
                      "seconds_left": q.seconds_left, "ret": q.ret,
                      "checkpointed": bool(q.checkpointed)})
        except BaseException as e:  # noqa: B902 - raised again below, after the checkpoint
            raised.append(e)
            lib.ludus_run_stop(run)

    cb = _lib.RUN_PROGRESS_FN(on_progress)
    try:
        check(lib.ludus_run_train(run, 1, cb, None))
        result = {"dir": lib.ludus_run_dir(run).decode("utf-8"), "updates": lib.ludus_run_update(run),
                  "steps": lib.ludus_run_steps(run), "stopped": bool(lib.ludus_run_stopped(run)),
                  "eval": None}
        if raised:
            raise raised[0]
        if evaluate and not result["stopped"]:
            code = lib.ludus_run_evaluate(run, None, None)
            if code >= 0:
                with open(os.path.join(result["dir"], "eval.json")) as f:
                    result["eval"] = json.load(f)
            elif "eval_episodes is 0" not in _lib.errmsg():
                check(code)
        return result
    finally:
        lib.ludus_run_destroy(run)
