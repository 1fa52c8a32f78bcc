// The site keeps its generated OSPF password like its MACs: saved once, never
// replaced by a later one, and a password that is not what the wizard makes
// is a damaged site.json (one line), not a password bird would be given.
import assert from 'node:assert/strict';
import {mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, test} from 'node:test';
import {RecipeError} from '../../source/errors.js';
import {SiteSettings} from '../../source/site/settings.js';

const work = mkdtempSync(join(tmpdir(), 'gw-settings-'));
after(() => rmSync(work, {recursive: true, force: true}));

test('the OSPF password is saved once, in site.json of mode 0600, and a later one never replaces it', () => {
	const directory = join(work, 'kept');
	const [first, second] = ['a'.repeat(64), 'b'.repeat(64)];
	SiteSettings.open(directory).keepGenerated({macs: {web1: '52:54:00:00:00:01'}, addresses: {}, ospfPassword: first});
	SiteSettings.open(directory).keepGenerated({macs: {}, addresses: {}, ospfPassword: second});
	const saved = SiteSettings.read(directory).generated;
	assert.deepEqual(saved, {macs: {web1: '52:54:00:00:00:01'}, addresses: {}, ospfPassword: first});
	assert.equal(statSync(join(directory, 'site.json')).mode & 0o777, 0o600);
	// Values without a password (a site not routed) leave the saved one alone.
	SiteSettings.open(directory).keepGenerated({macs: {}, addresses: {}});
	assert.equal(SiteSettings.read(directory).generated.ospfPassword, first);
});

test('a saved password that is not 64 hexadecimal digits is a damaged site.json', () => {
	const directory = join(work, 'damaged');
	SiteSettings.open(directory).keepGenerated({macs: {}, addresses: {}, ospfPassword: 'c'.repeat(64)});
	const path = join(directory, 'site.json');
	const data = JSON.parse(readFileSync(path, 'utf8')) as {generated: {ospfPassword: string}};
	data.generated.ospfPassword = 'a"; }; protocol static';
	writeFileSync(path, JSON.stringify(data));
	assert.throws(
		() => SiteSettings.read(directory),
		(error: unknown) => error instanceof RecipeError && /is damaged \(its "generated\.ospfPassword" is not 64 hexadecimal digits\)/.test(error.problems[0]!),
	);
});
