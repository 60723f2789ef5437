"""commonLabels, labels and commonAnnotations reach what Kustomize's field specs say."""

from __future__ import annotations

from typing import Any

from pytemplar.transforms.labels import LabelSet, add_annotations, add_labels


def objects() -> list[dict[str, Any]]:
    return [
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "web", "labels": {"app": "web"}},
            "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}}},
        },
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"}, "spec": {"selector": {"app": "web"}}},
        {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "web"}, "spec": {}},
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}},
        {
            "apiVersion": "batch/v1",
            "kind": "CronJob",
            "metadata": {"name": "job"},
            "spec": {"jobTemplate": {"spec": {}}},
        },
    ]


def test_common_labels_go_into_metadata_templates_and_selectors() -> None:
    deployment, service, pdb, config, cron = objects_ = objects()
    add_labels(objects_, LabelSet({"team": "blue", "app": "shop"}))
    assert deployment["metadata"]["labels"] == {"app": "shop", "team": "blue"}
    assert deployment["spec"]["selector"]["matchLabels"] == {"app": "shop", "team": "blue"}
    assert deployment["spec"]["template"]["metadata"]["labels"] == {"app": "shop", "team": "blue"}
    assert service["spec"]["selector"] == {"app": "shop", "team": "blue"}
    assert pdb["spec"] == {}  # a selector is only changed where there is one
    assert config["metadata"]["labels"] == {"team": "blue", "app": "shop"}
    assert cron["spec"]["jobTemplate"]["metadata"]["labels"] == {"team": "blue", "app": "shop"}
    assert cron["spec"]["jobTemplate"]["spec"]["template"]["metadata"]["labels"] == {"team": "blue", "app": "shop"}


def test_labels_without_selectors_leave_selectors_and_templates_alone() -> None:
    deployment, service, *_ = objects_ = objects()
    add_labels(objects_, LabelSet({"team": "blue"}, include_selectors=False, include_templates=False))
    assert deployment["metadata"]["labels"] == {"app": "web", "team": "blue"}
    assert deployment["spec"]["selector"]["matchLabels"] == {"app": "web"}
    assert deployment["spec"]["template"]["metadata"]["labels"] == {"app": "web"}
    assert service["spec"]["selector"] == {"app": "web"}


def test_labels_with_templates_only() -> None:
    deployment, *_ = objects_ = objects()
    add_labels(objects_, LabelSet({"team": "blue"}, include_selectors=False, include_templates=True))
    assert deployment["spec"]["selector"]["matchLabels"] == {"app": "web"}
    assert deployment["spec"]["template"]["metadata"]["labels"] == {"app": "web", "team": "blue"}


def test_annotations_go_into_metadata_and_pod_templates_only() -> None:
    deployment, service, *_ = objects_ = objects()
    add_annotations(objects_, {"owner": "shop"})
    assert deployment["metadata"]["annotations"] == {"owner": "shop"}
    assert deployment["spec"]["template"]["metadata"]["annotations"] == {"owner": "shop"}
    assert service["metadata"]["annotations"] == {"owner": "shop"}
    assert "annotations" not in str(service["spec"])
