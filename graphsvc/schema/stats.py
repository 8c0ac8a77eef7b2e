"""`stats`: how many nodes of each label and relationships of each type the graph holds."""

from __future__ import annotations

import strawberry

from graphsvc.schema.context import Info

__all__ = ["LabelCount", "Stats", "StatsQuery", "TypeCount"]


@strawberry.type(description="Nodes of one label.")
class LabelCount:
    label: str
    count: int


@strawberry.type(description="Relationships of one type.")
class TypeCount:
    type: str
    count: int


@strawberry.type(description="Counts of the whole graph.")
class Stats:
    version: int = strawberry.field(description="The graph version; grows with every write.")
    node_counts: list[LabelCount]
    relationship_counts: list[TypeCount]


@strawberry.type
class StatsQuery:
    @strawberry.field(description="Node counts per label and relationship counts per type.")
    def stats(self, info: Info) -> Stats:
        store = info.context.store
        counts = store.counts()
        return Stats(
            version=store.version,
            node_counts=[LabelCount(label=k, count=v) for k, v in sorted(counts.nodes.items())],
            relationship_counts=[
                TypeCount(type=k, count=v) for k, v in sorted(counts.relationships.items())
            ],
        )
