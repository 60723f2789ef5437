from pytemplar.cli import entrypoint

entrypoint()
