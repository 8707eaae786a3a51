"""deploy/nginx.conf itself, run by Debian's nginx in front of app servers on this machine: only
its addresses change (compose's `web` replicas, found through Docker's DNS, become loopback
ports) and its temporary files and pid go to a temporary folder of its own."""

from __future__ import annotations

import contextlib
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO

import pytest

from tests.conftest import ROOT, free_port, stop_process, wait_for_port

DEPLOYED = ROOT / "deploy" / "nginx.conf"


def nginx_config(deployed: str, nginx_port: int, app_ports: Sequence[int], temp: Path) -> str:
    """deploy/nginx.conf with this machine's addresses in place of compose's: one upstream
    server per app server on loopback instead of the `web` replicas, no resolver, and a listen
    address on loopback."""
    config, replaced = re.subn(
        r"^( *)server web:8000 resolve;\n",
        lambda found: "".join(f"{found[1]}server 127.0.0.1:{port};\n" for port in app_ports),
        deployed,
        flags=re.MULTILINE,
    )
    config, resolvers = re.subn(r"\n\s*resolver [^;]*;", "", config)
    config, listens = re.subn(r"listen 80;", f"listen 127.0.0.1:{nginx_port};", config)
    assert (replaced, resolvers, listens) == (1, 1, 1), "deploy/nginx.conf changed shape"
    temp_paths = "".join(
        f"    {kind}_temp_path {temp / kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"pid {temp / 'nginx.pid'};\n" + config.replace("http {\n", "http {\n" + temp_paths, 1)


@contextlib.contextmanager
def running_nginx(app_ports: Sequence[int], log: IO) -> Iterator[str]:
    """nginx with deploy/nginx.conf in front of the app servers on `app_ports`, its output in
    `log`; yields the address visitors reach once it accepts connections, stops it afterwards."""
    program = shutil.which("nginx")
    if program is None:
        pytest.fail("nginx is missing: run `make test`, which installs it", pytrace=False)
    # Run as root, nginx's workers are `nobody`: their temporary files (a request body over
    # client_body_buffer_size, a large response) go to a folder that user can reach, not one
    # inside pytest's private temporary folder.
    temp = Path(tempfile.mkdtemp(prefix="coach-nginx-"))
    temp.chmod(0o777)
    port = free_port()
    config = temp / "nginx.conf"
    config.write_text(nginx_config(DEPLOYED.read_text(), port, app_ports, temp))
    nginx = subprocess.Popen(
        [program, "-p", str(temp), "-e", "stderr", "-c", str(config), "-g", "daemon off;"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_port(port, nginx)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_process(nginx)
        shutil.rmtree(temp, ignore_errors=True)
