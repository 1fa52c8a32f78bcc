// The smallest ISO 9660 image (ECMA-119): 16 sectors of system area, a
// primary volume descriptor and the descriptor set terminator, 2048 bytes
// each. Nothing is on it (no El Torito boot record), so a VM booting it finds
// no system, as one whose installer never finishes; it is an ISO 9660 image
// all the same, for the tests that need one and have no xorriso or genisoimage.
const sector = 2048;

/** Writes `value` at `offset` both little- and big-endian, as ECMA-119 7.2.3 and 7.3.3 record numbers. */
function bothEndian(buffer: Buffer, offset: number, value: number, bytes: 2 | 4): void {
	if (bytes === 2) {
		buffer.writeUInt16LE(value, offset);
		buffer.writeUInt16BE(value, offset + 2);
	} else {
		buffer.writeUInt32LE(value, offset);
		buffer.writeUInt32BE(value, offset + 4);
	}
}

/** The image's bytes: 18 sectors (36864 bytes), volume identifier `volumeId` (d-characters, at most 32). */
export function iso9660Image(volumeId = 'LAB_INSTALLER'): Buffer {
	const sectors = 18;
	const image = Buffer.alloc(sectors * sector);
	const primary = image.subarray(16 * sector, 17 * sector);
	// 8.4: type 1, "CD001", version 1; identifiers padded with spaces.
	primary[0] = 1;
	primary.write('CD001', 1, 'latin1');
	primary[6] = 1;
	primary.fill(0x20, 8, 72);
	primary.write(volumeId.slice(0, 32), 40, 'latin1');
	bothEndian(primary, 80, sectors, 4);
	bothEndian(primary, 120, 1, 2);
	bothEndian(primary, 124, 1, 2);
	bothEndian(primary, 128, sector, 2);
	primary[881] = 1;
	// 8.3: the volume descriptor set terminator.
	const terminator = image.subarray(17 * sector, 18 * sector);
	terminator[0] = 255;
	terminator.write('CD001', 1, 'latin1');
	terminator[6] = 1;
	return image;
}
