"""Regions, grids and departments are the admin's to change; officials may browse their own."""

import rules

from fugong.accounts.predicates import is_admin, is_official

rules.add_perm("regions.browse_regions", is_official)
rules.add_perm("regions.manage_regions", is_admin)
