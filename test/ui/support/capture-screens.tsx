// Text captures of every screen, for readme.md: the seed recipe's real plans,
// checkpoint and hints where the engine has them, drawn 100 columns wide.
//   node --import tsx test/ui/support/capture-screens.tsx > screens.md
import {render} from 'ink-testing-library';
import type {ReactElement} from 'react';
import type {Detected} from '../../../source/host/detect.js';
import {buildInventory} from '../../../source/inventory/inventory.js';
import {loadRecipeFile} from '../../../source/recipe/load.js';
import type {PlannedStep} from '../../../source/runner/events.js';
import {hintFor} from '../../../source/steps/hints.js';
import {installCheckpoint} from '../../../source/steps/instances.js';
import {networkStep} from '../../../source/steps/network.js';
import {bareFacts} from '../../../source/steps/step.js';
import {draftFromRecipe} from '../../../source/ui/draft.js';
import {loadDiff} from '../../../source/ui/plan-lines.js';
import {newWizard, questions} from '../../../source/ui/questions.js';
import {RunStore} from '../../../source/ui/run-store.js';
import {CheckpointScreen} from '../../../source/ui/screens/CheckpointScreen.js';
import {FailureScreen} from '../../../source/ui/screens/FailureScreen.js';
import {HelpOverlay} from '../../../source/ui/screens/HelpOverlay.js';
import {PlanPreview} from '../../../source/ui/screens/PlanPreview.js';
import {QuestionScreen} from '../../../source/ui/screens/QuestionScreen.js';
import {ResumeScreen} from '../../../source/ui/screens/ResumeScreen.js';
import {RunningPane} from '../../../source/ui/screens/RunningPane.js';
import {StepList} from '../../../source/ui/screens/StepList.js';
import {SummaryScreen} from '../../../source/ui/screens/SummaryScreen.js';
import {Box} from 'ink';
import {tick} from './ink.js';

const {recipe} = await loadRecipeFile('recipes/gcc-compile-farm.yaml');
const {inventory} = buildInventory(recipe, {macs: {}, addresses: {}}, () => new Uint8Array(6));
await loadDiff();

const detected: Detected = {
	hostname: 'gcc20',
	interfaces: [
		{name: 'lo', addresses: ['127.0.0.1/8'], kind: 'loopback', up: true, defaultRoute: false},
		{name: 'eth0', addresses: ['198.51.100.20/24'], kind: 'physical', up: true, defaultRoute: true},
		{name: 'eth1', addresses: [], kind: 'physical', up: false, defaultRoute: false},
	],
	disks: [
		{name: 'sda', path: '/dev/sda', sizeBytes: 500_107_862_016, fstype: null, mountpoints: [], partitions: [{name: 'sda1', path: '/dev/sda1', sizeBytes: 499_000_000_000, fstype: 'ext4', mountpoints: ['/']}], inUse: 'mounted on /'},
		{name: 'sdb', path: '/dev/sdb', sizeBytes: 2_000_398_934_016, fstype: null, mountpoints: [], partitions: [], inUse: null},
	],
	volumeGroups: [],
	resolvers: ['192.0.2.53'],
	usedNetworks: ['198.51.100.0/24'],
	freeRanges: ['10.10.0.0/16', '10.20.0.0/16'],
};

async function capture(title: string, element: ReactElement, keys: string[] = []): Promise<void> {
	const screen = render(element);
	await tick(200);
	for (const key of keys) {
		screen.stdin.write(key);
		await tick(100);
	}
	await tick(200);
	process.stdout.write(`### ${title}\n\n\`\`\`text\n${screen.lastFrame()}\n\`\`\`\n\n`);
	screen.unmount();
}

const wizard = newWizard(null, detected);
const question = (id: string) => questions.find(entry => entry.id === id)!;
const steps: PlannedStep[] = [
	{id: 'preflight', title: 'Preflight checks', status: 'satisfied', actions: []},
	{id: 'host', title: 'Packages, LVM volume group and DRBD hand-over', status: 'done', actions: []},
	{id: 'network', title: 'Private network, bridge and NAT', status: 'running', actions: [{action: {kind: 'command', id: 'network.up', title: 'bring up br0', argv: ['ifup', 'br0']}, status: 'running'}]},
	{id: 'dns', title: 'Private DNS (bind9)', status: 'pending', actions: []},
	{id: 'dhcp', title: 'DHCP for the VMs (isc-dhcp-server)', status: 'pending', actions: []},
	{id: 'cluster', title: 'Ganeti cluster', status: 'pending', actions: []},
	{id: 'instances', title: 'Instances', status: 'pending', actions: []},
];

process.stdout.write('## Screens\n\n');
await capture('Resume', <ResumeScreen steps={steps} updatedAt="2026-11-24T09:15:00.000Z" onChoose={() => {}} />);
await capture('A question, checked as you type', <QuestionScreen wizard={wizard} question={question('host.private_address')} position={6} total={23} onAnswer={() => {}} onBack={() => {}} />, ['\u001B[F', '0', '0']);
await capture('A disk in use needs its name typed', <QuestionScreen wizard={wizard} question={question('storage.disk')} position={12} total={23} onAnswer={() => {}} onBack={() => {}} />, ['\u001B[A', '\r']);
await capture('Summary', <SummaryScreen draft={draftFromRecipe(recipe)} savePath="site.yaml" mode="real" root="/" onStart={() => {}} onSave={async () => {}} onEdit={() => {}} onQuit={() => {}} />);

const current = 'auto lo\niface lo inet loopback\n\nallow-hotplug eth0\niface eth0 inet dhcp\n';
const facts = bareFacts({files: {'/etc/network/interfaces': current}});
const actions = networkStep.plan(inventory, facts);
const network: PlannedStep = {
	id: 'network',
	title: networkStep.title,
	status: 'pending',
	actions: actions.map(action => ({action, status: 'pending', ...(action.kind === 'file' ? {current: action.path === '/etc/network/interfaces' ? current : null} : {})})),
};
await capture('Plan preview (files as diffs, commands as they run)', <PlanPreview step={network} height={30} width={100} onChoose={() => {}} />);

const store = new RunStore(
	steps.map(step => ({...step, status: step.id === 'preflight' ? 'satisfied' : step.id === 'host' ? 'running' : 'pending', actions: []})),
	{intervalMs: 0},
);
const apt = {kind: 'command' as const, id: 'host.packages', title: 'install ganeti, bind9, isc-dhcp-server and their tools', argv: ['apt-get', 'install', '-y', '--no-install-recommends', 'ganeti', 'bind9', 'isc-dhcp-server']};
store.handle({type: 'action', stepId: 'host', action: apt, status: 'running'});
store.handle({type: 'output', actionId: apt.id, lines: Array.from({length: 2400}, (_, index) => `Get:${index + 1} http://deb.debian.org/debian bookworm/main amd64 package-${index + 1} 1.0-1 [${(index * 37) % 900} kB]`)});
store.flush();
await capture(
	'Running a command (step list, bounded output tail)',
	<Box>
		<StepList steps={store.getSnapshot().steps} width={30} />
		<Box flexDirection="column" width={70}>
			<RunningPane store={store} lines={10} width={70} />
		</Box>
	</Box>,
);

const output = ['Failure: prerequisites not met for this operation:', "error type: wrong_input, error details:", "This host's name gcc20 resolves to 127.0.1.1, a loopback address (Debian's /etc/hosts line)"];
await capture(
	'Failure with a hint',
	<FailureScreen
		failure={{
			stepId: 'cluster',
			action: {kind: 'command', id: 'cluster.init', title: 'initialise the cluster', argv: ['gnt-cluster', 'init', '--no-etc-hosts', '--enabled-hypervisors=kvm', '--master-netdev', 'br0', '--vg-name', 'all', 'cluster.node.farm']},
			message: 'gnt-cluster exited with code 1',
			exitCode: 1,
			outputTail: output,
			...(hintFor({kind: 'command', id: 'cluster.init', title: '', argv: []}, output.join('\n')) ? {hint: hintFor({kind: 'command', id: 'cluster.init', title: '', argv: []}, output.join('\n'))!} : {}),
			skippable: false,
		}}
		lines={8}
		width={100}
		onChoose={() => {}}
	/>,
);
await capture('Checkpoint (OS install over VNC)', <CheckpointScreen action={installCheckpoint(inventory, inventory.instances[0]!)} mode="real" onChoose={() => {}} />);
await capture('Help (?)', <HelpOverlay mode="real" />);
process.exit(0);
