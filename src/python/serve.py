"""Start a Python web server on all interfaces, on the port in PORT (8080 when unset).

The Poetry Run buildpack writes this file into its `start` launch layer and starts,
through it, the servers its inferred start command uses that take their address only
from their own arguments or variables (a process starts without a shell, so its
command cannot say `--port $PORT`):

    python serve.py uvicorn|hypercorn|waitress <the server's arguments>

It sets the server's address where the server's own settings leave it unset
(UVICORN_HOST and UVICORN_PORT for uvicorn; a --bind or --listen argument for
hypercorn and waitress, which read no variable), then runs the server in this
process as `python -m <server>` would: the working directory first on sys.path.
"""

import os
import runpy
import sys

# server: (module run as __main__, its argv[0], variables to default, arguments to add)
SERVERS = {
    "uvicorn": ("uvicorn", "uvicorn", ("UVICORN_HOST", "UVICORN_PORT"), ()),
    "hypercorn": ("hypercorn", "hypercorn", (), ("--bind", "0.0.0.0:{port}")),
    "waitress": ("waitress", "waitress-serve", (), ("--listen=0.0.0.0:{port}",)),
}


def main(argv):
    if len(argv) < 2 or argv[1] not in SERVERS:
        sys.exit("usage: serve.py " + "|".join(sorted(SERVERS)) + " <arguments>")
    module, name, variables, bind = SERVERS[argv[1]]
    port = os.environ.get("PORT") or "8080"
    defaults = {"UVICORN_HOST": "0.0.0.0", "UVICORN_PORT": port}
    for variable in variables:
        if not os.environ.get(variable):
            os.environ[variable] = defaults[variable]
    sys.argv = [name] + [arg.format(port=port) for arg in bind] + argv[2:]
    sys.path[0] = os.getcwd()
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main(sys.argv)
