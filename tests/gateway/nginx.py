"""Debian's nginx running `deploy/nginx/oms.conf` for a test: the file's host-specific values
(ports, certificate paths) swapped for the test's, under a main context of the test's own (pid,
logs and temporary files in a private directory, one worker, in the foreground). Never the
system's nginx: nothing under /etc/nginx or /var is used or touched."""

from __future__ import annotations

import datetime
import getpass
import ipaddress
import os
import shutil
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.process_output import ProcessOutput

DEPLOY_CONF = Path(__file__).resolve().parents[2] / "deploy" / "nginx" / "oms.conf"
MIME_TYPES = Path("/etc/nginx/mime.types")


@dataclass(frozen=True)
class Certificate:
    cert: Path
    key: Path


def self_signed_certificate(directory: Path, host: str = "127.0.0.1") -> Certificate:
    """A throw-away certificate for `host` (an IP address SAN, so clients can verify it)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "oms test")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(host))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    paths = Certificate(directory / "cert.pem", directory / "key.pem")
    paths.cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    paths.key.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return paths


def render_site(
    *, api_port: int, gateway_ports: list[int], https_port: int, http_port: int, tls: Certificate
) -> str:
    """deploy/nginx/oms.conf with the test's ports and certificate. Every value swapped must be
    found, so a change to the file that the test would silently not follow fails here."""
    text = DEPLOY_CONF.read_text()

    def swap(old: str, new: str) -> None:
        nonlocal text
        assert old in text, f"deploy/nginx/oms.conf no longer contains {old!r}"
        text = text.replace(old, new)

    swap("server 127.0.0.1:8000 ", f"server 127.0.0.1:{api_port} ")
    first, *others = gateway_ports
    swap("server 127.0.0.1:6001 ", f"server 127.0.0.1:{first} ")
    line = "\n    server 127.0.0.1:{} max_fails=1 fail_timeout=2s;"
    swap(line.format(6002), "".join(line.format(port) for port in others))
    swap("listen 443 ssl;", f"listen 127.0.0.1:{https_port} ssl;")
    swap("listen 80;", f"listen 127.0.0.1:{http_port};")
    swap("listen [::]:443 ssl;", "")
    swap("listen [::]:80;", "")
    swap("/etc/ssl/oms/fullchain.pem", str(tls.cert))
    swap("/etc/ssl/oms/privkey.pem", str(tls.key))
    return text


def main_config(directory: Path, site: Path) -> str:
    """The main context: everything nginx writes stays in `directory`."""
    # As root, nginx would switch its worker to `nobody`, who cannot read the test's directory.
    user = f"user {getpass.getuser()};\n" if os.geteuid() == 0 else ""
    temp = "\n".join(
        f"    {kind}_temp_path {directory / (kind + '_temp')};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""{user}daemon off;
master_process on;
worker_processes 1;
pid {directory / "nginx.pid"};
error_log {directory / "error.log"} info;
error_log stderr notice;
events {{ worker_connections 1024; }}
http {{
    include {MIME_TYPES};
    access_log {directory / "access.log"};
{temp}
    include {site};
}}
"""


class Nginx:
    """One nginx master process in the foreground, stopped with SIGQUIT (graceful) or SIGTERM."""

    def __init__(self, directory: Path, site_text: str) -> None:
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        assert Path(binary).exists(), "nginx is required (scripts/test installs Debian's nginx)"
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        site = directory / "oms.conf"
        site.write_text(site_text)
        self.config = directory / "nginx.conf"
        self.config.write_text(main_config(directory, site))
        # -p: the prefix for any relative path; -e: the error log before the config is read.
        self.command = [binary, "-p", str(directory), "-e", str(directory / "error.log")]
        self.process: subprocess.Popen[bytes] | None = None
        self._output: ProcessOutput | None = None

    def check(self) -> str:
        result = subprocess.run(
            [*self.command, "-t", "-c", str(self.config)], capture_output=True, timeout=30
        )
        output = result.stderr.decode(errors="replace")
        assert result.returncode == 0, output
        return output

    def start(self) -> None:
        self.process = subprocess.Popen(
            [*self.command, "-c", str(self.config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        self._output = ProcessOutput(self.process.stderr, self.directory / "stderr.log")
        # The master opens every listening socket before it starts its worker: from this line on,
        # a connection is queued for the worker rather than refused.
        self._output.wait_for(r"start worker process \d+", within=10)

    def errors(self) -> str:
        log = self.directory / "error.log"
        return log.read_text(errors="replace") if log.exists() else ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        if self._output is not None:
            self._output.close()
        self.process = None
