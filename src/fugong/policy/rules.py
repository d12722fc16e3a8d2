"""The base policy is the platform admin's; a county's command officer may set the county's overrides."""

import rules

from fugong.accounts.predicates import commands_region, is_admin, is_command

rules.add_perm("policy.view_policy", is_admin | is_command)
rules.add_perm("policy.publish_base_policy", is_admin)
rules.add_perm("policy.publish_county_policy", commands_region)
