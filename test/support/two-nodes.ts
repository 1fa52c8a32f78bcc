// A site of two nodes: the lab recipe with its host: written as nodes:, and a
// second node (a master candidate) beside it. Routed (network.routing: ospf),
// as every site of more than one node must be.
import {readFileSync} from 'node:fs';

/** The lab recipe, routed: one node still, ready for another. */
export const labText = readFileSync(new URL('../../recipes/lab.yaml', import.meta.url), 'utf8').replace(/^ {2}nat: true\n/m, '  nat: true\n  routing: ospf\n');
if (!labText.includes('routing: ospf')) throw new Error('recipes/lab.yaml no longer has the network.nat line this helper routes after');

const labHost = /\nhost:\n(?: {2}.*\n)+/;

/** The lab recipe with `nodes` (YAML list entries, two-space indented) in place of its host: section. */
export function labWithNodes(nodes: string): string {
	if (!labHost.test(labText)) throw new Error('recipes/lab.yaml no longer has the host: section this helper replaces');
	return labText.replace(labHost, `\nnodes:\n${nodes}`);
}

export const gcc20 = '  - name: gcc20\n    public_interface: eth0\n    public_address: 198.51.100.20\n    private_address: 10.10.0.20\n    role: master\n';
export const node2 = '  - name: node2\n    public_interface: ens3\n    public_address: 198.51.100.21\n    private_address: 10.10.0.21\n    role: candidate\n';

/** The lab site with node2 added. */
export const twoNodesText = labWithNodes(gcc20 + node2);
