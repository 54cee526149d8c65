#!/usr/bin/python3
"""Reads a passrl replay export with h5py (independently of the C++ code) and prints what the
test checks as JSON: shapes, dtypes, selected values, counts and attributes."""
import json
import sys

import h5py
import numpy as np

with h5py.File(sys.argv[1], "r") as f:
    out = {"datasets": {}, "attrs": {}}

    def visit(name, obj):
        if isinstance(obj, h5py.Dataset):
            out["datasets"][name] = {"shape": list(obj.shape), "dtype": str(obj.dtype)}

    f.visititems(visit)
    obs = f["observations"][...]
    nxt = f["next_observations"][...]
    out["obs_first"] = obs[0].tolist()
    out["obs_last"] = obs[-1].tolist()
    out["next_obs_last"] = nxt[-1].tolist()
    out["actions"] = f["actions"][...].tolist()
    out["rewards_sum"] = float(np.asarray(f["rewards"][...], dtype=np.float64).sum())
    out["terminals"] = int(f["terminals"][...].sum())
    out["timeouts"] = int(f["timeouts"][...].sum())
    out["terminals_is_bool"] = f["terminals"][...].dtype == np.bool_
    out["sequence"] = f["infos/sequence"][...].tolist()
    out["episode_id"] = f["infos/episode_id"][...].tolist()
    out["benchmark_id"] = f["infos/benchmark_id"][...].tolist()
    out["benchmark"] = [b.decode() if isinstance(b, bytes) else b for b in f["infos/benchmark"][...]]
    if "infos/priority" in f:
        out["priority_positive"] = bool((f["infos/priority"][...] > 0).all())
    for key, value in f.attrs.items():
        if isinstance(value, np.ndarray):
            value = [v.decode() if isinstance(v, bytes) else str(v) for v in value]
        elif isinstance(value, bytes):
            value = value.decode()
        out["attrs"][key] = value
    print(json.dumps(out))
