"""The deploy kit (deploy/) and the operations guide (docs/operations.md): what would break a
deployment, or mislead an operator, if it changed.

Every file is read as the tools read it: YAML parsed, the Dockerfile's instructions and the
Caddyfile's directives picked out, settings taken from rounds/settings.py's own source. The
tools themselves (docker compose, kubectl, caddy) check the files too where they are
installed; without them those tests skip and say why. No test builds an image: that is too
slow, and this machine has no Docker engine (docs/operations.md says how it was verified).
"""

from __future__ import annotations

import ast
import fnmatch
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from rounds.settings import SettingsError, from_env

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "kubernetes"
DOCKERFILE = DEPLOY / "Dockerfile"
COMPOSE = DEPLOY / "compose.yml"
CADDYFILE = DEPLOY / "caddy" / "Caddyfile"
OPERATIONS = ROOT / "docs" / "operations.md"
SETTINGS = ROOT / "rounds" / "settings.py"
README = ROOT / "README.md"

PORT = 3978
METRICS_PORT = "9464"
UID = 10001  # the image's user; Kubernetes' runAsUser must be the same
# public, via the proxy
ENDPOINTS = {"/slack/events", "/api/messages", "/privacy", "/terms", "/healthz", "/readyz"}
SECRET_SETTINGS = {
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "MicrosoftAppPassword",
    "ROUNDS_DATABASE_URL",
}
SETTING_NAME = re.compile(r"(?:ROUNDS|SLACK)_[A-Z0-9_]+|MicrosoftApp[A-Za-z]+")
PLACEHOLDER = re.compile(r"replace-me|00000000-0000-0000-0000-000000000000")

# Shapes of real credentials. A placeholder must never look like one of these.
REAL_LOOKING = {
    "Slack token": re.compile(r"xox[abeoprs]-\d+-[A-Za-z0-9-]+"),
    "Slack app-level token": re.compile(r"xapp-\d-[A-Za-z0-9-]+"),
    "Slack signing secret (32 hex digits)": re.compile(r"(?<![0-9a-fA-F])[0-9a-f]{32}(?![0-9a-f])"),
    "Azure client secret": re.compile(r"[A-Za-z0-9_.~-]{3}\dQ~[A-Za-z0-9_.~-]{30,}"),
    "GUID other than all zeros": re.compile(
        r"(?!00000000-0000-0000-0000-000000000000)"
        r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    ),
    "private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
}


# -- helpers -----------------------------------------------------------------------------------


def yaml_files() -> list[Path]:
    return sorted([*DEPLOY.rglob("*.yml"), *DEPLOY.rglob("*.yaml")])


def load_all(path: Path) -> list[Any]:
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc is not None]


def load(path: Path) -> Any:
    docs = load_all(path)
    assert len(docs) == 1, f"{path.name}: expected one YAML document"
    return docs[0]


def settings_in_code() -> set[str]:
    """The environment variables rounds/settings.py reads, from its own source."""
    tree = ast.parse(SETTINGS.read_text(encoding="utf-8"))
    names = {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and SETTING_NAME.fullmatch(node.value)
    }
    assert "ROUNDS_DATABASE_URL" in names and "MicrosoftAppId" in names, names
    return names


def settings_named_in(text: str) -> set[str]:
    return set(SETTING_NAME.findall(text))


def env_file(path: Path) -> dict[str, str]:
    """KEY=value lines; comments and blank lines skipped (commented-out keys included, as
    `#KEY`, so that optional settings shown there are checked too)."""
    values: dict[str, str] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        commented = line.startswith("#")
        line = line.lstrip("#").strip()
        match = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*)=(\S*)(?:\s+#.*)?", line)
        if match:
            values[("#" if commented else "") + match[1]] = match[2]
    return values


def dockerfile_instructions(path: Path = DOCKERFILE) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        whole = (pending + line).strip()
        pending = ""
        keyword, _, rest = whole.partition(" ")
        instructions.append((keyword.upper(), rest.strip()))
    assert not pending, "the Dockerfile ends inside a continuation line"
    return instructions


def final_stage() -> list[tuple[str, str]]:
    instructions = dockerfile_instructions()
    last = max(i for i, (keyword, _) in enumerate(instructions) if keyword == "FROM")
    return instructions[last:]


def k8s_objects() -> dict[str, dict[str, Any]]:
    """The Kubernetes objects in deploy/kubernetes (not the kustomization), by kind."""
    objects: dict[str, dict[str, Any]] = {}
    for path in sorted(K8S.rglob("*.yaml")):
        if path.name in ("kustomization.yaml", "secret.yaml"):  # secret.yaml: an operator's
            continue
        for doc in load_all(path):
            assert doc["kind"] not in objects, f"two {doc['kind']} objects"
            objects[doc["kind"]] = doc
    return objects


def pod_port(container: dict[str, Any], port: int | str) -> int:
    """A probe's or Service's port, named or numbered, as the container's port number."""
    if isinstance(port, int):
        return port
    named = {p["name"]: p["containerPort"] for p in container.get("ports", [])}
    assert port in named, f"no container port named {port!r}"
    return int(named[port])


def tool(name: str) -> str | None:
    """A command on PATH, or installed beside this Python (the project's venv)."""
    found = shutil.which(name)
    if found:
        return found
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else None


def caddy_blocks(text: str) -> Iterator[tuple[str, list[str]]]:
    """Each Caddyfile line as (directive, arguments), comments dropped."""
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if line and line not in ("{", "}"):
            words = shlex.split(line.rstrip("{").strip())
            if words:
                yield words[0], words[1:]


# -- every file parses -------------------------------------------------------------------------


def test_every_yaml_file_in_deploy_parses() -> None:
    files = yaml_files()
    assert COMPOSE in files and K8S / "deployment.yaml" in files
    for path in files:
        assert load_all(path), f"{path.relative_to(ROOT)} is empty"


def test_deploy_readme_indexes_every_file() -> None:
    readme = (DEPLOY / "README.md").read_text(encoding="utf-8")
    for path in sorted(DEPLOY.rglob("*")):
        if path.is_file() and committed(path) and path.name not in ("README.md", ".gitignore"):
            shown = path.relative_to(DEPLOY).as_posix()
            folder = path.parent.relative_to(DEPLOY).as_posix()
            assert shown in readme or (folder != "." and f"{folder}/" in readme), shown
    assert "docs/operations.md" in readme


# -- the Dockerfile ----------------------------------------------------------------------------


def test_dockerfile_is_multi_stage_on_python_311_slim() -> None:
    instructions = dockerfile_instructions()
    froms = [rest for keyword, rest in instructions if keyword == "FROM"]
    assert len(froms) >= 2, "a build stage and a final stage"
    [image] = [rest for keyword, rest in instructions[:1] if keyword == "ARG"]
    assert image.startswith("PYTHON_IMAGE=python:3.11-slim-bookworm"), image
    assert all(rest.split()[0] == "${PYTHON_IMAGE}" for rest in froms)
    copies = [rest for keyword, rest in final_stage() if keyword == "COPY"]
    assert copies and all(rest.startswith("--from=") for rest in copies), (
        "the final image takes only what the build stage made"
    )


def base_image_check() -> str:
    """The build stage's first step: the shell that stops a build on an unpinned base."""
    build = dockerfile_instructions()
    first = next(i for i, (keyword, _) in enumerate(build) if keyword == "FROM")
    assert build[first + 1] == ("ARG", "PYTHON_IMAGE"), "the stage reads the base image's name"
    keyword, check = build[first + 2]
    assert keyword == "RUN" and "@sha256:" in check
    return check


@pytest.mark.parametrize(
    ("image", "builds"),
    [
        ("python:3.11-slim-bookworm", False),
        ("python:3.11-slim-bookworm@sha256:" + "0" * 63, False),
        ("python:3.11-slim-bookworm@sha256:" + "0a" * 32, True),
        ("registry.example.nhs.uk/python:3.11-slim-bookworm@sha256:" + "f" * 64, True),
    ],
)
def test_dockerfile_builds_only_on_a_base_image_pinned_by_digest(image: str, builds: bool) -> None:
    """A tag moves; the build stops, saying how to find the digest, unless one is given."""
    env = {"PATH": os.environ["PATH"], "PYTHON_IMAGE": image}
    ran = subprocess.run(["sh", "-c", base_image_check()], env=env, capture_output=True, text=True)
    assert (ran.returncode == 0) is builds, ran.stderr
    if not builds:
        assert "docker buildx imagetools inspect python:3.11-slim-bookworm" in ran.stderr


def test_dockerfile_runs_as_a_user_without_privileges() -> None:
    users = [rest for keyword, rest in final_stage() if keyword == "USER"]
    assert users, "the final stage sets USER"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0")
    assert user == str(UID), "numeric, so Kubernetes' runAsNonRoot can check it"


def test_dockerfile_exposes_the_port_checks_health_and_serves() -> None:
    final = final_stage()
    assert ("EXPOSE", str(PORT)) in final
    assert ("EXPOSE", METRICS_PORT) in final
    [check] = [rest for keyword, rest in final if keyword == "HEALTHCHECK"]
    assert f"127.0.0.1:{PORT}/healthz" in check and "urllib.request" in check
    assert "curl" not in check and "wget" not in check, "python:3.11-slim has neither"
    [cmd] = [rest for keyword, rest in final if keyword == "CMD"]
    assert json.loads(cmd) == ["rounds", "serve", "--host", "0.0.0.0"]


def test_dockerfile_copies_what_the_code_looks_for() -> None:
    """Rounds finds content/ and deploy/teams beside its packages (an editable install, as
    in a checkout): each must be copied to the same relative place, and exist."""
    build = dockerfile_instructions()
    copies = [rest.split() for keyword, rest in build if keyword == "COPY" and "--from" not in rest]
    pairs = {tuple(words) for words in copies if len(words) == 2}
    packages = ["bot", "adapters", "scheduler", "rounds"]
    for needed in [*packages, "content", "deploy/teams"]:
        assert (needed, needed) in pairs, f"COPY {needed} {needed}"
    for words in copies:
        for source in words[:-1]:
            assert (ROOT / source).exists(), f"COPY {source}: no such file in the repository"
    loader = (ROOT / "bot" / "content" / "loader.py").read_text(encoding="utf-8")
    assert 'parents[2] / "content"' in loader, "the bundled library moved: update the Dockerfile"
    package = (ROOT / "rounds" / "teams_package.py").read_text(encoding="utf-8")
    assert 'parent.parent / "deploy" / "teams"' in package, "the Teams manifest moved"
    assert any(
        keyword == "RUN" and "pip install --no-deps --no-build-isolation -e ." in rest
        for keyword, rest in build
    )
    assert any(keyword == "RUN" and "rounds content check" in rest for keyword, rest in build)


def test_dockerignore_keeps_out_local_and_secret_files_but_not_what_is_copied() -> None:
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for needed in (".venv", ".git", "*.db", "**/*.env", "**/__pycache__", ".mypy_cache"):
        assert needed in patterns, needed
    copied = [
        source
        for keyword, rest in dockerfile_instructions()
        if keyword == "COPY" and "--from" not in rest
        for source in rest.split()[:-1]
    ]
    for source in copied:
        for pattern in patterns:
            bare = pattern.removeprefix("**/")
            assert not fnmatch.fnmatch(source, pattern) and not fnmatch.fnmatch(source, bare), (
                f".dockerignore {pattern!r} would hide {source}"
            )


# -- docker compose ----------------------------------------------------------------------------


def compose_services() -> dict[str, dict[str, Any]]:
    services: dict[str, dict[str, Any]] = load(COMPOSE)["services"]
    return services


def rounds_replicas() -> dict[str, dict[str, Any]]:
    """The services that run `rounds serve` (the image's command), not the one-off migration."""
    return {
        name: service
        for name, service in compose_services().items()
        if service.get("build", {}).get("dockerfile") == "deploy/Dockerfile"
        and service.get("command") in (None, ["rounds", "serve", "--host", "0.0.0.0"])
    }


def test_compose_runs_postgres_with_a_volume_and_a_health_check() -> None:
    compose = load(COMPOSE)
    postgres = compose["services"]["postgres"]
    assert str(postgres["image"]).startswith("postgres:16")
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    volume = postgres["volumes"][0].split(":")[0]
    assert volume in compose["volumes"], "a named volume, declared"
    assert postgres["env_file"] == "postgres.env"
    assert "ports" not in postgres, "PostgreSQL is not published"


def test_compose_runs_two_replicas_on_postgres() -> None:
    replicas = rounds_replicas()
    count = sum(int(s.get("deploy", {}).get("replicas", 1)) for s in replicas.values())
    assert count == 2, sorted(replicas)
    for name, service in replicas.items():
        assert service["env_file"] == "rounds.env", name
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy", name
        assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert service["read_only"] is True and "/tmp" in service["tmpfs"], name
        assert "ports" not in service, f"{name}: only the proxy is published (/metrics is not)"
        assert not SECRET_SETTINGS & set(service.get("environment", {})), "secrets in env_file"
    url = env_file(DEPLOY / "rounds.env.example")["ROUNDS_DATABASE_URL"]
    assert url.startswith("postgresql://") and "@postgres:5432/" in url


def test_compose_migrates_once_before_the_replicas() -> None:
    migrate = compose_services()["migrate"]
    assert migrate["command"] == ["rounds", "db", "upgrade"]
    assert migrate["restart"] == "no"
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_compose_proxy_publishes_one_port_in_front_of_both_replicas() -> None:
    proxy = compose_services()["proxy"]
    assert str(proxy["image"]).startswith("caddy:2")
    [published] = proxy["ports"]
    assert published == "8080:8080"
    assert "./caddy/Caddyfile:/etc/caddy/Caddyfile:ro" in proxy["volumes"]
    assert set(proxy["depends_on"]) == set(rounds_replicas())


def test_compose_env_files_have_examples_and_are_never_committed() -> None:
    for service in compose_services().values():
        if "env_file" in service:
            example = DEPLOY / f"{service['env_file']}.example"
            assert example.is_file(), example
            ignored = subprocess.run(
                ["git", "check-ignore", "-q", f"deploy/{service['env_file']}"], cwd=ROOT
            )
            assert ignored.returncode == 0, f"deploy/{service['env_file']} is not git-ignored"


# -- the reverse proxy -------------------------------------------------------------------------


def test_caddyfile_routes_the_public_endpoints_to_both_replicas() -> None:
    directives = list(caddy_blocks(CADDYFILE.read_text(encoding="utf-8")))
    [matcher] = [args for name, args in directives if name == "@rounds"]
    assert matcher[0] == "path" and set(matcher[1:]) == ENDPOINTS
    [upstreams] = [args for name, args in directives if name == "reverse_proxy"]
    assert upstreams == [f"{name}:{PORT}" for name in sorted(rounds_replicas())]
    assert ["/readyz"] in [args for name, args in directives if name == "health_uri"]
    assert ":8080" in [name for name, _ in directives], "listens on the port compose publishes"


def test_caddyfile_keeps_metrics_and_everything_else_off_the_proxy() -> None:
    text = CADDYFILE.read_text(encoding="utf-8")
    directives = list(caddy_blocks(text))
    assert ("handle", ["/metrics"]) in directives
    responds = [args for name, args in directives if name == "respond"]
    assert responds and all(args == ["404"] for args in responds)
    handled = [args for name, args in directives if name == "handle"]
    assert [] in handled, "a catch-all handle answers 404 to every other path"


# -- secrets -----------------------------------------------------------------------------------


def committed(path: Path) -> bool:
    """Not one of the files an operator fills in (git-ignored): rounds.env, secret.yaml."""
    return path.suffix != ".env" and path.name != "secret.yaml"


def text_files() -> list[Path]:
    files = [p for p in DEPLOY.rglob("*") if p.is_file() and p.suffix != ".png" and committed(p)]
    return [*files, OPERATIONS, ROOT / ".dockerignore"]


def test_no_file_holds_anything_that_looks_like_a_real_secret() -> None:
    for path in text_files():
        text = path.read_text(encoding="utf-8")
        for what, pattern in REAL_LOOKING.items():
            found = pattern.search(text)
            if found:
                pytest.fail(f"{path.relative_to(ROOT)}: looks like a {what}: {found[0]!r}")


def test_secret_placeholders_are_obviously_fake() -> None:
    examples = {
        **env_file(DEPLOY / "rounds.env.example"),
        **env_file(DEPLOY / "postgres.env.example"),
    }
    secret = k8s_objects()["Secret"]
    values = {**examples, **secret["stringData"]}
    for key, value in values.items():
        if key.lstrip("#") in SECRET_SETTINGS | {"POSTGRES_PASSWORD", "MicrosoftAppId"}:
            assert PLACEHOLDER.search(value), f"{key}={value!r} is not an obvious placeholder"
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", "deploy/kubernetes/secret.yaml"], cwd=ROOT
    )
    assert ignored.returncode == 0, "a filled-in copy of the Secret template could be committed"


# -- Kubernetes --------------------------------------------------------------------------------


def deployment_parts() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    deployment = k8s_objects()["Deployment"]
    pod = deployment["spec"]["template"]
    [container] = pod["spec"]["containers"]
    return deployment, pod, container


def test_deployment_has_two_replicas_and_matching_labels() -> None:
    deployment, pod, _ = deployment_parts()
    assert deployment["spec"]["replicas"] == 2
    selector = deployment["spec"]["selector"]["matchLabels"]
    assert selector.items() <= pod["metadata"]["labels"].items()
    rolling = deployment["spec"]["strategy"]["rollingUpdate"]
    assert rolling["maxUnavailable"] == 0


def test_deployment_probes_health_and_readiness_on_the_port() -> None:
    _, _, container = deployment_parts()
    assert pod_port(container, "http") == PORT
    probes = {
        "livenessProbe": "/healthz",
        "readinessProbe": "/readyz",
        "startupProbe": "/healthz",
    }
    for probe, path in probes.items():
        get = container[probe]["httpGet"]
        assert get["path"] == path, probe
        assert pod_port(container, get["port"]) == PORT, probe


def test_deployment_runs_without_privileges_on_a_read_only_filesystem() -> None:
    _, pod, container = deployment_parts()
    context = pod["spec"]["securityContext"]
    assert context["runAsNonRoot"] is True
    assert context["runAsUser"] == UID
    own = container["securityContext"]
    assert own["allowPrivilegeEscalation"] is False
    assert own["capabilities"]["drop"] == ["ALL"]
    assert own["readOnlyRootFilesystem"] is True
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["spec"]["volumes"]}
    assert "emptyDir" in volumes[mounts["/tmp"]], "a writable /tmp"
    for kind in ("requests", "limits"):
        assert {"cpu", "memory"} <= set(container["resources"][kind]), kind


def test_deployment_reads_the_secret_and_the_configmap() -> None:
    objects = k8s_objects()
    _, _, container = deployment_parts()
    sources = container["envFrom"]
    secrets = [s["secretRef"]["name"] for s in sources if "secretRef" in s]
    configs = [s["configMapRef"]["name"] for s in sources if "configMapRef" in s]
    assert secrets == [objects["Secret"]["metadata"]["name"]]
    assert configs == [objects["ConfigMap"]["metadata"]["name"]]
    assert "env" not in container or not SECRET_SETTINGS & {e["name"] for e in container["env"]}


def test_deployment_command_and_scrape_annotations() -> None:
    _, pod, container = deployment_parts()
    assert container["command"] == ["rounds", "serve", "--host", "0.0.0.0", "--port", str(PORT)]
    annotations = pod["metadata"]["annotations"]
    assert annotations["prometheus.io/scrape"] == "true"
    # metrics on their own port (ROUNDS_METRICS_PORT), which the Service does not carry
    assert k8s_objects()["ConfigMap"]["data"]["ROUNDS_METRICS_PORT"] == METRICS_PORT
    assert annotations["prometheus.io/port"] == METRICS_PORT
    assert annotations["prometheus.io/path"] == "/metrics"
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports == {"http": PORT, "metrics": int(METRICS_PORT)}
    service_ports = k8s_objects()["Service"]["spec"]["ports"]
    assert [p["targetPort"] for p in service_ports] == ["http"]


def test_the_configmap_admins_placeholder_must_be_filled_in() -> None:
    """An empty ROUNDS_ADMINS would let anyone change schedules: the kit ships a placeholder
    that stops Rounds at start until an operator replaces it."""
    admins = k8s_objects()["ConfigMap"]["data"]["ROUNDS_ADMINS"]
    assert admins and "REPLACEME" in admins
    with pytest.raises(SettingsError, match="ROUNDS_ADMINS"):
        from_env({"ROUNDS_ADMINS": admins})
    assert env_file(DEPLOY / "rounds.env.example")["ROUNDS_ADMINS"] == admins


def test_service_and_pdb_select_the_deployments_pods() -> None:
    objects = k8s_objects()
    _, pod, container = deployment_parts()
    labels = pod["metadata"]["labels"]
    service = objects["Service"]
    assert service["spec"]["selector"].items() <= labels.items()
    [port] = service["spec"]["ports"]
    assert pod_port(container, port["targetPort"]) == PORT
    pdb = objects["PodDisruptionBudget"]
    assert pdb["spec"]["minAvailable"] == 1
    assert pdb["spec"]["selector"]["matchLabels"].items() <= labels.items()


def test_migration_job_runs_db_upgrade_like_the_deployment() -> None:
    job = k8s_objects()["Job"]
    pod = job["spec"]["template"]["spec"]
    [container] = pod["containers"]
    assert container["command"] == ["rounds", "db", "upgrade"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert container["envFrom"] == deployment_parts()[2]["envFrom"]


def test_kustomization_names_every_manifest_but_the_secret() -> None:
    kustomization = load(K8S / "kustomization.yaml")
    resources = kustomization["resources"]
    for name in resources:
        assert (K8S / name).is_file(), name
    assert "secret.example.yaml" not in resources, "apply -k must not overwrite real secrets"
    listed = set(resources)
    present = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml", "secret.example.yaml"}
    assert listed == present
    [image] = kustomization["images"]
    assert image["name"] == deployment_parts()[2]["image"]


# -- settings: the code, the guide and the examples agree --------------------------------------


def test_every_setting_is_documented_and_every_documented_setting_exists() -> None:
    code = settings_in_code()
    guide = OPERATIONS.read_text(encoding="utf-8")
    documented = settings_named_in(guide)
    assert documented - code == set(), "the guide names settings Rounds does not read"
    assert code - documented == set(), "settings missing from docs/operations.md"
    table = set(re.findall(r"^\| `([A-Za-z_]+)` \|", guide, flags=re.MULTILINE))
    assert code <= table, f"not in the settings table: {sorted(code - table)}"


def test_the_settings_the_readme_names_are_documented() -> None:
    guide = settings_named_in(OPERATIONS.read_text(encoding="utf-8"))
    promised = settings_named_in(README.read_text(encoding="utf-8"))
    assert promised, "the README names no settings"
    promised.discard("ROUNDS_TEST_DATABASE_URL")  # the test suite's, not Rounds' own
    assert promised <= guide


def test_examples_and_manifests_use_only_real_settings() -> None:
    code = settings_in_code()
    configmap = k8s_objects()["ConfigMap"]["data"]
    secret = k8s_objects()["Secret"]["stringData"]
    used = {
        *(key.lstrip("#") for key in env_file(DEPLOY / "rounds.env.example")),
        *configmap,
        *secret,
        *re.findall(r"#\s*([A-Za-z_]+):", (K8S / "configmap.yaml").read_text(encoding="utf-8")),
    }
    assert used - code == set(), "a name Rounds does not read (a typo?)"
    assert not SECRET_SETTINGS & set(configmap), "a secret in the ConfigMap"


def test_the_guide_covers_what_an_operator_needs() -> None:
    guide = OPERATIONS.read_text(encoding="utf-8")
    for needed in (
        *ENDPOINTS,
        "/metrics",
        "ChannelMessage.Read.Group",
        "rounds teams-package",
        "rounds db upgrade",
        "pg_dump",
        ".backup",
        "forget-me",
        "ROUNDS_LOG_FORMAT=json",
        "rounds_lookups_total",
        "rounds_errors_total",
        "rounds_outbound_retries_total",
        "rounds_commands_total",
        "rounds_deliveries_total",
    ):
        assert needed in guide, needed
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/operations.md" in readme


def test_the_metrics_the_guide_lists_are_the_ones_rounds_defines() -> None:
    source = (ROOT / "rounds" / "metrics.py").read_text(encoding="utf-8")
    defined = set(re.findall(r'(?:Counter|Histogram|Gauge)\(\s*"(rounds_[a-z_]+)"', source))
    assert defined, "no metrics found in rounds/metrics.py"
    guide = OPERATIONS.read_text(encoding="utf-8")
    listed = {name.removesuffix("_total") for name in re.findall(r"`(rounds_[a-z_]+)`", guide)}
    assert defined <= listed, f"metrics missing from the guide: {sorted(defined - listed)}"


# -- the tools' own checks, where they are installed ------------------------------------------


def compose_command() -> list[str] | None:
    docker = shutil.which("docker")
    if docker:
        plugin = subprocess.run([docker, "compose", "version"], capture_output=True, timeout=30)
        if plugin.returncode == 0:
            return [docker, "compose"]
    standalone = tool("docker-compose")
    if standalone:
        version = subprocess.run(
            [standalone, "version"], capture_output=True, text=True, timeout=30
        )
        if version.returncode == 0 and re.search(r"v?2\.\d+", version.stdout):
            return [standalone]
    return None


def test_docker_compose_accepts_the_compose_file(tmp_path: Path) -> None:
    command = compose_command()
    if command is None:
        pytest.skip(
            "Docker Compose v2 is not installed (neither `docker compose` nor docker-compose)"
        )
    copy = tmp_path / "deploy"
    shutil.copytree(DEPLOY, copy, ignore=shutil.ignore_patterns("*.env"))
    for name in ("rounds.env", "postgres.env"):
        shutil.copy(copy / f"{name}.example", copy / name)
    result = subprocess.run(
        [*command, "-f", str(copy / "compose.yml"), "config", "-q"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


def test_kubectl_kustomize_builds_the_manifests() -> None:
    """`kubectl apply --dry-run=client` needs a cluster's API even for a dry run, so the
    offline check is `kubectl kustomize`: it resolves the kustomization and its image."""
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl is not installed")
    result = subprocess.run(
        [kubectl, "kustomize", str(K8S)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    objects = {doc["kind"]: doc for doc in yaml.safe_load_all(result.stdout) if doc}
    assert set(objects) == {"ConfigMap", "Deployment", "Service", "PodDisruptionBudget"}
    [image] = load(K8S / "kustomization.yaml")["images"]
    [container] = objects["Deployment"]["spec"]["template"]["spec"]["containers"]
    assert container["image"] == f"{image['newName']}:{image['newTag']}"


def test_caddy_accepts_the_caddyfile(tmp_path: Path) -> None:
    caddy = tool("caddy")
    if caddy is None:
        pytest.skip("caddy is not installed")
    version = subprocess.run([caddy, "version"], capture_output=True, text=True, timeout=30)
    found = re.search(r"v?2\.(\d+)", version.stdout)
    if not found or int(found[1]) < 7:
        pytest.skip(f"caddy {version.stdout.strip()!r} is older than the image's 2.7+")
    env = {"HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)}
    result = subprocess.run(
        [caddy, "validate", "--config", str(CADDYFILE), "--adapter", "caddyfile"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert result.returncode == 0, result.stderr[-2000:]


def test_every_kubernetes_object_passes_the_api_schemas_strictly() -> None:
    """The offline stand-in for `kubectl apply --dry-run`: each manifest, the Secret template
    and the Job included, against the Kubernetes 1.31 API schemas, unknown fields refused."""
    validate = tool("kubernetes-validate")
    if validate is None:
        pytest.skip("kubernetes-validate is not installed (a dev extra)")
    manifests = sorted(p for p in K8S.rglob("*.yaml") if p.name != "kustomization.yaml")
    result = subprocess.run(
        [validate, "--strict", "--kubernetes-version", "1.31.0", *map(str, manifests)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert result.stdout.count(" passed for resource ") == len(manifests), result.stdout
