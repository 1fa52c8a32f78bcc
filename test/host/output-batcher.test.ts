// The output path of a running command: every byte recorded in order, the
// screen handed only whole last lines, decoded from a bounded tail.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import fc from 'fast-check';
import {lastLines, OutputBatcher} from '../../source/host/output-batcher.js';

function collect() {
	const recorded: Buffer[] = [];
	const shown: string[][] = [];
	const batcher = new OutputBatcher({record: chunks => recorded.push(...chunks), show: lines => shown.push(lines)});
	return {batcher, recorded, shown};
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
			const {batcher, recorded, shown} = collect();
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
			assert.deepEqual(shown.flat(), text === '' ? [] : text.replace(/\n$/, '').split('\n'));
		}),
	);
});

test('100,000 lines in big chunks: each batch hands on only its last 200 lines; a megabyte line without a newline stays bounded', () => {
	const {batcher, recorded, shown} = collect();
	const text = Array.from({length: 100_000}, (_, index) => `line ${index}\n`).join('');
	const bytes = Buffer.from(text);
	for (let offset = 0; offset < bytes.length; offset += 65_536) batcher.push(bytes.subarray(offset, offset + 65_536));
	batcher.flush();
	assert.equal(Buffer.concat(recorded).toString(), text);
	assert.ok(shown.length >= 2, 'bursts are handed on before the end');
	assert.ok(shown.every(batch => batch.length === OutputBatcher.tailLines));
	assert.deepEqual(shown.at(-1)!.slice(-2), ['line 99998', 'line 99999']);

	const long = collect();
	for (let index = 0; index < 64; index++) long.batcher.push(Buffer.alloc(16_384, index % 10 === 9 ? 'y' : 'x'));
	long.batcher.push(Buffer.from('END'));
	long.batcher.flush();
	assert.equal(long.shown.length, 1);
	const [line] = long.shown[0]!;
	assert.ok(line!.length <= OutputBatcher.tailBytes && line!.endsWith('END'), 'the end of the long line, bounded');
	assert.equal(Buffer.concat(long.recorded).length, 64 * 16_384 + 'END\n'.length);
});
