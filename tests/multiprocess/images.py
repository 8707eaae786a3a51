"""The app's Docker image, built from the project's Dockerfile by a Docker daemon the tests start
for themselves (Debian's docker.io), so compose.yaml's processes run from the image that ships.

The machine reaches no image registry, so the Dockerfile's BASE is a stand-in for
python:3.11-slim made from Debian's packages: debootstrap's minimal bookworm with Python 3.11 in a
virtual environment on PATH. Everything else (the wheel, its dependencies from the package
index, the user, the command) is the Dockerfile's own."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, stop_process

BASE_TAG = "coach-test-python-base"
APP_TAG = "coach-test-app"
DEBIAN_MIRROR = "http://deb.debian.org/debian"
# The machine's certificate authorities go into the stand-in base, so pip inside the build
# trusts the package index exactly as pip on this machine does.
CERTIFICATES = Path("/etc/ssl/certs/ca-certificates.crt")


def _run(command: list[str], **options: object) -> subprocess.CompletedProcess:
    done = subprocess.run(command, capture_output=True, text=True, **options)
    if done.returncode != 0:
        pytest.fail(f"{' '.join(map(str, command))} failed:\n{done.stdout}\n{done.stderr}")
    return done


@contextlib.contextmanager
def docker_daemon(directory: Path) -> Iterator[list[str]]:
    """A dockerd of the tests' own, its data and socket under `directory`, with no network of its
    own: containers share the host's, where the tests' PostgreSQL, Redis and AI stand-in listen on
    127.0.0.1. Yields the docker command that talks to it; stops it afterwards."""
    if os.geteuid() != 0:
        pytest.skip("a Docker daemon, debootstrap and chroot need root")
    for program in ("dockerd", "docker", "debootstrap"):
        if shutil.which(program) is None:
            pytest.fail(f"{program} is missing: `make test` installs it", pytrace=False)
    socket = directory / "docker.sock"
    log_path = directory / "dockerd.log"
    daemon = subprocess.Popen(
        [
            "dockerd",
            f"--data-root={directory / 'data'}",
            f"--exec-root={directory / 'exec'}",
            f"--pidfile={directory / 'docker.pid'}",
            f"--host=unix://{socket}",
            "--bridge=none",
            "--iptables=false",
            "--ip-masq=false",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    listening = threading.Event()

    def keep_log() -> None:
        """Copy the daemon's output to its log, and say when its API socket is up (or it ended)."""
        with log_path.open("w") as log:
            for line in daemon.stdout:
                log.write(line)
                log.flush()
                if "API listen on" in line:
                    listening.set()
        listening.set()

    threading.Thread(target=keep_log, daemon=True).start()
    docker = ["docker", f"--host=unix://{socket}"]
    try:
        if not listening.wait(120) or daemon.poll() is not None:
            pytest.fail(f"dockerd did not start:\n{log_path.read_text()[-3000:]}")
        yield docker
    finally:
        stop_process(daemon, grace=60)
        # dockerd leaves its network namespace mounted under its exec root.
        with open("/proc/self/mounts") as mounts:
            mounted = [line.split()[1] for line in mounts]
        for point in sorted((m for m in mounted if m.startswith(f"{directory}/")), reverse=True):
            subprocess.run(["umount", "--lazy", point], capture_output=True)
        shutil.rmtree(directory, ignore_errors=True)


def python_base_image(docker: list[str], directory: Path) -> str:
    """An image standing in for python:3.11-slim: `python` and `pip` on PATH, nothing else."""
    root = directory / "rootfs"
    _run(["debootstrap", "--variant=minbase", "bookworm", str(root), DEBIAN_MIRROR])
    for name in ("resolv.conf", "hosts"):
        shutil.copy(f"/etc/{name}", root / "etc" / name)
    install = (
        "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "
        "--no-install-recommends python3 python3-venv ca-certificates && apt-get clean && "
        "python3 -m venv /opt/python"
    )
    _run(["chroot", str(root), "sh", "-c", install])
    if CERTIFICATES.exists():
        shutil.copy(CERTIFICATES, root / CERTIFICATES.relative_to("/"))
    tar = subprocess.Popen(["tar", "-C", str(root), "-c", "."], stdout=subprocess.PIPE)
    _run(
        [
            *docker,
            "import",
            "--change=ENV PATH=/opt/python/bin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            f"--change=ENV PIP_CERT=/{CERTIFICATES.relative_to('/')}",
            "-",
            BASE_TAG,
        ],
        stdin=tar.stdout,
    )
    tar.wait()
    shutil.rmtree(root, ignore_errors=True)
    return BASE_TAG


def app_image(docker: list[str], directory: Path) -> str:
    """The project's Dockerfile, built on the stand-in base; the build reaches the package index
    through the host's network, as `make install` does."""
    base = python_base_image(docker, directory)
    _run([*docker, "build", "--quiet", "--network=host", f"--build-arg=BASE={base}",
          f"--tag={APP_TAG}", str(ROOT)])  # fmt: skip
    return APP_TAG
