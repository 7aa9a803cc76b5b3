"""The sample reverse-proxy set-up (deploy/nginx.conf + deploy/kl-dashbord.conf) in front of a real
Streamlit server, with real nginx, TLS (a throw-away self-signed certificate) and Debian's Chromium.

The shipped files are used as they are; only the ports, the certificate paths and the upstream
port are replaced. The tests check that the security headers arrive, that plain HTTP is sent
to HTTPS, and that every page works through the proxy under its Content-Security-Policy (no
violation reported by the browser, the WebSocket connects, the page renders).
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import browser_helpers
import pytest
from browser_helpers import PAGE_NAMES, URL_PATHS, free_port, start_server, wait_for_app
from conftest import PROJECT_ROOT

pytestmark = pytest.mark.browser

demo_warehouse_a = browser_helpers.demo_warehouse_a
playwright_instance = browser_helpers.playwright_instance
chromium = browser_helpers.chromium

DEPLOY = PROJECT_ROOT / "deploy"
START_TIMEOUT = 30.0


@dataclass
class Proxy:
    https: str
    http: str
    log: Path


def _nginx() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if found is None:
        pytest.fail("nginx not found: `make test` installs Debian's nginx (make nginx)", pytrace=False)
    return found


def _site(upstream: int, http_port: int, https_port: int, cert: Path, key: Path) -> str:
    """deploy/nginx.conf with loopback ports, the test certificate and the test upstream."""
    text = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    replacements = {
        "server 127.0.0.1:8501;": f"server 127.0.0.1:{upstream};",
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen [::]:80;": "",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
        "listen [::]:443 ssl http2;": "",
        "/etc/letsencrypt/live/dashbord.example.no/fullchain.pem": str(cert),
        "/etc/letsencrypt/live/dashbord.example.no/privkey.pem": str(key),
    }
    for old, new in replacements.items():
        assert old in text, f"deploy/nginx.conf no longer has {old!r}: update this test"
        text = text.replace(old, new)
    return text


@pytest.fixture(scope="module")
def proxy(demo_warehouse_a: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proxy]:
    nginx = _nginx()
    root = tmp_path_factory.mktemp("nginx")
    server = start_server(demo_warehouse_a, root)
    process = None
    try:
        cert, key = root / "cert.pem", root / "key.pem"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
             "-keyout", str(key), "-out", str(cert)],
            check=True, capture_output=True,
        )
        http_port, https_port = free_port(), free_port()
        (root / "snippets").mkdir()
        shutil.copyfile(DEPLOY / "kl-dashbord.conf", root / "snippets" / "kl-dashbord.conf")
        (root / "site.conf").write_text(_site(server.port, http_port, https_port, cert, key), encoding="utf-8")
        temp = {name: root / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
        (root / "nginx.conf").write_text(
            f"""user root;
worker_processes 1;
daemon off;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{}}
http {{
    access_log off;
    client_body_temp_path {temp['body']};
    proxy_temp_path {temp['proxy']};
    fastcgi_temp_path {temp['fastcgi']};
    uwsgi_temp_path {temp['uwsgi']};
    scgi_temp_path {temp['scgi']};
    include {root}/site.conf;
}}
""",
            encoding="utf-8",
        )
        check = subprocess.run([nginx, "-t", "-p", str(root), "-c", str(root / "nginx.conf")],
                               capture_output=True, text=True, check=False)
        assert check.returncode == 0, f"nginx -t rejects the sample configuration:\n{check.stderr}"
        process = subprocess.Popen([nginx, "-p", str(root), "-c", str(root / "nginx.conf")],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        https = f"https://127.0.0.1:{https_port}"
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                with urllib.request.urlopen(https + "/_stcore/health", context=_unverified(), timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail(f"nginx did not answer:\n{(root / 'error.log').read_text()}", pytrace=False)
                time.sleep(0.2)
        yield Proxy(https=https, http=f"http://127.0.0.1:{http_port}", log=root / "error.log")
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=15)
        server.stop()


def _unverified() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def test_security_headers_are_sent(proxy: Proxy):
    with urllib.request.urlopen(proxy.https + "/", context=_unverified(), timeout=10) as response:
        headers = response.headers
    csp = headers["Content-Security-Policy"]
    assert csp and "frame-ancestors 'none'" in csp and "default-src 'self'" in csp, csp
    assert "connect-src 'self'" in csp, "data may only go back to this host"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["Strict-Transport-Security"].startswith("max-age=")


def test_plain_http_is_sent_to_https(proxy: Proxy):
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as answer:
        opener.open(proxy.http + "/kart", timeout=10)
    assert answer.value.code == 301
    assert answer.value.headers["Location"].startswith("https://") and answer.value.headers["Location"].endswith("/kart")


def test_every_page_works_under_the_content_security_policy(proxy: Proxy, chromium):
    context = chromium.new_context(ignore_https_errors=True, viewport={"width": 1440, "height": 1000})
    violations: list[str] = []
    try:
        page = context.new_page()
        page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
        for name in PAGE_NAMES:
            page.goto(proxy.https + URL_PATHS[name])
            wait_for_app(page)
            assert page.locator('[data-testid="stException"]').count() == 0, name
            assert page.get_by_text("Demodata (syntetiske tall)").first.is_visible(), f"{name}: no content"
            # Streamlit listens on loopback, but the proxy's forwarding headers make this the network:
            # no unit-level results without login (dashboard/tilgang.py), and the page says so
            assert page.get_by_text("Resultater per enhet vises ikke").first.is_visible(), name
            assert page.get_by_text("Lokal visning").count() == 0, name
    finally:
        context.close()
    assert violations == [], "the pages break the Content-Security-Policy:\n" + "\n".join(violations[:10])
