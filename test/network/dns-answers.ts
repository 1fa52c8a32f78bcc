// What named really answers for an inventory, asked with dig inside a lab, and
// what it must answer: every A record of the inventory, and for every address
// exactly one PTR naming one of that address's A names (the node's own name
// for the node's address, which Ganeti resolves backwards).
import assert from 'node:assert/strict';
import type {Inventory} from '../../source/inventory/inventory.js';
import type {NamespaceHost} from '../support/lab.js';

export type Answers = {
	/** "fqdn A address" lines (names without the trailing dot). */
	a: Set<string>;
	/** address -> names its PTR records give. */
	ptr: Map<string, string[]>;
	/** dig's exit code and error output, for messages. */
	exitCode: number;
	stderr: string;
};

const reverseName = (address: string): string => `${address.split('.').reverse().join('.')}.in-addr.arpa.`;
const addressOf = (reverse: string): string => reverse.replace(/\.in-addr\.arpa\.?$/, '').split('.').reverse().join('.');
const trimDot = (name: string): string => name.replace(/\.$/, '');

/** One dig process for all the questions: A for every name, PTR for every address. */
export async function askAll(host: NamespaceHost, server: string, inventory: Inventory): Promise<Answers> {
	const names = [...new Set(inventory.records.map(record => record.fqdn))];
	const addresses = [...new Set(inventory.records.map(record => record.address))];
	const questions = [...names.flatMap(name => [`${name}.`, 'A']), ...addresses.flatMap(address => [reverseName(address), 'PTR'])];
	const result = await host.exec(['dig', `@${server}`, '+norecurse', '+noall', '+answer', '+time=2', '+tries=2', ...questions], {timeoutMs: 30_000});
	const a = new Set<string>();
	const ptr = new Map<string, string[]>();
	for (const line of result.stdout.split('\n')) {
		const [owner, , , type, data] = line.trim().split(/\s+/);
		if (!owner || !data || owner.startsWith(';')) continue;
		if (type === 'A') a.add(`${trimDot(owner)} A ${data}`);
		if (type === 'PTR') ptr.set(addressOf(owner), [...(ptr.get(addressOf(owner)) ?? []), trimDot(data)]);
	}
	return {a, ptr, exitCode: result.exitCode, stderr: result.stderr};
}

/** Problems with the answers; empty when they are exactly what the inventory says. */
export function answerProblems(inventory: Inventory, answers: Answers): string[] {
	const problems: string[] = [];
	const expectedA = new Set(inventory.records.map(record => `${record.fqdn} A ${record.address}`));
	for (const line of expectedA) if (!answers.a.has(line)) problems.push(`missing ${line}`);
	for (const line of answers.a) if (!expectedA.has(line)) problems.push(`unexpected ${line}`);
	const namesOf = new Map<string, Set<string>>();
	for (const record of inventory.records) namesOf.set(record.address, (namesOf.get(record.address) ?? new Set()).add(record.fqdn));
	for (const [address, names] of namesOf) {
		const targets = answers.ptr.get(address) ?? [];
		if (targets.length !== 1) problems.push(`PTR ${address}: ${targets.join(', ') || 'none'} (expected one of ${[...names].join(', ')})`);
		else if (!names.has(targets[0]!)) problems.push(`PTR ${address} -> ${targets[0]} is not an A name of ${address}`);
	}
	for (const address of answers.ptr.keys()) if (!namesOf.has(address)) problems.push(`PTR for ${address}, which has no A record`);
	const node = answers.ptr.get(inventory.node.address);
	if (node?.length === 1 && node[0] !== inventory.node.fqdn) problems.push(`PTR ${inventory.node.address} -> ${node[0]}, not the node ${inventory.node.fqdn}`);
	return problems;
}

/**
 * Asks until the answers are right or `waitMs` passed (named loads zones in
 * the background after start and reload), then asserts them.
 */
export async function assertAnswers(host: NamespaceHost, server: string, inventory: Inventory, context: string, waitMs = 8000): Promise<number> {
	const deadline = Date.now() + waitMs;
	let attempts = 0;
	for (;;) {
		attempts++;
		const answers = await askAll(host, server, inventory);
		const problems = answerProblems(inventory, answers);
		if (problems.length === 0) return attempts;
		if (Date.now() > deadline) {
			assert.fail(`${context}: named at ${server} answered wrongly (dig exit ${answers.exitCode} ${answers.stderr.trim()}):\n  ${problems.slice(0, 20).join('\n  ')}`);
		}
		await new Promise(resolve => setTimeout(resolve, 200));
	}
}

/** A dig that must get no answer at all: a timeout or a refused connection, quickly. */
export async function assertNoAnswer(host: NamespaceHost, server: string, name: string, context: string): Promise<void> {
	const started = Date.now();
	const result = await host.exec(['dig', `@${server}`, '+time=1', '+tries=1', name, 'A'], {timeoutMs: 10_000});
	assert.notEqual(result.exitCode, 0, `${context}: named answered on ${server}:\n${result.stdout}`);
	assert.doesNotMatch(result.stdout, /status: NOERROR|ANSWER SECTION/, `${context}: named answered on ${server}`);
	assert.ok(Date.now() - started < 5000, `${context}: dig @${server} took ${Date.now() - started} ms`);
}
