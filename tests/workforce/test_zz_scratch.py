import time
from collections import Counter

from fugong.workforce.models import Pass, Person, ReevaluationRun, RiskArea, ClassificationChange


def test_scratch(db):
    print()
    print("persons", Person.objects.count(), Counter(Person.objects.values_list("category", flat=True)))
    print("passes", Pass.objects.count(), "revoked", Pass.objects.filter(revoked_at__isnull=False).count())
    print("risk", RiskArea.objects.count(), "runs", list(ReevaluationRun.objects.values("status", "total", "done", "changed")))
    print("changes", ClassificationChange.objects.count(), Counter(ClassificationChange.objects.filter(run__isnull=False).values_list("old_category", "new_category")))
    emp = Person.objects.filter(user__username="employee").first()
    print("employee", emp and (emp.category, emp.eligible_on, emp.passes.count()))
    from fugong.workforce.demo import seed_classification_and_passes
    import random
    RiskArea.objects.all().delete()
    Pass.objects.all().delete()
    ReevaluationRun.objects.all().delete()
    t = time.perf_counter()
    print(seed_classification_and_passes({}, random.Random(20200205), 0.25))
    print("seconds", time.perf_counter() - t)
