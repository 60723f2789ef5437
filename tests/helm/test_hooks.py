"""Rule helm-hook: Helm hook annotations are checked for what Argo CD does with them."""

from __future__ import annotations

from pathlib import Path

from conftest import run_pytemplar

from .peer import project

JOB = """
apiVersion: batch/v1
kind: Job
metadata:
  name: {name}
  namespace: default
  annotations: {annotations}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{{name: m, image: "busybox:1.36"}}]
"""


def _validate(tmp_path: Path, annotations: str) -> list[str]:
    folder = project(
        tmp_path,
        {
            "app.yaml": "name: app\nversion: 1.0.0\n",
            "templates/job.yaml.j2": JOB.format(name="migrate", annotations=annotations),
        },
    )
    result = run_pytemplar("validate", folder, "--skip-kube-schema")
    return [line for line in result.stderr.splitlines() if "helm-hook" in line or line.startswith("  hint")]


def test_hooks_argo_cd_maps_pass(tmp_path: Path) -> None:
    lines = _validate(
        tmp_path,
        '{"helm.sh/hook": "pre-install,pre-upgrade", "helm.sh/hook-weight": "-5",'
        ' "helm.sh/hook-delete-policy": "before-hook-creation,hook-succeeded"}',
    )
    assert lines == []


def test_a_misspelt_hook_is_an_error(tmp_path: Path) -> None:
    lines = _validate(tmp_path, '{"helm.sh/hook": "pre-instal"}')
    assert lines[0].endswith("error: [prod/rel] Job default/migrate: 'pre-instal' is not a Helm hook [helm-hook]")
    assert lines[1].startswith("  hint: Helm hooks: crd-install, post-delete, post-install")


def test_a_hook_argo_cd_ignores_is_a_warning(tmp_path: Path) -> None:
    lines = _validate(tmp_path, '{"helm.sh/hook": "test-success"}')
    assert lines[0].endswith(
        "warning: [prod/rel] Job default/migrate: Argo CD ignores the Helm hook 'test-success';"
        " with kubectl apply the object is applied like any other [helm-hook]"
    )


def test_helm_and_argo_cd_hooks_together_and_a_bad_weight(tmp_path: Path) -> None:
    lines = _validate(
        tmp_path,
        '{"helm.sh/hook": "post-install", "argocd.argoproj.io/hook": "PostSync", "helm.sh/hook-weight": "1.5"}',
    )
    messages = [line.split("Job default/migrate: ", 1)[1] for line in lines if "Job default/migrate" in line]
    assert messages == [
        "has both Helm and Argo CD hook annotations; Argo CD then ignores the Helm ones [helm-hook]",
        "helm.sh/hook-weight '1.5' is not an integer [helm-hook]",
    ]


def test_the_check_is_disabled_by_its_id(tmp_path: Path) -> None:
    folder = project(
        tmp_path,
        {
            "app.yaml": "name: app\nversion: 1.0.0\n",
            "templates/job.yaml.j2": JOB.format(name="migrate", annotations='{"helm.sh/hook": "pre-instal"}'),
        },
    )
    found = run_pytemplar("validate", folder, "--skip-kube-schema")
    assert found.code == 1 and "'pre-instal' is not a Helm hook [helm-hook]" in found.stderr
    skipped = run_pytemplar("validate", folder, "--skip-kube-schema", "--skip-check", "helm-hook")
    assert skipped.code == 0, skipped.stderr
    assert "helm-hook" not in skipped.stderr


def test_the_check_is_disabled_for_one_object_by_annotation(tmp_path: Path) -> None:
    annotations = '{"helm.sh/hook": "pre-instal", "pytemplar.io/skip-checks": "helm-hook"}'
    assert _validate(tmp_path, annotations) == []
