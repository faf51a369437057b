"""Networks: Sequential chains, functional graphs, Repeat, spec files and the worked example.

:mod:`.network` holds the structures (each knows how it is walked) and
``derive``; :mod:`.spec` reads YAML/JSON specs; :mod:`.examples` the embedded
MNIST network.

May import: everything of the engine below it (:mod:`symcnn.derivation`,
:mod:`symcnn.layers`, :mod:`symcnn.exact`).
"""
