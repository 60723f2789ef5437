"""namePrefix and nameSuffix rename objects and the references to them."""

from __future__ import annotations

from pytemplar.transforms.names import add_prefix_suffix


def test_prefix_and_suffix_rename_objects_and_references_but_not_namespaces_or_selectors() -> None:
    deployment = {
        "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"spec": {"serviceAccountName": "web", "volumes": [{"configMap": {"name": "cfg"}}]}},
        },
    }
    service = {"kind": "Service", "metadata": {"name": "web"}, "spec": {"selector": {"app": "web"}}}
    objects = [
        deployment,
        service,
        {"kind": "ServiceAccount", "metadata": {"name": "web"}},
        {"kind": "ConfigMap", "metadata": {"name": "cfg"}},
        {"kind": "Namespace", "metadata": {"name": "shop"}},
    ]
    renames = add_prefix_suffix(objects, "p-", "-s")
    assert [obj["metadata"]["name"] for obj in objects] == ["p-web-s", "p-web-s", "p-web-s", "p-cfg-s", "shop"]
    assert deployment["spec"]["template"]["spec"] == {
        "serviceAccountName": "p-web-s",
        "volumes": [{"configMap": {"name": "p-cfg-s"}}],
    }
    assert deployment["spec"]["selector"] == {"matchLabels": {"app": "web"}}
    assert service["spec"]["selector"] == {"app": "web"}
    assert renames[("ConfigMap", "", "cfg")] == "p-cfg-s"


def test_a_reference_to_an_object_outside_the_render_keeps_its_name() -> None:
    deployment = {
        "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {"template": {"spec": {"volumes": [{"secret": {"secretName": "made-elsewhere"}}]}}},
    }
    add_prefix_suffix([deployment], "p-", "")
    assert deployment["spec"]["template"]["spec"]["volumes"][0]["secret"]["secretName"] == "made-elsewhere"


def test_nothing_to_add_changes_nothing() -> None:
    objects = [{"kind": "ConfigMap", "metadata": {"name": "cfg"}}]
    assert add_prefix_suffix(objects, "", "") == {}
    assert objects[0]["metadata"]["name"] == "cfg"
