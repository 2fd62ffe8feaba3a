"""The Poetry installer stand-ins (poetry, python-package-managers-install), as Paketo's poetry
installs it: `pip install --user` of Poetry into a layer (PYTHONUSERBASE), so the layer holds
Poetry and its packages and nothing else, its bin/ is on PATH and its site-packages are
prepended to PYTHONPATH; a launch layer only when a later buildpack requires poetry at launch.
Poetry comes from a wheel directory (POETRY_WHEELS, default /opt/poetry-wheels, holding the one
version scripts/install-tools.sh downloaded), installed without bytecode (Paketo's layer ships
none), by the pip the pip stand-in put on PYTHONPATH (or, without one, Debian's pip wheel); or,
on a host where POETRY_RUN_TOOLS_DIR names a ready Poetry, it is linked from there."""
import glob, importlib.util, os, subprocess, sys
import cnb


def detect(pip):
    """Provides poetry; requires cpython (and pip, as Paketo's poetry does) at build."""
    requires = [("cpython", {"build": True})] + ([("pip", {"build": True})] if pip else [])
    with open(sys.argv[2], "w") as f:
        f.write(cnb.plan(provides=["poetry"], requires=requires))


def build():
    layers, _platform, plan_path = sys.argv[1:4]
    launch, build_ = cnb.flags(cnb.plan_entries(plan_path), "poetry")
    layer = os.path.join(layers, "poetry")
    os.makedirs(layer, exist_ok=True)
    tools = os.environ.get("POETRY_RUN_TOOLS_DIR")
    if tools:
        os.makedirs(os.path.join(layer, "bin"), exist_ok=True)
        os.symlink(os.path.join(tools, "poetry", "bin", "poetry"),
                   os.path.join(layer, "bin", "poetry"))
        site = glob.glob(os.path.join(tools, "poetry", "lib", "python3*", "site-packages"))[0]
    else:
        wheels = os.environ.get("POETRY_WHEELS", "/opt/poetry-wheels")
        env = dict(os.environ, PYTHONUSERBASE=layer, PIP_BREAK_SYSTEM_PACKAGES="1")
        if importlib.util.find_spec("pip") is not None:  # the pip stand-in's layer, on PYTHONPATH
            pip_cmd = ["/usr/bin/python3", "-m", "pip"]
        else:
            wheel = sorted(glob.glob("/usr/share/python-wheels/pip-*.whl"))[-1]
            pip_cmd = ["/usr/bin/python3", os.path.join(wheel, "pip")]
        subprocess.run(pip_cmd + ["install", "-q", "--user", "--no-index", "--no-compile",
                                  "--no-warn-script-location", "--find-links", wheels, "poetry"],
                       env=env, check=True)
        site = glob.glob(os.path.join(layer, "lib", "python3*", "site-packages"))[0]
    cnb.env_file(layer, "env", "PYTHONPATH.prepend", site)
    cnb.env_file(layer, "env", "PYTHONPATH.delim", ":")
    cnb.layer_toml(layers, "poetry", launch, build_)
    out = subprocess.run([os.path.join(layer, "bin", "poetry"), "--version"],
                         capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=site))
    cnb.log(f"Test Poetry: {out.stdout.strip()} (launch={launch}, build={build_})")
