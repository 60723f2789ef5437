"""images: Kustomize's name/tag/digest semantics."""

from __future__ import annotations

import pytest

from pytemplar.transforms.images import ImageOverride, override_image, override_images, split_image


@pytest.mark.parametrize(
    ("image", "parts"),
    [
        ("nginx", ("nginx", "", "")),
        ("nginx:1.27", ("nginx", "1.27", "")),
        ("nginx@sha256:ab12", ("nginx", "", "sha256:ab12")),
        ("nginx:1.27@sha256:ab12", ("nginx", "1.27", "sha256:ab12")),
        ("localhost:5000/shop/web:2", ("localhost:5000/shop/web", "2", "")),
        ("localhost:5000/shop/web", ("localhost:5000/shop/web", "", "")),
        ("ghcr.io/acme/web@sha256:ff", ("ghcr.io/acme/web", "", "sha256:ff")),
    ],
)
def test_split_image(image: str, parts: tuple[str, str, str]) -> None:
    assert split_image(image) == parts


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        (ImageOverride("nginx", new_tag="2"), "nginx:2"),
        (ImageOverride("nginx", new_name="mirror/nginx"), "mirror/nginx:1@sha256:aa"),
        (ImageOverride("nginx", digest="sha256:bb"), "nginx@sha256:bb"),
        (ImageOverride("nginx", new_name="m/n", new_tag="3", digest="sha256:cc"), "m/n:3@sha256:cc"),
    ],
)
def test_override_replaces_what_kustomize_replaces(override: ImageOverride, expected: str) -> None:
    assert override_image("nginx:1@sha256:aa", override) == expected


def test_overrides_match_by_name_in_every_container_list_and_last_one_wins() -> None:
    pod = {
        "kind": "CronJob",
        "spec": {
            "jobTemplate": {
                "spec": {
                    "template": {
                        "spec": {
                            "initContainers": [{"name": "i", "image": "busybox"}],
                            "containers": [{"name": "c", "image": "nginx:1"}, {"name": "d", "image": "nginx-extra:1"}],
                        }
                    }
                }
            }
        },
    }
    override_images(
        [pod],
        [
            ImageOverride("nginx", new_tag="2"),
            ImageOverride("busybox", new_tag="1.36"),
            ImageOverride("nginx", new_tag="3"),
        ],
    )
    spec = pod["spec"]["jobTemplate"]["spec"]["template"]["spec"]  # type: ignore[index]
    assert spec["initContainers"][0]["image"] == "busybox:1.36"
    assert [c["image"] for c in spec["containers"]] == ["nginx:3", "nginx-extra:1"]
