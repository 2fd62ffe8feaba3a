"""Helpers shared by the stand-in provider buildpacks (tests only).

They behave as the Paketo buildpacks they stand in for: a layer is a launch
layer only when a plan entry for it asks for `launch = true`, and a build
layer when one asks for `build = true` (packit's LaunchBuildFlags merge).
"""
import os
import sys
import tomllib


def plan_entries(plan_path):
    """The buildpack plan's entries: [{name, metadata}]."""
    with open(plan_path, "rb") as f:
        return tomllib.load(f).get("entries", [])


def flags(entries, name):
    """(launch, build) for a dependency: true when any entry for it asks."""
    mine = [e.get("metadata", {}) for e in entries if e.get("name") == name]
    return (any(m.get("launch") is True for m in mine), any(m.get("build") is True for m in mine))


def layer_toml(layers, layer, launch, build, cache=False):
    """Writes <layers>/<layer>.toml with the given types."""
    with open(os.path.join(layers, layer + ".toml"), "w") as f:
        f.write(f"[types]\n  launch = {str(launch).lower()}\n  build = {str(build).lower()}\n"
                f"  cache = {str(cache).lower()}\n")


def env_file(layer_dir, scope, name, value):
    """Writes <layer>/<scope>/<name> (scope: env, env.launch, env.build)."""
    d = os.path.join(layer_dir, scope)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "w") as f:
        f.write(value)


def plan(provides=(), requires=()):
    """Build plan TOML: provides names, requires (name, metadata dict)."""
    out = []
    for p in provides:
        out.append(f'[[provides]]\nname = "{p}"\n')
    for name, meta in requires:
        body = "".join(f"{k} = {str(v).lower()}\n" for k, v in meta.items())
        out.append(f'[[requires]]\nname = "{name}"\n[requires.metadata]\n{body}')
    return "\n".join(out)


def log(message):
    print(message, flush=True)


def die(message):
    print(message, file=sys.stderr, flush=True)
    sys.exit(1)
