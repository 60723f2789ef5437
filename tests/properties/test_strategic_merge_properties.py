"""Properties of strategic merge on keyed lists, against an oracle written from the rules alone.

The oracle knows Kubernetes' keys for Service ports (port and protocol, a missing protocol being
TCP) and Kustomize's order of a merged list with several keys: the patch's new items first, then
the object's items in their order, each merged with the patch's item of the same key, without
those the patch deletes. It never calls the code under test.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from pytemplar.errors import Location
from pytemplar.transforms.strategic import MergeNotes, strategic_merge_object

PORTS = st.integers(min_value=1, max_value=6)
PROTOCOLS = st.sampled_from(["TCP", "UDP", "SCTP"])
KEYS = st.tuples(PORTS, PROTOCOLS)


def port(key: tuple[int, str], name: str) -> dict[str, Any]:
    return {"port": key[0], "protocol": key[1], "name": name}


@st.composite
def object_and_patch(draw: st.DrawFn) -> tuple[list[tuple[int, str]], list[tuple[tuple[int, str], str]]]:
    existing = draw(st.lists(KEYS, unique=True, max_size=6))
    patch_keys = draw(st.lists(KEYS, unique=True, max_size=6))
    actions = [(key, draw(st.sampled_from(["set", "delete"]))) for key in patch_keys]
    return existing, actions


def oracle(existing: list[tuple[int, str]], actions: list[tuple[tuple[int, str], str]]) -> list[dict[str, Any]]:
    patched = dict(actions)
    new = [port(key, "patched") for key, action in actions if key not in existing and action == "set"]
    kept = [
        port(key, "patched" if patched.get(key) == "set" else "original")
        for key in existing
        if patched.get(key) != "delete"
    ]
    return new + kept


@given(object_and_patch())
def test_service_ports_merge_on_port_and_protocol(case: Any) -> None:
    existing, actions = case
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "s"},
        "spec": {"ports": [port(key, "original") for key in existing]},
    }
    items = [
        {"port": key[0], "protocol": key[1], **({"$patch": "delete"} if action == "delete" else {"name": "patched"})}
        for key, action in actions
    ]
    result = strategic_merge_object(service, {"spec": {"ports": items}}, Location("p.yaml"), MergeNotes())
    assert isinstance(result, dict)
    assert result["spec"]["ports"] == oracle(existing, actions)


@given(st.lists(PORTS, unique=True, max_size=5), PORTS)
def test_a_port_without_protocol_is_the_tcp_port(ports: list[int], patched: int) -> None:
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "s"},
        "spec": {"ports": [port((number, protocol), "original") for number in ports for protocol in ("UDP", "TCP")]},
    }
    notes = MergeNotes()
    result = strategic_merge_object(
        service, {"spec": {"ports": [{"port": patched, "name": "patched"}]}}, Location("p.yaml"), notes
    )
    assert isinstance(result, dict)
    by_key = {(item["port"], item.get("protocol", "TCP")): item["name"] for item in result["spec"]["ports"]}
    assert by_key[(patched, "TCP")] == "patched"
    assert all(by_key[(number, "UDP")] == "original" for number in ports)
    assert len(result["spec"]["ports"]) == 2 * len(ports) + (patched not in ports)
    assert bool(notes.notes) == (patched in ports)  # the difference from kubectl kustomize is announced
