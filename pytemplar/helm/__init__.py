"""What pytemplar does for Helm users: Helm's reading of values files, Helm's template
built-ins, rendering an app alone, importing a chart, and charts rendered by ``helm``."""
