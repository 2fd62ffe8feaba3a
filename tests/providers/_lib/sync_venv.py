"""The Poetry package-installer stand-ins (poetry-install, python-package-managers-run), as
Paketo's poetry-install: `poetry sync --only ${BP_POETRY_INSTALL_ONLY:-main}` with POETRY_VIRTUALENVS_PATH in the
poetry-venv layer and POETRY_CACHE_DIR in a cache layer; exports (build and launch)
POETRY_VIRTUALENVS_PATH as a default, the venv's site-packages prepended to PYTHONPATH and
its bin/ prepended to PATH, so an installed console script is on the process PATH."""
import glob, os, subprocess, sys
import cnb


def detect():
    """Provides poetry-venv when pyproject.toml exists; requires cpython and poetry at build."""
    if not os.path.exists("pyproject.toml"):
        print("no pyproject.toml")
        sys.exit(100)
    with open(sys.argv[2], "w") as f:
        f.write(cnb.plan(provides=["poetry-venv"],
                         requires=[("cpython", {"build": True}), ("poetry", {"build": True})]))


def build():
    layers, _platform, plan_path = sys.argv[1:4]
    launch, build_ = cnb.flags(cnb.plan_entries(plan_path), "poetry-venv")
    layer = os.path.join(layers, "poetry-venv")
    cache = os.path.join(layers, "cache")
    os.makedirs(layer, exist_ok=True)
    os.makedirs(cache, exist_ok=True)
    env = dict(os.environ, POETRY_VIRTUALENVS_PATH=layer, POETRY_CACHE_DIR=cache,
               POETRY_VIRTUALENVS_IN_PROJECT="false", POETRY_NO_INTERACTION="1")
    only = os.environ.get("BP_POETRY_INSTALL_ONLY") or "main"
    cnb.log(f"Running 'poetry sync --only {only}'")
    run = subprocess.run(["poetry", "sync", "--only", only], env=env, capture_output=True,
                         text=True)
    for line in (run.stdout + run.stderr).splitlines():
        cnb.log("  " + line)
    if run.returncode != 0:
        cnb.die(f"poetry sync failed with exit code {run.returncode}")
    venv = subprocess.run(["poetry", "env", "info", "--path"], env=env, capture_output=True,
                          text=True, check=True).stdout.strip()
    site = glob.glob(os.path.join(venv, "lib", "python3*", "site-packages"))[0]
    cnb.env_file(layer, "env", "POETRY_VIRTUALENVS_PATH.default", layer)
    cnb.env_file(layer, "env", "PATH.prepend", os.path.join(venv, "bin"))
    cnb.env_file(layer, "env", "PATH.delim", ":")
    cnb.env_file(layer, "env", "PYTHONPATH.prepend", site)
    cnb.env_file(layer, "env", "PYTHONPATH.delim", ":")
    cnb.layer_toml(layers, "poetry-venv", launch, build_)
    cnb.layer_toml(layers, "cache", False, False, cache=True)
    cnb.log(f"Test poetry-install: venv {venv} (launch={launch}, build={build_})")
