"""Live checks run before `pulumi up` (`aidc preflight`): can the capacity plan be applied?

- requirements.py: `requirements_from_plan(cfg, plan)` turns a CapacityPlan into the explicit inputs the
  checks need (instance types and counts, AZs, flavors, images, quotas); no cloud SDK import.
- aws.py: boto3 checks (offerings, EFA, vCPU quotas, GPU AMI); openstack.py: openstacksdk checks
  (auth, flavors, image, external network, VPNaaS, quotas).
- retry.py: timeouts, retry settings and the classification of errors into reasons people can act on.
- report.py: `CheckResult`, the rich table and the JSON document.

boto3 and openstacksdk are imported inside the check functions' modules only, never at `aidc` import time.
"""
