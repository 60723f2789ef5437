"""validate checks every object against the Kubernetes API schemas, offline: one precise message per mistake."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import EXAMPLES, MINIMAL_APP, run_pytemplar

MISTAKES = {
    "app/values.yaml": "replicas: '3'\nimage:\n  tag: '1.0'\ncanary: true\n",
    "app/values.schema.json": "{}",
    "app/templates/deployment.yaml.j2": """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {{ release.name }}
          annotations:
            example.com/canary: {{ values.canary }}
        spec:
          replicas: {{ values.replicas }}
          selector:
            matchLabels: {app: demo}
          template:
            metadata:
              labels: {app: demo}
            spec:
              containers:
                - name: main
                  image: "example/demo:{{ values.image.tag }}"
                  imagePulPolicy: Always
    """,
    "app/templates/ingress.yaml.j2": """
        apiVersion: extensions/v1beta1
        kind: Ingress
        metadata:
          name: {{ release.name }}
    """,
    "app/templates/service.yaml.j2": """
        apiVersion: v1
        kind: Service
        metadata:
          name: {{ release.name }}
        spec:
          selector: {app: nothing-has-this}
          ports: [{port: 80, targetPort: http}]
    """,
}


def test_each_mistake_fails_validate_with_one_precise_message(make_tree: Any) -> None:
    root: Path = make_tree(MISTAKES, base=MINIMAL_APP)
    result = run_pytemplar("validate", "project", "-e", "prod", cwd=root)
    assert (result.code, result.stdout) == (1, "")
    assert result.stderr.splitlines() == [
        "app/templates/deployment.yaml.j2:6: error: [prod/one] Deployment one: "
        "metadata.annotations['example.com/canary'] is bool, not text; quote it [annotation-type]",
        "app/templates/deployment.yaml.j2:8: error: [prod/one] Deployment one: "
        "spec.replicas: expected an integer, got text '3' [kube-schema]",
        "    the value is values.replicas, set at app/values.yaml:1:11",
        "  hint: write the type the apps/v1 Deployment API of Kubernetes 1.35 expects (quote text, unquote numbers)",
        "app/templates/deployment.yaml.j2:18: error: [prod/one] Deployment one: "
        "spec.template.spec.containers[0].imagePulPolicy: unknown field (did you mean 'imagePullPolicy'?) "
        "[kube-schema]",
        "  hint: apps/v1 Deployment has no such field in Kubernetes 1.35: correct its name or remove it",
        "app/templates/ingress.yaml.j2:1: error: [prod/one] Ingress one: apiVersion extensions/v1beta1 is "
        "not served since Kubernetes 1.22 (target 1.35); use apiVersion: networking.k8s.io/v1 [removed-api]",
        "app/templates/service.yaml.j2:1: warning: [prod/one] Service one: spec.selector "
        "{'app': 'nothing-has-this'} matches no pod template in namespace '' [service-selects-pods]",
        "  hint: if its pods come from another release, an operator or another tool, disable the check for this "
        "object with the annotation pytemplar.io/skip-checks: service-selects-pods",
        "failed: 1 release in 1 environment; 4 errors, 1 warning",
    ]


def test_render_checks_the_schemas_when_asked_and_writes_nothing_on_failure(make_tree: Any) -> None:
    root: Path = make_tree({"app/values.yaml": "replicas: '3'\nimage:\n  tag: '1.0'\n"}, base=MINIMAL_APP)
    (root / "app/values.schema.json").write_text("{}")
    plain = run_pytemplar("render", "project", "-e", "dev", cwd=root)
    assert plain.code == 0 and 'replicas: "3"' in plain.stdout
    checked = run_pytemplar("render", "project", "-e", "dev", "--kube-schema", cwd=root)
    assert (checked.code, checked.stdout) == (1, "")
    assert checked.stderr.splitlines()[0] == (
        "app/templates/deployment.yaml.j2:7: error: [dev/one] Deployment dev/one: "
        "spec.replicas: expected an integer, got text '3' [kube-schema]"
    )


def test_the_shop_validates_clean_in_every_environment_against_each_bundled_version() -> None:
    shop = EXAMPLES / "shop"
    result = run_pytemplar("validate", shop, "--strict")
    assert (result.code, result.stderr) == (0, "ok: 12 releases in 3 environments; 0 errors\n")
    for version in ("1.33", "1.36", "1.37"):
        assert run_pytemplar("validate", shop, "--strict", "--kube-version", version).code == 0
    rendered = run_pytemplar("render", shop, "--all-envs", "--kube-schema")
    assert (rendered.code, rendered.stderr) == (0, "")


def test_an_unbundled_kube_version_is_a_usage_error(make_tree: Any) -> None:
    root: Path = make_tree(base=MINIMAL_APP)
    result = run_pytemplar("validate", "project", "--kube-version", "1.99", cwd=root)
    assert (result.code, result.stderr) == (
        2,
        "error: no bundled Kubernetes schema for 1.99\n"
        "  hint: bundled versions: 1.25, 1.26, 1.27, 1.28, 1.29, 1.30, 1.31, 1.32, 1.33, 1.34, 1.35, 1.36, 1.37\n",
    )


def test_a_declared_version_without_schema_is_validated_against_the_nearest_with_a_warning(make_tree: Any) -> None:
    root: Path = make_tree(base=MINIMAL_APP)
    config = root / "project/pytemplar.yaml"
    config.write_text("kubeVersion: '1.40'\n" + config.read_text())
    result = run_pytemplar("validate", "project", "-e", "dev", cwd=root)
    assert result.code == 0
    assert result.stderr.splitlines()[:2] == [
        "project/pytemplar.yaml: warning: no bundled Kubernetes schema for 1.40: objects are validated against "
        "1.37 [kube-schema]",
        "  hint: bundled versions: 1.25 to 1.37; kubeVersion or --kube-version chooses one",
    ]


WIDGET_CRD = """
    apiVersion: apiextensions.k8s.io/v1
    kind: CustomResourceDefinition
    metadata: {name: widgets.example.com}
    spec:
      group: example.com
      names: {kind: Widget, plural: widgets}
      scope: Namespaced
      versions:
        - name: v1
          served: true
          storage: true
          schema:
            openAPIV3Schema:
              type: object
              properties:
                spec:
                  type: object
                  properties:
                    size: {type: integer}
"""
CUSTOM = {
    "app/templates/widget.yaml.j2": """
        apiVersion: example.com/v1
        kind: Widget
        metadata: {name: w}
        spec: {size: 2, colour: red}
    """,
    "app/templates/gadget.yaml.j2": """
        apiVersion: example.com/v1
        kind: Gadget
        metadata: {name: g}
    """,
}


def test_custom_resources_are_validated_against_the_crds_given_and_others_are_never_silent(make_tree: Any) -> None:
    root: Path = make_tree({**CUSTOM, "crds/widget.yaml": WIDGET_CRD}, base=MINIMAL_APP)
    result = run_pytemplar("validate", "project", "-e", "dev", "--crds", "crds", cwd=root)
    assert result.code == 1
    assert result.stderr.splitlines() == [
        "app/templates/gadget.yaml.j2:1: warning: [dev/one] Gadget g: not validated: no schema for kind Gadget "
        "(example.com/v1) in Kubernetes 1.35 or the CRDs given [kube-schema]",
        "  hint: give its CustomResourceDefinition with --crds DIR (or crds: in pytemplar.yaml), "
        "or correct apiVersion/kind if they are misspelt",
        "app/templates/widget.yaml.j2:4: error: [dev/one] Widget w: spec.colour: unknown field [kube-schema]",
        "  hint: example.com/v1 Widget has no such field in Kubernetes 1.35: correct its name or remove it",
        "failed: 1 release in 1 environment; 1 error, 1 warning",
    ]


def test_crds_listed_in_the_project_file_count_too(make_tree: Any) -> None:
    root: Path = make_tree({**CUSTOM, "project/crds/widget.yaml": WIDGET_CRD}, base=MINIMAL_APP)
    config = root / "project/pytemplar.yaml"
    config.write_text("crds: [crds]\n" + config.read_text())
    result = run_pytemplar("validate", "project", "-e", "dev", cwd=root)
    assert "spec.colour: unknown field [kube-schema]" in result.stderr
    assert "not validated: no schema for kind Widget" not in result.stderr


def test_a_crd_folder_outside_the_project_is_refused_from_the_project_file(make_tree: Any) -> None:
    root: Path = make_tree({"crds/widget.yaml": WIDGET_CRD}, base=MINIMAL_APP)
    config = root / "project/pytemplar.yaml"
    config.write_text("crds: ../crds\n" + config.read_text())
    result = run_pytemplar("validate", "project", "-e", "dev", cwd=root)
    assert result.code == 1
    assert "'../crds' is outside the folder" in result.stderr


def test_opt_in_checks_run_when_named_on_the_command_line_or_in_the_project(make_tree: Any) -> None:
    root: Path = make_tree({"app/values.yaml": "replicas: 1\nimage:\n  tag: latest\n"}, base=MINIMAL_APP)
    assert run_pytemplar("validate", "project", "-e", "dev", cwd=root).code == 0
    flagged = run_pytemplar("validate", "project", "-e", "dev", "--check", "image-pinned,resources-set", cwd=root)
    assert flagged.code == 1
    assert [line for line in flagged.stderr.splitlines() if "error:" in line] == [
        "app/templates/deployment.yaml.j2:15: error: [dev/one] Deployment dev/one: containers[0] 'main' does not set "
        "resources.requests.cpu, resources.requests.memory, resources.limits.cpu, resources.limits.memory "
        "[resources-set]",
        "app/templates/deployment.yaml.j2:16: error: [dev/one] Deployment dev/one: containers[0] 'main': "
        "image 'example/demo:latest' uses the tag 'latest' [image-pinned]",
    ]
    config = root / "project/pytemplar.yaml"
    config.write_text("checks: [image-pinned]\n" + config.read_text())
    listed = run_pytemplar("validate", "project", "-e", "dev", cwd=root)
    assert listed.code == 1 and "[image-pinned]" in listed.stderr and "[resources-set]" not in listed.stderr


def test_an_unknown_check_is_a_usage_error(make_tree: Any) -> None:
    root: Path = make_tree(base=MINIMAL_APP)
    result = run_pytemplar("validate", "project", "--check", "image-pined", cwd=root)
    assert (result.code, result.stderr) == (
        2,
        "error: --check: unknown check 'image-pined'\n"
        "  hint: did you mean 'image-pinned'? checks: required-fields, unique-objects, removed-api, "
        "deprecated-api, kube-schema, dns-name, label-syntax, annotation-type, selector-matches-template, "
        "service-selects-pods, scale-target-exists, helm-hook, image-pinned, resources-set\n",
    )


def test_a_wrongly_typed_value_cites_the_overlay_that_set_it(make_tree: Any) -> None:
    root: Path = make_tree(
        {
            "app/values.yaml": "replicas: 1\nimage:\n  tag: '1.0'\n",
            "app/values.schema.json": "{}",  # the app's schema lets it through; the cluster would not
            "project/envs/prod.yaml": "replicas: 'five'\n",
        },
        base=MINIMAL_APP,
    )
    result = run_pytemplar("validate", "project", "-e", "prod", cwd=root)
    assert (result.code, result.stdout) == (1, "")
    assert result.stderr.splitlines()[:2] == [
        "app/templates/deployment.yaml.j2:7: error: [prod/one] Deployment production/one: "
        "spec.replicas: expected an integer, got text 'five' [kube-schema]",
        "    the value is values.replicas, set at project/envs/prod.yaml:1:11",
    ]
