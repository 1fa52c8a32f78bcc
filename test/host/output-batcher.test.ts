// The output path of a running command: every byte recorded in order, the
// screen handed only whole last lines, decoded from a bounded tail.
import assert from 'node:assert/strict';
import {mkdtemp, readFile, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {test} from 'node:test';
import fc from 'fast-check';
import {localHost} from '../../source/host/local.js';
import {lastLines, OutputBatcher} from '../../source/host/output-batcher.js';
import {Transcript} from '../../source/host/transcript.js';

function collect() {
	const recorded: Buffer[] = [];
	const shown: string[][] = [];
	const printed: number[] = [];
	const batcher = new OutputBatcher({
		record: chunks => recorded.push(...chunks),
		show: (lines, count) => {
			shown.push(lines);
			printed.push(count);
		},
	});
	return {batcher, recorded, shown, printed};
}

test('last lines: at most `count` whole lines before the last newline, and the bytes after it', () => {
	const parts = [Buffer.from('one\ntw'), Buffer.from('o\nthree\nfou'), Buffer.from('r')];
	assert.deepEqual(lastLines(parts, 2, 1024).lines, ['two', 'three']);
	assert.deepEqual(lastLines(parts, 10, 1024).lines, ['one', 'two', 'three']);
	assert.equal(Buffer.concat(lastLines(parts, 2, 1024).rest).toString(), 'four');
	assert.deepEqual(lastLines([Buffer.from('no newline')], 5, 1024), {lines: [], rest: [Buffer.from('no newline')]});
	// The byte budget wins over the line count: the end of the region is kept.
	assert.deepEqual(lastLines([Buffer.from('aaaaaaaaaa\nbbbb\n')], 5, 6).lines, ['a', 'bbbb']);
});

test('a cut never splits a character, and a character split between chunks decodes whole', () => {
	const euro = Buffer.from('€'); // three bytes
	assert.deepEqual(lastLines([Buffer.from('x'), euro.subarray(0, 1), Buffer.concat([euro.subarray(1), Buffer.from('€\n')])], 5, 1024).lines, ['x€€']);
	// A budget of 4 bytes lands inside the first euro sign: the cut moves to the next character.
	assert.deepEqual(lastLines([Buffer.from('€€\n')], 5, 4).lines, ['€']);
	const {batcher, shown} = collect();
	batcher.push(Buffer.from('price: '));
	batcher.push(euro.subarray(0, 2));
	batcher.flush(false);
	batcher.push(Buffer.concat([euro.subarray(2), Buffer.from('5\n')]));
	batcher.flush();
	assert.deepEqual(shown, [['price: €5']]);
});

test('every byte is recorded in order; lines cut anywhere (inside a character too) are shown whole; the last unterminated line at the end', () => {
	const unit = fc.constantFrom('a', 'b', '€', '😀', '\n', '\r');
	// At most 120 characters: fewer lines than a batch hands on, so every line must show.
	const cuts = fc.array(fc.record({at: fc.nat(), flush: fc.boolean()}), {maxLength: 12});
	fc.assert(
		fc.property(fc.string({unit, maxLength: 120}), cuts, (text, pieces) => {
			const bytes = Buffer.from(text);
			const offsets = [...new Set(pieces.map(piece => piece.at % (bytes.length + 1)))].sort((a, b) => a - b);
			const {batcher, recorded, shown, printed} = collect();
			let from = 0;
			offsets.forEach((offset, index) => {
				batcher.push(bytes.subarray(from, offset));
				if (pieces[index]!.flush) batcher.flush(false);
				from = offset;
			});
			batcher.push(bytes.subarray(from));
			batcher.flush();
			assert.equal(Buffer.concat(recorded).toString(), text === '' || text.endsWith('\n') ? text : `${text}\n`);
			assert.ok(shown.every(batch => batch.length > 0));
			const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
			assert.deepEqual(shown.flat(), lines);
			assert.equal(printed.reduce((sum, count) => sum + count, 0), lines.length);
		}),
	);
});

test('100,000 lines in big chunks: each batch hands on only its last 200 lines; a megabyte line without a newline stays bounded', () => {
	const {batcher, recorded, shown, printed} = collect();
	const text = Array.from({length: 100_000}, (_, index) => `line ${index}\n`).join('');
	const bytes = Buffer.from(text);
	for (let offset = 0; offset < bytes.length; offset += 65_536) batcher.push(bytes.subarray(offset, offset + 65_536));
	batcher.flush();
	assert.equal(Buffer.concat(recorded).toString(), text);
	assert.ok(shown.length >= 2, 'bursts are handed on before the end');
	assert.ok(shown.every(batch => batch.length === OutputBatcher.tailLines));
	assert.deepEqual(shown.at(-1)!.slice(-2), ['line 99998', 'line 99999']);
	assert.equal(printed.reduce((sum, count) => sum + count, 0), 100_000, 'every line counted, though few were decoded');

	const long = collect();
	for (let index = 0; index < 64; index++) long.batcher.push(Buffer.alloc(16_384, index % 10 === 9 ? 'y' : 'x'));
	long.batcher.push(Buffer.from('END'));
	long.batcher.flush();
	assert.equal(long.shown.length, 1);
	const [line] = long.shown[0]!;
	assert.ok(line!.length <= OutputBatcher.tailBytes && line!.endsWith('END'), 'the end of the long line, bounded');
	assert.equal(Buffer.concat(long.recorded).length, 64 * 16_384 + 'END\n'.length);
});

test('through the host adapter: a command\'s 50,000 lines all reach the transcript, and every one is counted for the screen', async () => {
	const work = await mkdtemp(join(tmpdir(), 'output-batcher-'));
	try {
		const transcriptPath = join(work, 'transcript.log');
		const host = localHost({root: '/', stateDir: work, transcript: new Transcript(transcriptPath)});
		let printed = 0;
		let last: string[] = [];
		const result = await host.run(['sh', '-c', 'seq 1 50000; printf tail'], {
			onLines: (lines, count) => {
				printed += count;
				last = lines;
			},
		});
		assert.equal(result.exitCode, 0);
		assert.equal(printed, 50_001);
		assert.deepEqual(last.slice(-2), ['50000', 'tail']);
		const transcript = await readFile(transcriptPath, 'utf8');
		const expected = `${Array.from({length: 50_000}, (_, index) => index + 1).join('\n')}\ntail\n`;
		assert.ok(transcript.includes(`# started\n${expected}`), 'the output, byte for byte, between the started and exit lines');
	} finally {
		await rm(work, {recursive: true, force: true});
	}
});
