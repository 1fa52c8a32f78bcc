# Writes a Ganeti config.data to stdout with Ganeti's own objects and
# serializer, as gnt-cluster init and gnt-cluster modify leave it: the cluster's
# instance policy is Ganeti's default filled over the given one (what init does).
# argv: cluster FQDN, the ipolicy as JSON (e.g. {} or {"minmax": [...]}), then
# instance FQDNs; a first one of --drbd-usermode-helper=PATH sets the cluster's
# DRBD helper. Needs Ganeti's Python library (Debian package ganeti).
import json, sys
sys.path.insert(0, '/usr/share/ganeti/default')
from ganeti import constants, objects, serializer

cluster_name, ipolicy, instances = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3:]
helper = None
if instances and instances[0].startswith('--drbd-usermode-helper='):
    helper = instances.pop(0).split('=', 1)[1]
cluster = objects.Cluster(cluster_name=cluster_name, ipolicy=objects.FillIPolicy(constants.IPOLICY_DEFAULTS, ipolicy), drbd_usermode_helper=helper)
members = {f'uuid-{index}': objects.Instance(name=name, uuid=f'uuid-{index}') for index, name in enumerate(instances)}
config = objects.ConfigData(version=constants.CONFIG_VERSION, cluster=cluster, instances=members, nodes={}, nodegroups={}, networks={}, disks={}, filters={})
sys.stdout.write(serializer.DumpJson(config.ToDict()).decode())
