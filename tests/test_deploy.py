"""deploy/: the container recipe, the HAProxy configuration (as run-local writes it for N replicas) and the
Kubernetes manifest, read the way their tools read them (no docker or cluster runs here; HAProxy checks its
own configuration with ``haproxy -c``)."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from lessons.server_capacity import DEFAULT_MAX_SESSIONS
from tests.conftest import IN_CI, ROOT

DEPLOY = ROOT / "deploy"
HEALTH = "/_stcore/health"


def dockerfile_instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, continuation lines joined and comments dropped."""
    joined = re.sub(r"\\\n\s*", " ", "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#")))
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1].strip())
            for line in joined.splitlines() if line.strip()]


def run_local_module():
    loader = importlib.machinery.SourceFileLoader("run_local", str(DEPLOY / "run-local"))
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader("run_local", loader))
    loader.exec_module(module)
    return module


def haproxy_or_skip() -> str:
    """Debian's haproxy; without it the test is skipped with the reason, or fails with CI=true."""
    path = run_local_module().haproxy_path()
    if path is None:
        if IN_CI:
            pytest.fail("CI=true: haproxy is not installed (.ci/run installs it with apt-get)")
        pytest.skip("Debian's haproxy is not installed (apt-get install haproxy)")
    return path


@pytest.fixture(scope="module")
def haproxy() -> str:
    return haproxy_or_skip()


def haproxy_check(haproxy: str, config: Path) -> None:
    result = subprocess.run([haproxy, "-c", "-f", str(config)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_builds_one_non_root_replica_with_a_health_check():
    steps = dockerfile_instructions((DEPLOY / "Dockerfile").read_text())
    kinds = [kind for kind, _ in steps]
    assert re.fullmatch(r"python:3\.1[1-9][\w.-]*-slim[\w.-]*", dict(steps)["FROM"])
    install = kinds.index("RUN", kinds.index("COPY"))
    assert steps[kinds.index("COPY")][1] == "requirements.txt ."
    assert "pip install -r requirements.txt" in steps[install][1]
    copy_app = [index for index, step in enumerate(steps) if step == ("COPY", ". .")]
    user = kinds.index("USER")
    assert copy_app and install < copy_app[0] < user < kinds.index("CMD"), "pinned requirements, app, then a user"
    assert steps[user][1] not in ("root", "0")
    assert HEALTH in dict(steps)["HEALTHCHECK"]
    port = dict(steps)["EXPOSE"]
    assert f"127.0.0.1:{port}{HEALTH}" in dict(steps)["HEALTHCHECK"]
    command = dict(steps)["CMD"]
    assert '"streamlit", "run", "app.py"' in command and f"--server.port={port}" in command
    assert "cookieSecret" not in command  # Streamlit refuses it on the command line: it comes from the environment


def test_the_image_holds_the_app_and_its_config_and_pinned_requirements():
    ignored = {line.strip() for line in (DEPLOY / "Dockerfile.dockerignore").read_text().splitlines()
               if line.strip() and not line.startswith("#")}
    assert {"tests", ".git", "bench"} <= ignored
    kept = {"app.py", "site_map.py", ".streamlit", ".streamlit/config.toml", "requirements.txt", "app_pages",
            "streamlit_glue", "lessons", "viz", "nn_core", "file_formats"}
    assert not kept & ignored
    requirements = [line.split("#")[0].strip() for line in (ROOT / "requirements.txt").read_text().splitlines()]
    assert all(re.fullmatch(r"[\w.-]+==[\w.]+", line) for line in requirements if line), requirements


def test_haproxy_config_is_valid_with_affinity_redispatch_health_checks_and_websocket_timeouts(haproxy):
    haproxy_check(haproxy, DEPLOY / "haproxy.cfg")
    lines = [line.split("#")[0].strip() for line in (DEPLOY / "haproxy.cfg").read_text().splitlines()]
    lines = [line for line in lines if line]
    assert any(re.fullmatch(r"cookie SERVERID insert indirect nocache.*", line) for line in lines)
    assert "option redispatch" in lines
    assert any(re.fullmatch(r"retries [1-9]", line) for line in lines)
    assert f"option httpchk GET {HEALTH}" in lines
    tunnel = next(line for line in lines if line.startswith("timeout tunnel "))
    assert re.fullmatch(r"timeout tunnel \d+h", tunnel), "a websocket must outlive a lesson"
    assert any(line.startswith("default-server check") for line in lines)
    assert all(re.fullmatch(r"server (r\d+) 127\.0\.0\.1:\d+ cookie \1", line)
               for line in lines if line.startswith("server "))


@pytest.mark.parametrize("replicas", [1, 3])
def test_run_local_writes_a_valid_config_for_its_replicas(haproxy, tmp_path, replicas):
    run_local = run_local_module()
    servers = [(f"r{index}", 8760 + index) for index in range(1, replicas + 1)]
    text = run_local.haproxy_config((DEPLOY / "haproxy.cfg").read_text(), 8760, servers)
    config = tmp_path / "haproxy.cfg"
    config.write_text(text)
    haproxy_check(haproxy, config)
    assert re.findall(r"^\s*bind (\S+)", text, re.M) == ["127.0.0.1:8760"]
    assert re.findall(r"^\s*server (\S+) (\S+) cookie (\S+)$", text, re.M) == [
        (name, f"127.0.0.1:{port}", name) for name, port in servers]


def test_run_local_refuses_a_bad_count_before_starting_anything():
    result = subprocess.run([sys.executable, str(DEPLOY / "run-local"), "0", "8760"], capture_output=True,
                            text=True, timeout=30)
    assert result.returncode == 2 and "replicas must be between 1 and 16" in result.stderr


def _manifest() -> dict[str, dict]:
    """The manifest's documents by kind (the first of each kind; by "Kind/name" for every one)."""
    documents = list(yaml.safe_load_all((DEPLOY / "kubernetes.yaml").read_text()))
    found: dict[str, dict] = {}
    for document in documents:
        found.setdefault(document["kind"], document)
        found[f"{document['kind']}/{document['metadata']['name']}"] = document
    return found


def test_kubernetes_deployment_has_replicas_probes_resources_and_the_shared_secret():
    deployment = _manifest()["Deployment"]
    assert deployment["spec"]["replicas"] >= 2
    pod = deployment["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    (container,) = pod["containers"]
    port_names = {port["name"]: port["containerPort"] for port in container["ports"]}
    for probe in ("readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"]["path"] == HEALTH
        assert container[probe]["httpGet"]["port"] in port_names
    assert {"cpu", "memory"} <= set(container["resources"]["requests"])
    assert "memory" in container["resources"]["limits"]
    secret = next(item for item in container["env"] if item["name"] == "STREAMLIT_SERVER_COOKIE_SECRET")
    assert set(secret["valueFrom"]["secretKeyRef"]) == {"name", "key"}
    assert deployment["spec"]["selector"]["matchLabels"].items() <= deployment["spec"]["template"]["metadata"][
        "labels"].items()


def test_kubernetes_service_and_ingress_reach_the_pods_with_cookie_affinity():
    manifest = _manifest()
    deployment, service, ingress = manifest["Deployment"], manifest["Service"], manifest["Ingress"]
    assert service["spec"]["selector"].items() <= deployment["spec"]["template"]["metadata"]["labels"].items()
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    assert {port["targetPort"] for port in service["spec"]["ports"]} <= {port["name"] for port in container["ports"]}
    annotations = ingress["metadata"]["annotations"]
    assert annotations["nginx.ingress.kubernetes.io/affinity"] == "cookie"
    assert annotations["nginx.ingress.kubernetes.io/session-cookie-name"]
    assert annotations["nginx.ingress.kubernetes.io/session-cookie-change-on-failure"] == "true"
    assert int(annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 3600  # the websocket
    path = next(path for path in ingress["spec"]["rules"][0]["http"]["paths"] if path["path"] == "/")
    backend = path["backend"]["service"]
    assert backend["name"] == service["metadata"]["name"]
    assert backend["port"]["name"] in {port["name"] for port in service["spec"]["ports"]}


# ------------------------------------------------------------------------------------------- what leaves the server


def _haproxy_lines() -> list[str]:
    """The configuration's directives, comments and blank lines dropped (a quoted '#' stays)."""
    lines = []
    for line in (DEPLOY / "haproxy.cfg").read_text().splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            lines.append(stripped)
    return lines


def content_security_policy() -> dict[str, list[str]]:
    """The CSP HAProxy sets, as directive → sources."""
    line = next(line for line in _haproxy_lines()
                if line.startswith("http-after-response set-header Content-Security-Policy "))
    policy = line.split(" ", 3)[3].strip('"')
    return {parts[0]: parts[1:] for parts in (item.split() for item in policy.split(";")) if parts}


def streamlit_inline_script_hashes() -> set[str]:
    """'sha256-…' of every inline <script> in the installed Streamlit's index.html, as a CSP names them."""
    import base64
    import hashlib

    import streamlit

    index = (Path(streamlit.__file__).parent / "static" / "index.html").read_text()
    scripts = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", index, re.S)
    assert scripts, "Streamlit's index.html has no inline script any more: drop the hash from the CSP"
    return {f"'sha256-{base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()}'" for text in scripts}


def test_csp_allows_streamlits_own_inline_script_by_hash_and_nothing_inline_of_ours():
    """A Streamlit upgrade that changes index.html's inline script breaks the page behind the balancer: this names
    it. No 'unsafe-inline' or 'unsafe-eval' for scripts: nothing a user typed can run."""
    csp = content_security_policy()
    assert streamlit_inline_script_hashes() <= set(csp["script-src"]), (
        "deploy/haproxy.cfg's script-src lacks the hash of an inline script of Streamlit's index.html")
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert csp["default-src"] == ["'self'"] and csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'self'"]


def test_the_ingress_headers_are_the_balancers():
    headers = _manifest()["ConfigMap/backprop-lab-headers"]["data"]
    for name, value in headers.items():
        assert f'http-after-response set-header {name} "{value}"' in _haproxy_lines() or \
            f"http-after-response set-header {name} {value}" in _haproxy_lines(), name


def test_haproxy_sends_security_headers_and_keeps_metrics_and_a_secure_cookie_behind_tls():
    lines = _haproxy_lines()
    assert "http-after-response set-header X-Content-Type-Options nosniff" in lines
    assert "http-after-response set-header X-Frame-Options SAMEORIGIN" in lines
    assert "http-request deny deny_status 404 if { path_beg /_stcore/metrics }" in lines
    assert any(re.fullmatch(r"http-after-response replace-header Set-Cookie '\^\(SERVERID=\.\*\)\$' '\\1; Secure' "
                            r"if \{ var\(txn\.tls\) -m bool \}", line) for line in lines)
    assert "acl behind_tls ssl_fc" in lines


def haproxy_limits() -> dict[str, int]:
    """The per-source limits as configured: counter → how many are admitted. A request rate or a connection count
    includes the request being checked ('gt N' admits N); an admitted-websocket counter (gpc0) is raised after the
    check ('ge N' admits N)."""
    return {match.group(1): int(match.group(3)) for line in _haproxy_lines()
            if (match := re.fullmatch(r"acl too_many (sc\d_[a-z0-9_]+\(\w+\)) (gt|ge) (\d+)", line))}


def test_per_source_limits_let_a_class_of_100_behind_one_address_in():
    """A whole class often shares one public address (NAT): 100 phones + the teacher opening at once must fit every
    per-source limit, with what a phone's first open costs as measured in Chromium (≤ 130 requests, ≤ 6 of them
    outside /static/, one websocket)."""
    limits = haproxy_limits()
    assert limits["sc2_conn_cur(per_source_websockets)"] >= 101 + 20  # tabs reopened, a second tab here and there
    assert limits["sc2_conn_cur(per_source_websockets)"] + 20 <= DEFAULT_MAX_SESSIONS, (
        "one address must not fill a server's places: 20 students elsewhere still get in")
    # new websockets: a class tapping the link in the same 10 s gets in at once, and only admitted websockets
    # count — when refused ones counted too, the frontend's retries kept 41 of 100 out (bench live100 --sources 1)
    assert limits["sc2_gpc0_rate(per_source_websockets)"] >= 101
    lines = _haproxy_lines()
    deny = next(i for i, line in enumerate(lines) if line.startswith("http-request deny deny_status 429"))
    counted = [i for i, line in enumerate(lines) if line.startswith("http-request sc-inc-gpc0(2) ")]
    assert counted and all(i > deny for i in counted), "a websocket must be counted only once it is admitted"
    assert "gpc0_rate(10s)" in next(line for line in lines if line.startswith("stick-table") and "gpc0" in line)
    assert not any("sc2_http_req_rate" in line for line in lines), "refused websockets must not count"
    assert limits["sc1_http_req_rate(per_source_app)"] >= 101 * 7
    assert limits["sc0_http_req_rate(per_source)"] >= 101 * 130
    deny = next(line for line in _haproxy_lines() if line.startswith("http-request deny deny_status 429"))
    assert deny.endswith(" if too_many") and "Retry-After" in deny and "Too many requests" in deny


def test_run_local_names_the_python_to_use_when_its_own_lacks_streamlit(tmp_path):
    """A plain PATH's python3 (Debian's) lacks the app's packages: run-local says what to do instead of starting
    replicas that die; $PYTHON, when set, is the one used."""
    run_local = run_local_module()
    no_streamlit = tmp_path / "python-without-streamlit"
    no_streamlit.write_text("#!/bin/sh\nexit 1\n")
    no_streamlit.chmod(0o755)
    with pytest.raises(SystemExit, match="cannot import streamlit.*set PYTHON="):
        run_local.app_python({"PYTHON": str(no_streamlit)})
    with pytest.raises(SystemExit, match="not an executable Python"):
        run_local.app_python({"PYTHON": str(tmp_path / "missing")})
    assert run_local.app_python({}) == sys.executable


def test_kubernetes_pod_is_hardened_and_disruptions_leave_one_pod():
    manifest = _manifest()
    pod = manifest["Deployment"]["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    image = container["image"]
    assert ":" in image.rsplit("/", 1)[-1] and not image.endswith(":latest"), image
    security = container["securityContext"]
    assert security["readOnlyRootFilesystem"] is True and security["allowPrivilegeEscalation"] is False
    assert security["capabilities"]["drop"] == ["ALL"]
    mounts = {mount["mountPath"]: mount["name"] for mount in container["volumeMounts"]}
    volumes = {volume["name"]: volume for volume in pod["volumes"]}
    assert "emptyDir" in volumes[mounts["/tmp"]], "uploads over 1 MB are spooled to /tmp"
    budget = manifest["PodDisruptionBudget"]
    assert budget["spec"]["minAvailable"] >= 1
    assert budget["spec"]["selector"]["matchLabels"].items() <= manifest["Deployment"]["spec"]["template"][
        "metadata"]["labels"].items()


def test_kubernetes_ingress_serves_tls_with_a_secure_cookie_and_keeps_metrics_closed():
    ingress = _manifest()["Ingress"]
    annotations = ingress["metadata"]["annotations"]
    assert annotations["nginx.ingress.kubernetes.io/session-cookie-secure"] == "true"
    assert annotations["nginx.ingress.kubernetes.io/ssl-redirect"] == "true"
    (tls,) = ingress["spec"]["tls"]
    assert tls["secretName"] and tls["hosts"] == [ingress["spec"]["rules"][0]["host"]]
    paths = {path["path"]: path["backend"]["service"]["name"] for path in ingress["spec"]["rules"][0]["http"]["paths"]}
    closed = _manifest()[f"Service/{paths['/_stcore/metrics']}"]
    assert "selector" not in closed["spec"], "the metrics path must reach no pod"


# ------------------------------------------------------------------------------------------- the shared class store
def _documents(kind: str) -> dict[str, dict]:
    return {document["metadata"]["name"]: document
            for document in yaml.safe_load_all((DEPLOY / "kubernetes.yaml").read_text()) if document["kind"] == kind}


def test_kubernetes_runs_one_redis_with_its_append_only_file_on_a_volume_and_the_app_finds_it_in_a_secret():
    redis = _documents("Deployment")["backprop-lab-redis"]
    assert redis["spec"]["replicas"] == 1 and redis["spec"]["strategy"]["type"] == "Recreate"
    pod = redis["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    (container,) = pod["containers"]
    assert re.fullmatch(r"redis:\d+\.\d+\.\d+[\w.-]*", container["image"]), "a pinned Redis image"
    args = container["args"]
    assert args[args.index("--appendonly") + 1] == "yes" and args[args.index("--appendfsync") + 1] == "everysec"
    assert args[args.index("--requirepass") + 1] == "$(REDIS_PASSWORD)"
    assert args[args.index("--maxmemory-policy") + 1] == "noeviction"  # never drop a class to make room
    password = next(item for item in container["env"] if item["name"] == "REDIS_PASSWORD")
    assert password["valueFrom"]["secretKeyRef"]["name"] == "backprop-lab-redis"
    (mount,) = container["volumeMounts"]
    (volume,) = pod["volumes"]
    assert mount == {"name": volume["name"], "mountPath": "/data"}
    claim = volume["persistentVolumeClaim"]["claimName"]
    assert "ReadWriteOnce" in _documents("PersistentVolumeClaim")[claim]["spec"]["accessModes"]

    service = _documents("Service")["backprop-lab-redis"]
    assert service["spec"]["selector"].items() <= redis["spec"]["template"]["metadata"]["labels"].items()
    assert service["spec"]["ports"][0]["port"] == 6379

    app = _documents("Deployment")["backprop-lab"]
    (streamlit,) = app["spec"]["template"]["spec"]["containers"]
    url = next(item for item in streamlit["env"] if item["name"] == "REDIS_URL")
    assert url["valueFrom"]["secretKeyRef"] == {"name": "backprop-lab-redis", "key": "url"}
    policy = _documents("NetworkPolicy")["backprop-lab-redis"]
    assert policy["spec"]["podSelector"]["matchLabels"] == redis["spec"]["template"]["metadata"]["labels"]
    (allowed,) = policy["spec"]["ingress"][0]["from"]
    assert allowed["podSelector"]["matchLabels"].items() <= app["spec"]["template"]["metadata"]["labels"].items()


def test_run_local_runs_redis_with_an_append_only_file_fsynced_every_second(tmp_path):
    command = run_local_module().redis_command("/usr/bin/redis-server", 8769, tmp_path)
    options = dict(zip(command[1::2], command[2::2], strict=True))
    assert options["--bind"] == "127.0.0.1" and options["--port"] == "8769" and options["--dir"] == str(tmp_path)
    assert (options["--appendonly"], options["--appendfsync"]) == ("yes", "everysec")
