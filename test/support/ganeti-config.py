# Writes a Ganeti config.data to stdout with Ganeti's own objects and
# serializer, as gnt-cluster init and gnt-cluster modify leave it: the cluster's
# instance policy is Ganeti's default filled over the given one (what init does).
# argv: cluster FQDN, the ipolicy as JSON (e.g. {} or {"minmax": [...]}), then
# instance FQDNs. Options before the FQDNs: --drbd-usermode-helper=PATH sets the
# cluster's DRBD helper; --hvparams=JSON ({"kvm": {...}}) the cluster's
# hypervisor parameters, each hypervisor's filled over Ganeti's defaults (what
# init does); --instance-hvparams=JSON ({FQDN: {...}}) instances' own ones.
# Needs Ganeti's Python library (Debian package ganeti).
import json, sys
sys.path.insert(0, '/usr/share/ganeti/default')
from ganeti import constants, objects, serializer

cluster_name, ipolicy, instances = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3:]
options = {}
while instances and instances[0].startswith('--'):
    key, value = instances.pop(0)[2:].split('=', 1)
    options[key] = value
helper = options.get('drbd-usermode-helper')
hvparams = {name: objects.FillDict(constants.HVC_DEFAULTS[name], given) for name, given in json.loads(options.get('hvparams', '{}')).items()}
own = json.loads(options.get('instance-hvparams', '{}'))
cluster = objects.Cluster(cluster_name=cluster_name, ipolicy=objects.FillIPolicy(constants.IPOLICY_DEFAULTS, ipolicy), drbd_usermode_helper=helper, hvparams=hvparams)
members = {f'uuid-{index}': objects.Instance(name=name, uuid=f'uuid-{index}', hvparams=own.get(name, {})) for index, name in enumerate(instances)}
config = objects.ConfigData(version=constants.CONFIG_VERSION, cluster=cluster, instances=members, nodes={}, nodegroups={}, networks={}, disks={}, filters={})
sys.stdout.write(serializer.DumpJson(config.ToDict()).decode())
