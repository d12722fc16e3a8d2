from django.apps import AppConfig


class HealthConfig(AppConfig):
    name = "fugong.health"
    label = "health"
    verbose_name = "健康监测"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from fugong.accounts.models import ApiToken, Membership, User
        from fugong.health import authentication, checkin_tasks  # noqa: F401 - registers the periodic purge with Celery
        from fugong.health.services import forget_cached_policies
        from fugong.policy.models import PolicyVersion

        # A published policy reaches the check-ins of this process at once (services.cached_policy).
        post_save.connect(forget_cached_policies, sender=PolicyVersion, dispatch_uid="health.forget_policies.save")
        post_delete.connect(forget_cached_policies, sender=PolicyVersion, dispatch_uid="health.forget_policies.delete")
        # A revoked token, a deactivated account or a withdrawn membership reaches the check-in
        # endpoint's remembered tokens of this process at once (health.authentication).
        for model in (ApiToken, User, Membership):
            post_save.connect(authentication.forget, sender=model, dispatch_uid=f"health.forget_tokens.save.{model.__name__}")
            post_delete.connect(authentication.forget, sender=model, dispatch_uid=f"health.forget_tokens.delete.{model.__name__}")
