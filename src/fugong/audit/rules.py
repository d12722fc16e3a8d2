import rules

from fugong.accounts.predicates import is_admin

rules.add_perm("audit.view_audit", is_admin)
