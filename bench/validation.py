"""What validating rendered objects against the Kubernetes schemas costs, per manifest, on the shop.

    python bench/validation.py [--rounds N]

Prints the render time of the shop (every environment, without validation), the one-off cost of
loading the bundled schemas, and the per-manifest cost of pytemplar's walker and, for comparison,
of jsonschema (Draft 7) on the same schemas translated to plain JSON Schema.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import jsonschema

from pytemplar import api, kubeschema

SHOP = Path(__file__).resolve().parent.parent / "examples" / "apps" / "shop"


def best(rounds: int, action: Any) -> float:
    """The fastest of ``rounds`` runs, in seconds (the least disturbed by the machine)."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def as_json_schema(node: Any) -> Any:
    """A compact node as plain JSON Schema, so that jsonschema checks the same rules."""
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return {"$ref": "#/definitions/" + node["$ref"]}
    out: dict[str, Any] = {k: v for k, v in node.items() if k in ("type", "required", "enum")}
    if node.get("x-kubernetes-int-or-string"):
        out["type"] = ["integer", "string"]
    if node.get("format") == "quantity":
        out["type"] = ["string", "number"]
    if "properties" in node:
        out["properties"] = {k: as_json_schema(v) for k, v in node["properties"].items()}
    if "items" in node:
        out["items"] = as_json_schema(node["items"])
    extra = node.get("additionalProperties")
    if extra is not None:
        out["additionalProperties"] = as_json_schema(extra)
    elif node.get("type") == "object" and not node.get("x-kubernetes-preserve-unknown-fields"):
        out["additionalProperties"] = False
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    rounds = parser.parse_args().rounds

    manifests = api.render(SHOP).manifests
    count = len(manifests)
    render_s = best(rounds, lambda: api.render(SHOP))
    render_checked_s = best(rounds, lambda: api.render(SHOP, kube_schema=True))

    kubeschema._bundled.cache_clear()
    start = time.perf_counter()
    schemas = kubeschema.schema_set("1.35")
    load_s = time.perf_counter() - start
    walker_s = best(rounds, lambda: kubeschema.check_manifest_schemas(manifests, schemas))

    definitions = {name: as_json_schema(node) for name, node in schemas.defs.items()}
    validators: dict[str, jsonschema.Draft7Validator] = {}
    for manifest in manifests:
        key = f"{manifest.obj['apiVersion']}/{manifest.kind}"
        root = {"definitions": definitions, **as_json_schema(schemas.defs[schemas.kinds[key]])}
        validators.setdefault(key, jsonschema.Draft7Validator(root))

    def with_jsonschema() -> None:
        for manifest in manifests:
            list(validators[f"{manifest.obj['apiVersion']}/{manifest.kind}"].iter_errors(manifest.obj))

    jsonschema_s = best(rounds, with_jsonschema)

    print(f"shop, every environment: {count} manifests, best of {rounds}")
    print(f"  render without schema validation  {render_s * 1000:8.1f} ms")
    print(f"  render with --kube-schema         {render_checked_s * 1000:8.1f} ms")
    print(f"  loading the 1.35 + Gateway API schemas (once per process)  {load_s * 1000:6.1f} ms")
    print(f"  pytemplar walker   {walker_s * 1e6 / count:8.1f} us per manifest")
    print(f"  jsonschema Draft7  {jsonschema_s * 1e6 / count:8.1f} us per manifest")


if __name__ == "__main__":
    main()
