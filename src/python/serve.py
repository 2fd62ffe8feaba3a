"""Start a Python web server on all interfaces, on the port in PORT (8080 when unset).

The Poetry Run buildpack writes this file into its `start` launch layer and starts,
through it, the servers its inferred start command uses that take their address only
from their own arguments or variables (a process starts without a shell, so its
command cannot say `--port $PORT`):

    python serve.py uvicorn|hypercorn|daphne|waitress|streamlit <the server's arguments>
    python serve.py gradio <script>

It sets the server's address where the server's own settings leave it unset
(UVICORN_HOST and UVICORN_PORT for uvicorn, STREAMLIT_SERVER_ADDRESS and _PORT for
Streamlit, GRADIO_SERVER_NAME and _PORT for Gradio; --bind, --port or --listen arguments
for hypercorn, daphne and waitress, which read no variable), then runs the server in this process
as `python -m <server>` would (a Gradio script as `python <script>` would).
"""

import os
import runpy
import sys

# server: (module run as __main__ (None: run a script), variables to default, arguments to add)
SERVERS = {
    "uvicorn": ("uvicorn", ("UVICORN_HOST", "UVICORN_PORT"), ()),
    "hypercorn": ("hypercorn", (), ("--bind", "0.0.0.0:{port}")),
    "daphne": ("daphne", (), ("--bind", "0.0.0.0", "--port", "{port}")),
    "waitress": ("waitress", (), ("--listen=0.0.0.0:{port}",)),
    "streamlit": (
        "streamlit",
        ("STREAMLIT_SERVER_ADDRESS", "STREAMLIT_SERVER_PORT", "STREAMLIT_SERVER_HEADLESS"),
        (),
    ),
    "gradio": (None, ("GRADIO_SERVER_NAME", "GRADIO_SERVER_PORT"), ()),
}


def defaults(port):
    """The values each variable gets where it is unset."""
    return {
        "UVICORN_HOST": "0.0.0.0",
        "UVICORN_PORT": port,
        "STREAMLIT_SERVER_ADDRESS": "0.0.0.0",
        "STREAMLIT_SERVER_PORT": port,
        "STREAMLIT_SERVER_HEADLESS": "true",
        "GRADIO_SERVER_NAME": "0.0.0.0",
        "GRADIO_SERVER_PORT": port,
    }


def main(argv):
    if len(argv) < 3 or argv[1] not in SERVERS:
        sys.exit("usage: serve.py " + "|".join(sorted(SERVERS)) + " <arguments>")
    module, variables, bind = SERVERS[argv[1]]
    port = os.environ.get("PORT") or "8080"
    values = defaults(port)
    for variable in variables:
        if not os.environ.get(variable):
            os.environ[variable] = values[variable]
    if module is None:
        script = argv[2]
        sys.argv = argv[2:]
        sys.path[0] = os.path.dirname(os.path.abspath(script))
        runpy.run_path(script, run_name="__main__")
        return
    # argv[0] becomes the module's file, as with `python -m`.
    sys.argv = [module] + [arg.format(port=port) for arg in bind] + argv[2:]
    sys.path[0] = os.getcwd()
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main(sys.argv)
