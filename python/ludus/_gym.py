"""_gym.py: registers every ludus world with Gymnasium, when it is
installed, as "ludus/<id>": gymnasium.make("ludus/MiniGrid-DoorKey-8x8-v0")
then builds a ludus.Env, and gymnasium.make_vec builds a ludus VectorEnv
(its vector entry point). Ids with a '/' (BALROG's task names) are left
out: a Gymnasium id has one namespace. Without Gymnasium this does nothing.
"""
from ._compat import gymnasium

NAMESPACE = "ludus"


def register():
    if gymnasium is None:
        return
    from gymnasium.envs.registration import register as gym_register, registry
    from . import env, vector
    for eid in env.ids():
        if "/" in eid:  # BALROG's task names (BabyAI-MixedTrainLocal-v0/goto): Gymnasium ids hold one '/'
            continue
        gid = "%s/%s" % (NAMESPACE, eid)
        if gid not in registry:
            gym_register(id=gid, entry_point=env.make, vector_entry_point=vector.make,
                         kwargs={"id": eid})
