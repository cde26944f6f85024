"""Google Cloud as a public cloud of aidc. So far only its catalog: GPU machine types, list prices and the limits
that sizing and placement rely on. Its other modules follow the AWS layout (aidc/clouds/base.py lists them). It
becomes a registered cloud once `gcp` is added to aidc.contract.PublicCloud.
"""
