"""Every EC2 instance type name AWS knows, generated from botocore 1.44.8's EC2 service model
(botocore/data/ec2/2016-11-15/service-2.json, shape `InstanceType`, its `enum`): what
aidc:aws.system_instance_type is checked against. Regenerate when botocore is upgraded
(tests/config/test_cloud_limits.py fails until the two agree and prints the new table).

One line per family: `family: size size …`.
"""

from __future__ import annotations

BOTOCORE_VERSION = "1.44.8"

_TABLE = """
a1: large metal medium xlarge 2xlarge 4xlarge
c1: medium xlarge
c3: large xlarge 2xlarge 4xlarge 8xlarge
c4: large xlarge 2xlarge 4xlarge 8xlarge
c5: large metal xlarge 2xlarge 4xlarge 9xlarge 12xlarge 18xlarge 24xlarge
c5a: large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge
c5ad: large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge
c5d: large metal xlarge 2xlarge 4xlarge 9xlarge 12xlarge 18xlarge 24xlarge
c5n: large metal xlarge 2xlarge 4xlarge 9xlarge 18xlarge
c6a: large metal xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge
c6g: large metal medium xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge
c6gd: large metal medium xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge
c6gn: large medium xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge
c6i: large metal xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge
c6id: large metal xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge
c6in: large metal xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge
c7a: large medium xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge metal-48xl
c7g: large metal medium xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge
c7gd: large metal medium xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge
c7gn: large metal medium xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge
c7i: large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-24xl metal-48xl
c7i-flex: large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge
c8a: large medium xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-24xl metal-48xl
c8g: large medium xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-24xl metal-48xl
c8gb: large medium xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-24xl metal-48xl
c8gd: large medium xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-24xl metal-48xl
c8gn: large medium xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-24xl metal-48xl
c8i: large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge 96xlarge metal-48xl metal-96xl
c8i-flex: large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge
c8ib: large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge 96xlarge metal-48xl metal-96xl
c8id: large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge 96xlarge metal-48xl metal-96xl
c8in: large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge 96xlarge metal-48xl metal-96xl
c8ine: large xlarge 2xlarge 4xlarge 8xlarge 12xlarge
c9g: large medium xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-48xl
c9gd: large medium xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-48xl
cc1: 4xlarge
cc2: 8xlarge
cg1: 4xlarge
cr1: 8xlarge
d2: xlarge 2xlarge 4xlarge 8xlarge
d3: xlarge 2xlarge 4xlarge 8xlarge
d3en: xlarge 2xlarge 4xlarge 6xlarge 8xlarge 12xlarge
dl1: 24xlarge
dl2q: 24xlarge
f1: 2xlarge 4xlarge 16xlarge
f2: 6xlarge 12xlarge 48xlarge
g2: 2xlarge 8xlarge
g3: 4xlarge 8xlarge 16xlarge
g3s: xlarge
g4ad: xlarge 2xlarge 4xlarge 8xlarge 16xlarge
g4dn: metal xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge
g5: xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge
g5g: metal xlarge 2xlarge 4xlarge 8xlarge 16xlarge
g6: xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge
g6e: xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge
g6f: large xlarge 2xlarge 4xlarge
g7: 2xlarge 4xlarge 8xlarge 12xlarge 24xlarge 48xlarge
g7e: 2xlarge 4xlarge 8xlarge 12xlarge 24xlarge 48xlarge
gr6: 4xlarge 8xlarge
gr6f: 4xlarge
h1: 2xlarge 4xlarge 8xlarge 16xlarge
hi1: 4xlarge
hpc6a: 48xlarge
hpc6id: 32xlarge
hpc7a: 12xlarge 24xlarge 48xlarge 96xlarge
hpc7g: 4xlarge 8xlarge 16xlarge
hpc8a: 96xlarge
hs1: 8xlarge
i2: xlarge 2xlarge 4xlarge 8xlarge
i3: large metal xlarge 2xlarge 4xlarge 8xlarge 16xlarge
i3en: large metal xlarge 2xlarge 3xlarge 6xlarge 12xlarge 24xlarge
i4g: large xlarge 2xlarge 4xlarge 8xlarge 16xlarge
i4i: large metal xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge
i7i: large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-24xl metal-48xl
i7ie: large xlarge 2xlarge 3xlarge 6xlarge 12xlarge 18xlarge 24xlarge 48xlarge metal-24xl metal-48xl
i8g: large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-24xl metal-48xl
i8ge: large xlarge 2xlarge 3xlarge 6xlarge 12xlarge 18xlarge 24xlarge 48xlarge metal-24xl metal-48xl
im4gn: large xlarge 2xlarge 4xlarge 8xlarge 16xlarge
inf1: xlarge 2xlarge 6xlarge 24xlarge
inf2: xlarge 8xlarge 24xlarge 48xlarge
is4gen: large medium xlarge 2xlarge 4xlarge 8xlarge
m1: large small medium xlarge
m2: xlarge 2xlarge 4xlarge
m3: large medium xlarge 2xlarge
m4: large xlarge 2xlarge 4xlarge 10xlarge 16xlarge
m5: large metal xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge
m5a: large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge
m5ad: large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge
m5d: large metal xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge
m5dn: large metal xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge
m5n: large metal xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge
m5zn: large metal xlarge 2xlarge 3xlarge 6xlarge 12xlarge
m6a: large metal xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge
m6g: large metal medium xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge
m6gd: large metal medium xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge
m6i: large metal xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge
m6id: large metal xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge
m6idn: large metal xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge
m6in: large metal xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge
m7a: large medium xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge metal-48xl
m7g: large metal medium xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge
m7gd: large metal medium xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge
m7i: large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-24xl metal-48xl
m7i-flex: large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge
m8a: large medium xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-24xl metal-48xl
m8azn: large medium xlarge 3xlarge 6xlarge 12xlarge 24xlarge metal-12xl metal-24xl
m8g: large medium xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-24xl metal-48xl
m8gb: large medium xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-24xl metal-48xl
m8gd: large medium xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-24xl metal-48xl
m8gn: large medium xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-24xl metal-48xl
m8i: large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge 96xlarge metal-48xl metal-96xl
m8i-flex: large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge
m8ib: large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge 96xlarge metal-48xl metal-96xl
m8id: large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge 96xlarge metal-48xl metal-96xl
m8idb: large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge 96xlarge metal-48xl metal-96xl
m8idn: large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge 96xlarge metal-48xl metal-96xl
m8in: large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge 96xlarge metal-48xl metal-96xl
m8ine: large xlarge 2xlarge 4xlarge 8xlarge 12xlarge
m9g: large medium xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-24xl metal-48xl
m9gd: large medium xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-24xl metal-48xl
mac-m3ultra: metal
mac-m4: metal
mac-m4max: metal
mac-m4pro: metal
mac1: metal
mac2: metal
mac2-m1ultra: metal
mac2-m2: metal
mac2-m2pro: metal
p2: xlarge 8xlarge 16xlarge
p3: 2xlarge 8xlarge 16xlarge
p3dn: 24xlarge
p4d: 24xlarge
p4de: 24xlarge
p5: 4xlarge 48xlarge
p5e: 48xlarge
p5en: 48xlarge
p6-b200: 48xlarge
p6-b300: 48xlarge
p6e-gb200: 36xlarge
r3: large xlarge 2xlarge 4xlarge 8xlarge
r4: large xlarge 2xlarge 4xlarge 8xlarge 16xlarge
r5: large metal xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge
r5a: large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge
r5ad: large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge
r5b: large metal xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge
r5d: large metal xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge
r5dn: large metal xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge
r5n: large metal xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge
r6a: large metal xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge
r6g: large metal medium xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge
r6gd: large metal medium xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge
r6i: large metal xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge
r6id: large metal xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge
r6idn: large metal xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge
r6in: large metal xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge
r7a: large medium xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge metal-48xl
r7g: large metal medium xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge
r7gd: large metal medium xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge
r7i: large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-24xl metal-48xl
r7iz: large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 32xlarge metal-16xl metal-32xl
r8a: large medium xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-24xl metal-48xl
r8g: large medium xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-24xl metal-48xl
r8gb: large medium xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-24xl metal-48xl
r8gd: large medium xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-24xl metal-48xl
r8gn: large medium xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-24xl metal-48xl
r8i: large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge 96xlarge metal-48xl metal-96xl
r8i-flex: large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge
r8ib: large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge 96xlarge metal-48xl metal-96xl
r8id: large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge 96xlarge metal-48xl metal-96xl
r8idb: large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge 96xlarge metal-48xl metal-96xl
r8idn: large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge 96xlarge metal-48xl metal-96xl
r8in: large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge 96xlarge metal-48xl metal-96xl
r9g: large medium xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-48xl
r9gd: large medium xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-48xl
t1: micro
t2: nano large micro small medium xlarge 2xlarge
t3: nano large micro small medium xlarge 2xlarge
t3a: nano large micro small medium xlarge 2xlarge
t4g: nano large micro small medium xlarge 2xlarge
t8i: nano micro small medium
trn1: 2xlarge 32xlarge
trn1n: 32xlarge
trn2: 3xlarge 48xlarge
trn2u: 48xlarge
u-12tb1: metal 112xlarge
u-18tb1: metal 112xlarge
u-24tb1: metal 112xlarge
u-3tb1: 56xlarge
u-6tb1: metal 56xlarge 112xlarge
u-9tb1: metal 112xlarge
u7i-12tb: 224xlarge
u7i-6tb: 112xlarge
u7i-8tb: 112xlarge
u7ib-12tb: 224xlarge
u7in-16tb: 224xlarge
u7in-24tb: 224xlarge
u7in-32tb: 224xlarge
u7inh-32tb: 480xlarge
vt1: 3xlarge 6xlarge 24xlarge
x1: 16xlarge 32xlarge
x1e: xlarge 2xlarge 4xlarge 8xlarge 16xlarge 32xlarge
x2gd: large metal medium xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge
x2idn: metal 16xlarge 24xlarge 32xlarge
x2iedn: metal xlarge 2xlarge 4xlarge 8xlarge 16xlarge 24xlarge 32xlarge
x2iezn: metal 2xlarge 4xlarge 6xlarge 8xlarge 12xlarge
x8aedz: large xlarge 3xlarge 6xlarge 12xlarge 24xlarge metal-12xl metal-24xl
x8g: large medium xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-24xl metal-48xl
x8i: large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge 64xlarge 96xlarge metal-48xl metal-96xl
z1d: large metal xlarge 2xlarge 3xlarge 6xlarge 12xlarge
"""

EC2_INSTANCE_TYPES: frozenset[str] = frozenset(
    f"{family}.{size}"
    for family, _, sizes in (line.partition(": ") for line in _TABLE.strip().splitlines())
    for size in sizes.split()
)
