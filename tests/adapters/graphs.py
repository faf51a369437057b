"""Helper for the graph comparisons: everything the importer reads from a ``torch.fx`` graph, comparable."""

from __future__ import annotations

from typing import Any


def signature(graph: Any) -> list[tuple[Any, ...]]:
    """Each node's op, target, args, kwargs (nodes replaced by their position), name, type and metadata."""
    import torch.fx

    position = {node: index for index, node in enumerate(graph.nodes)}

    def plain(value: Any) -> Any:
        return torch.fx.node.map_aggregate(
            value, lambda item: ("node", position[item]) if isinstance(item, torch.fx.Node) else item
        )

    return [
        (
            node.op,
            node.target,
            plain(node.args),
            type(node.args),
            plain(node.kwargs),
            type(node.kwargs),
            node.name,
            node.type,
            type(node.meta.get("nn_module_stack")),
            list((node.meta.get("nn_module_stack") or {}).items()),
            sorted(node.meta),
        )
        for node in graph.nodes
    ]
