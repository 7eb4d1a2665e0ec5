"""Each application's organization tree in memory, so scope checks on every request need no SQL."""

from __future__ import annotations

from collections.abc import Iterable

MAX_DEPTH = 5


class OrganizationTree:
    """Parent links of one application's organizations, with subtrees computed once per change."""

    def __init__(self, parents: dict[str, str | None] | None = None) -> None:
        self._parents: dict[str, str | None] = dict(parents or {})
        self._subtrees: dict[str, frozenset[str]] = {}

    def __contains__(self, org_id: object) -> bool:
        return org_id in self._parents

    def __len__(self) -> int:
        return len(self._parents)

    def parent(self, org_id: str) -> str | None:
        return self._parents[org_id]

    def children(self, org_id: str) -> list[str]:
        return [o for o, p in self._parents.items() if p == org_id]

    def set(self, org_id: str, parent: str | None) -> None:
        """Record a created or moved organization."""
        self._parents[org_id] = parent
        self._subtrees.clear()

    def remove(self, org_id: str) -> None:
        self._parents.pop(org_id, None)
        self._subtrees.clear()

    def depth(self, org_id: str) -> int:
        """1 for a top-level organization, 2 for its children, and so on."""
        depth, current = 1, self._parents[org_id]
        while current is not None:
            depth, current = depth + 1, self._parents[current]
        return depth

    def height(self, org_id: str) -> int:
        """Levels in the subtree under and including `org_id` (1 for a leaf)."""
        below = [self.height(child) for child in self.children(org_id)]
        return 1 + max(below, default=0)

    def subtree(self, org_id: str) -> frozenset[str]:
        """The organization and every descendant."""
        found = self._subtrees.get(org_id)
        if found is None:
            found = frozenset({org_id}).union(*(self.subtree(c) for c in self.children(org_id)))
            self._subtrees[org_id] = found
        return found

    def union_of_subtrees(self, org_ids: Iterable[str]) -> frozenset[str]:
        return frozenset().union(*(self.subtree(o) for o in org_ids if o in self._parents))


class OrganizationDirectory:
    """The trees of every application, by application id."""

    def __init__(self) -> None:
        self._trees: dict[str, OrganizationTree] = {}

    def of(self, app_id: str) -> OrganizationTree:
        tree = self._trees.get(app_id)
        if tree is None:
            tree = self._trees[app_id] = OrganizationTree()
        return tree

    def replace(self, app_id: str, tree: OrganizationTree) -> None:
        self._trees[app_id] = tree
