"""The check table, the selection of checks, and the pod-making kinds the cross-object checks know."""

from __future__ import annotations

import json
import re
import textwrap

import derived
import pytest
from conftest import REPO

from pytemplar.checks import (
    CHECK_IDS,
    CHECKS,
    OPT_IN_IDS,
    SKIP_ANNOTATION,
    Check,
    Selection,
    check_help,
    check_manifests,
    parse_ids,
    skip_check_help,
    with_check_ids,
)
from pytemplar.errors import Location, UsageError
from pytemplar.manifests import Manifest
from pytemplar.project import builtin_schema
from pytemplar.schema import compile_schema
from pytemplar.yamlio import load_documents


def manifests(text: str) -> list[Manifest]:
    documents = load_documents(textwrap.dedent(text), "t.yaml")
    return [Manifest(d.data, "r", "prod", "templates/t.yaml.j2", Location("t.yaml.j2", d.line)) for d in documents]


# -- the table and what is derived from it -----------------------------------------------------------------


def test_ids_are_unique_and_every_row_is_run_by_something() -> None:
    assert len(set(CHECK_IDS)) == len(CHECK_IDS)
    for check in CHECKS:
        assert check.run is not None or check.part_of in CHECK_IDS or check.id == "kube-schema", check.id
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", check.id)


def test_the_project_schema_takes_the_check_ids_from_the_table() -> None:
    # The file holds no list of ids to keep: the schema every command uses is completed from the table.
    text = (REPO / "schemas" / "pytemplar.schema.json").read_text(encoding="utf-8")
    assert "image-pinned" not in text and "resources-set" not in text
    served = builtin_schema("pytemplar.schema.json").schema
    assert served["$defs"]["checkId"]["enum"] == list(CHECK_IDS)
    assert served["properties"]["checks"]["description"] == (
        "Checks to run besides the default ones (the opt-in image-pinned, resources-set); --check adds more."
    )
    assert "$comment" not in json.dumps(served["$defs"]["checkId"]) + json.dumps(served["properties"]["checks"])
    for key in ("checks", "skipChecks"):
        assert served["properties"][key]["items"] == {"$ref": "#/$defs/checkId"}


def test_a_check_added_to_the_table_is_one_the_project_file_accepts() -> None:
    schema = json.loads((REPO / "schemas" / "pytemplar.schema.json").read_text(encoding="utf-8"))
    added = (*CHECKS, Check("ports-named", "every container port has a name", False, False, None))
    completed = compile_schema(with_check_ids(schema, added), "pytemplar.schema.json")
    project = {"environments": {"dev": {}}, "releases": {"web": {"app": "a"}}, "checks": ["ports-named"]}
    assert completed.validate(project, lambda _path: None, "project") == []
    assert completed.schema["$defs"]["checkId"]["enum"][-1] == "ports-named"
    assert (
        "(the opt-in image-pinned, resources-set, ports-named)"
        in completed.schema["properties"]["checks"]["description"]
    )
    [refused] = builtin_schema("pytemplar.schema.json").validate(project, lambda _path: None, "project")
    assert "ports-named" in refused.message


def test_the_option_help_names_the_ids() -> None:
    assert check_help() == "Opt-in checks to run: image-pinned, resources-set."
    assert OPT_IN_IDS == ("image-pinned", "resources-set")
    assert all(check_id in skip_check_help() for check_id in CHECK_IDS)


def test_the_readme_table_is_the_check_table(request: pytest.FixtureRequest) -> None:
    readme = REPO / "README.md"
    lines = readme.read_text(encoding="utf-8").splitlines(keepends=True)
    start = lines.index("| check | runs | finds |\n")
    end = next(index for index in range(start, len(lines)) if not lines[index].startswith("|"))
    rows = [f"| `{check.id}` | {'default' if check.default else 'opt-in'} | {check.help} |\n" for check in CHECKS]
    derived.keep(request, readme, start, end, "".join(["| check | runs | finds |\n", "| --- | --- | --- |\n", *rows]))


def test_unknown_ids_are_usage_errors() -> None:
    assert parse_ids(["dns-name,kube-schema", "dns-name"], "--skip-check") == ("dns-name", "kube-schema")
    with pytest.raises(UsageError) as caught:
        parse_ids(["dns_name"], "--skip-check")
    assert caught.value.problems[0].message == "--skip-check: unknown check 'dns_name'"


def test_a_selection_is_the_defaults_plus_enabled_less_disabled() -> None:
    selection = Selection.of(["image-pinned"], ["dns-name", "resources-set"])
    assert "image-pinned" in selection and "dns-name" not in selection and "resources-set" not in selection
    assert "kube-schema" in selection


# -- problems carry their rule; disabling by id -----------------------------------------------------------

BAD = """
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: Bad_Name, labels: {on: true}}
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web}
    spec:
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec: {containers: [{name: a, image: nginx}]}
"""


def test_every_problem_carries_its_rule_and_subject() -> None:
    found = check_manifests(manifests(BAD), Selection.of(["image-pinned"]))
    assert sorted((p.rule, p.subject) for p in found) == [
        ("dns-name", "ConfigMap Bad_Name"),
        ("image-pinned", "Deployment web"),
        ("label-syntax", "ConfigMap Bad_Name"),
    ]


def test_a_disabled_check_finds_nothing() -> None:
    found = check_manifests(manifests(BAD), Selection.of([], ["dns-name", "label-syntax"]))
    assert found == []


def test_an_annotation_disables_checks_for_its_object_only() -> None:
    skip = "annotations: {pytemplar.io/skip-checks: image-pinned}"
    text = BAD.replace("metadata: {name: web}", "metadata: {name: web, " + skip + "}")
    text += """
    ---
    apiVersion: v1
    kind: Pod
    metadata: {name: p, annotations: {pytemplar.io/skip-checks: "dns-name, nothing-like-this"}}
    spec: {containers: [{name: a, image: nginx}]}
    """
    found = check_manifests(manifests(text), Selection.of(["image-pinned"]))
    assert sorted((p.rule or "", p.subject, p.severity) for p in found) == [
        ("", "Pod p", "warning"),
        ("dns-name", "ConfigMap Bad_Name", "error"),
        ("image-pinned", "Pod p", "error"),
        ("label-syntax", "ConfigMap Bad_Name", "error"),
    ]
    [note] = [p for p in found if p.rule is None]
    assert note.message == f"Pod p: annotation {SKIP_ANNOTATION} names no check 'nothing-like-this'"


# -- the pods a Service can select --------------------------------------------------------------------------

SERVICE = """
    apiVersion: v1
    kind: Service
    metadata: {name: s}
    spec: {selector: {app: web}}
"""


@pytest.mark.parametrize(
    "maker",
    [
        "apiVersion: v1\nkind: ReplicationController\nmetadata: {name: m}\n"
        "spec: {selector: {app: web}, template: {metadata: {labels: {app: web}}, spec: {}}}",
        "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: m}\n"
        "spec: {selector: {matchLabels: {app: web}}, template: {metadata: {labels: {app: web}}, spec: {}}}",
        "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: m}\n"
        "spec: {jobTemplate: {spec: {template: {metadata: {labels: {app: web}}, spec: {}}}}}",
        "apiVersion: batch/v1\nkind: Job\nmetadata: {name: m}\nspec: {template: {metadata: {labels: {app: web}}}}",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: m, labels: {app: web}}",
        "apiVersion: v1\nkind: PodTemplate\nmetadata: {name: m}\ntemplate: {metadata: {labels: {app: web}}}",
        # An operator's custom resource may make pods no manifest shows: nothing can be said.
        "apiVersion: monitoring.coreos.com/v1\nkind: Prometheus\nmetadata: {name: k8s}\nspec: {replicas: 2}",
    ],
)
def test_a_service_selects_the_pods_of_every_pod_making_kind(maker: str) -> None:
    text = textwrap.dedent(SERVICE) + "---\n" + maker + "\n"
    assert check_manifests(manifests(text)) == []


def test_a_service_with_no_pods_is_a_warning_with_the_way_to_disable_it() -> None:
    monitor = "apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {name: m}\nspec: {}\n"
    [found] = check_manifests(manifests(textwrap.dedent(SERVICE) + "---\n" + monitor))
    assert (found.rule, found.severity) == ("service-selects-pods", "warning")
    assert found.hint is not None and f"{SKIP_ANNOTATION}: service-selects-pods" in found.hint


def test_a_list_of_ids_on_a_workload_selector_that_misses_its_rollout_template() -> None:
    rollout = """
    apiVersion: argoproj.io/v1alpha1
    kind: Rollout
    metadata: {name: m}
    spec: {selector: {matchLabels: {app: webb}}, template: {metadata: {labels: {app: web}}, spec: {}}}
    """
    [found] = check_manifests(manifests(rollout))
    assert found.rule == "selector-matches-template"


def test_the_items_of_a_list_are_checked_as_objects() -> None:
    from pytemplar.manifests import list_items

    listed = {
        "apiVersion": "v1",
        "kind": "List",
        "items": [
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "Bad"}},
            {"apiVersion": "v1", "kind": "ConfigMapList", "items": [{"kind": "Secret"}]},
        ],
    }
    assert [item["kind"] for item in list_items(listed)] == ["ConfigMap", "Secret"]
    objects = [Manifest(item, "r", "prod", "t", Location("t")) for item in list_items(listed)]
    assert sorted(p.rule or "" for p in check_manifests(objects)) == [
        "dns-name",
        "required-fields",  # the Secret's apiVersion
        "required-fields",  # and metadata
    ]
    assert list_items({"kind": "List", "items": ["text"]}) == [{"kind": "List", "items": ["text"]}]


def test_labels_are_checked_in_every_label_map_of_a_built_in_object_and_nowhere_else() -> None:
    text = """
    apiVersion: apps/v1
    kind: StatefulSet
    metadata: {name: db}
    spec:
      selector: {matchLabels: {app: db}}
      template:
        metadata: {labels: {app: db}}
        spec:
          affinity:
            podAffinity:
              requiredDuringSchedulingIgnoredDuringExecution:
                - {topologyKey: zone, labelSelector: {matchLabels: {tier: two words}}}
      volumeClaimTemplates:
        - metadata: {name: data, labels: {team: "a b"}}
    ---
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
                selector:
                  type: object
                  properties:
                    matchLabels: {type: object, description: "a map of {key,value} pairs"}
    """
    found = [p.message for p in check_manifests(manifests(text))]
    assert found == [
        "StatefulSet db: spec.template.spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0]"
        ".labelSelector.matchLabels['tier'] value 'two words' is not a valid label value (at most 63 letters, "
        "digits, '-', '_' or '.', starting and ending with a letter or digit)",
        "StatefulSet db: spec.volumeClaimTemplates[0].metadata.labels['team'] value 'a b' is not a valid label value "
        "(at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit)",
    ]


def test_a_service_selects_pods_made_from_any_template_of_a_custom_resource() -> None:
    rollout = """
    apiVersion: argoproj.io/v1alpha1
    kind: Rollout
    metadata: {name: r}
    spec:
      selector: {matchLabels: {app: production}}
      template: {metadata: {labels: {app: production}}, spec: {}}
      strategy:
        canary:
          steps:
            - experiment:
                templates:
                  - {name: preview, specRef: canary, metadata: {labels: {app: preview}}}
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: preview}
    spec: {selector: {app: preview}}
    """
    assert check_manifests(manifests(rollout)) == []
