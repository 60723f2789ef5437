"""Integration examples: the Argo CD plugin and the CI pipelines in examples/, run as their hosts run them."""
