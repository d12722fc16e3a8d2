"""Who has 'my exports': the roles that export ledgers (officials and enterprise admins). Which
list a user may export is the list's own export permission, checked when the job starts and
again, with the list's scope, when it runs."""

from __future__ import annotations

from typing import Any

import rules

from fugong.accounts.scope import scope_of


@rules.predicate
def exports_ledgers(user: Any) -> bool:
    scope = scope_of(user)
    return scope.is_official or bool(scope.enterprise_ids)


rules.add_perm("exports.list_own_exports", exports_ledgers)
