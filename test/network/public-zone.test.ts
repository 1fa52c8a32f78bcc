// A private zone that exists in public DNS is refused before any change: in a
// lab host whose resolv.conf names the outside host, where a named
// authoritative for `farm` stands in for public DNS (the seed's zone, a public
// top-level domain since 2014), plan and apply each exit 2 with one line naming
// dns.zone, and nothing of the lab changes. The same site goes ahead when the
// recipe accepts the shadowing (dns.shadow_public_zone), or with a zone under
// `internal`; and when the outside server stops answering, preflight cannot
// tell, says so, and refuses nothing. Every query stays between the lab and
// its outside peer.
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {test} from 'node:test';
import {cliPath} from '../support/cli.js';
import {createLab, type Lab} from '../support/lab.js';
import {differences, labState} from '../support/lab-snapshot.js';
import {need} from '../support/need.js';

const labYaml = readFileSync(new URL('../../recipes/lab.yaml', import.meta.url), 'utf8');
const stateDir = '/var/lib/ganeti-wizard';
const outsideAddress = '198.51.100.1';

/** named on the outside host: authoritative for farm only, no recursion, as a TLD's servers are. */
const outsideConf = `options {
	directory "/etc/outside";
	pid-file "/run/outside-named.pid";
	listen-on { ${outsideAddress}; };
	listen-on-v6 { none; };
	recursion no;
	dnssec-validation no;
};
zone "farm" { type primary; file "/etc/outside/db.farm"; };
`;
const outsideZone = `$TTL 3600
@ IN SOA a.nic.farm. hostmaster.nic.farm. 1 3600 600 86400 3600
@ IN NS a.nic.farm.
a.nic IN A ${outsideAddress}
www.example IN A 192.0.2.80
`;

async function writeRecipe(lab: Lab, name: string, text: string): Promise<string> {
	const path = `/root/${name}.yaml`;
	await lab.writeFile(path, text);
	return path;
}

test('a zone public DNS has: plan and apply refuse it naming dns.zone, with nothing written; accepted, or under internal, plan goes ahead; a silent resolver is noted', async t => {
	if (!need(['root', 'namespaces', 'overlay', 'unshare', 'nsenter', 'ip', 'ss', 'named', 'dig', 'iptables-save', 'losetup', 'vgs'], t)) return;
	const lab = await createLab({hostname: 'gcc20'});
	t.after(() => lab.destroy());
	const outside = await lab.addPeer('outside', {labInterface: 'eth0', labAddress: '198.51.100.20/24', peerAddress: `${outsideAddress}/24`});
	await outside.writeFile('/etc/outside/named.conf', outsideConf);
	await outside.writeFile('/etc/outside/db.farm', outsideZone);
	const named = await outside.spawnDaemon(['named', '-g', '-u', 'root', '-c', '/etc/outside/named.conf']);
	for (let tries = 0; !named.output().stderr.includes('running'); tries++) {
		assert.ok(tries < 200, `the outside named started: ${JSON.stringify(named.output())}`);
		await new Promise(resolve => setTimeout(resolve, 50));
	}
	// The lab host asks the outside server, as a shared machine asks its provider's.
	await lab.exec(['rm', '-f', '/etc/resolv.conf']);
	await lab.writeFile('/etc/resolv.conf', `nameserver ${outsideAddress}\n`);
	const soa = await lab.exec(['dig', '+time=2', '+tries=1', 'farm', 'SOA']);
	assert.match(soa.stdout, /status: NOERROR/, `the stand-in answers farm's SOA to the lab: ${soa.stdout}${soa.stderr}`);

	const cli = (command: string[], recipe: string) => lab.exec([process.execPath, cliPath, ...command, '--recipe', recipe, '--root', '/', '--state-dir', stateDir], {timeoutMs: 120_000});
	const unaccepted = labYaml.replace('  shadow_public_zone: true\n', '');
	assert.notEqual(unaccepted, labYaml, 'the lab recipe accepts shadowing farm, as the seed does');
	const publicRecipe = await writeRecipe(lab, 'public-zone', unaccepted);

	const before = await labState(lab);
	for (const command of [['plan'], ['apply', '--yes']]) {
		const run = await cli(command, publicRecipe);
		assert.equal(run.exitCode, 2, `${command[0]} exits 2\n${run.stdout}${run.stderr}`);
		assert.equal(run.stdout, '');
		assert.equal(
			run.stderr,
			`ganeti-wizard: ${publicRecipe}: dns.zone: "farm" is a zone in public DNS (its SOA answers from ${outsideAddress}): every *.farm name would be hidden from this host's users; use a name under internal or home.arpa (e.g. farm.internal), or set dns.shadow_public_zone: true to accept hiding it\n`,
		);
		assert.equal(await lab.readFile(`${stateDir}/journal.jsonl`), null, `${command[0]}: nothing recorded`);
		assert.deepEqual(differences(before, await labState(lab)), [], `${command[0]}: nothing of the lab changed`);
	}
	assert.equal(await lab.readFile(`${stateDir}/progress.json`), null, 'no state saved');

	// The shadowing accepted in the recipe, or a reserved name: the same host plans the site.
	const accepted = await cli(['plan'], await writeRecipe(lab, 'accepted', labYaml));
	assert.equal(accepted.exitCode, 0, `dns.shadow_public_zone: true goes ahead\n${accepted.stderr}`);
	assert.doesNotMatch(accepted.stdout, /dns\.zone/);
	const internalRecipe = await writeRecipe(lab, 'internal', unaccepted.replace('  zone: farm\n', '  zone: farm.internal\n'));
	const internal = await cli(['plan'], internalRecipe);
	assert.equal(internal.exitCode, 0, `a zone under internal goes ahead\n${internal.stderr}`);
	assert.match(internal.stdout, /farm\.internal/);
	assert.doesNotMatch(internal.stdout, /Note: /, 'a reserved name is asked of nobody');

	// The outside server gone silent: nobody can tell, so nothing is refused, and the plan says so.
	await named.stop();
	const silent = await cli(['plan'], publicRecipe);
	assert.equal(silent.exitCode, 0, `a resolver that does not answer refuses nothing\n${silent.stderr}`);
	assert.match(
		silent.stdout.split('\n')[0]!,
		new RegExp(`^Note: dns\\.zone: cannot tell whether "farm" is a zone in public DNS \\(${outsideAddress.replaceAll('.', '\\.')}: no reply \\((connection refused|timed out)\\)\\); `),
	);
});
