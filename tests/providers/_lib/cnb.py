"""Helpers shared by the stand-in provider buildpacks (tests only).

They behave as the Paketo buildpacks they stand in for: a layer is a launch
layer only when a plan entry for it asks for `launch = true`, and a build
layer when one asks for `build = true` (packit's LaunchBuildFlags merge).
"""
import json
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
    out = [f"[[provides]]\nname = {toml_string(p)}\n" for p in provides]
    if requires:
        out.append(requirements_toml("requires", requires))
    return "\n".join(out)


def toml_string(value):
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(value)


def requirements_toml(table, requires):
    """[[<table>]] entries for (name, metadata dict) pairs."""
    out = []
    for name, meta in requires:
        body = "".join(f"{k} = {str(v).lower()}\n" for k, v in meta.items())
        out.append(f"[[{table}]]\nname = {toml_string(name)}\n[{table}.metadata]\n{body}")
    return "\n".join(out)


def plan_alternatives(plans):
    """A build plan with alternatives: the first [requires], then [[or]] for each other one."""
    first, *rest = plans
    out = [requirements_toml("requires", first)]
    for alt in rest:
        out.append("[[or]]\n" + requirements_toml("or.requires", alt))
    return "\n".join(out)


def launch_toml(layers, processes):
    """<layers>/launch.toml (Buildpack API 0.8): processes as (type, command, args, direct,
    default)."""
    out = []
    for type_, command, args, direct, default in processes:
        out.append(f"[[processes]]\ntype = {toml_string(type_)}\ncommand = {toml_string(command)}\n"
                   f"args = [{', '.join(toml_string(a) for a in args)}]\n"
                   f"direct = {str(direct).lower()}\ndefault = {str(default).lower()}\n")
    with open(os.path.join(layers, "launch.toml"), "w") as f:
        f.write("\n".join(out))


def parse_bool(name):
    """A BP_* switch read as Go's strconv.ParseBool (unset: False); other values are an error."""
    value = os.environ.get(name)
    if value is None:
        return False
    if value in ("1", "t", "T", "TRUE", "true", "True"):
        return True
    if value in ("0", "f", "F", "FALSE", "false", "False"):
        return False
    die(f"failed to parse {name} value {value}: strconv.ParseBool: parsing {json.dumps(value)}: "
        "invalid syntax")


def log(message):
    print(message, flush=True)


def die(message):
    print(message, file=sys.stderr, flush=True)
    sys.exit(1)
