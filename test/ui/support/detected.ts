// A host as detection sees it, for the question tests: a public interface and
// a spare one, a disk in use (mounted on /) and a free one.
import {freePrivateRanges, type Detected} from '../../../source/host/detect.js';

export function detectedHost({volumeGroups = [], usedNetworks = ['198.51.100.0/24']}: Partial<Pick<Detected, 'volumeGroups' | 'usedNetworks'>> = {}): Detected {
	return {
		hostname: 'gcc20',
		interfaces: [
			{name: 'lo', addresses: ['127.0.0.1/8'], kind: 'loopback', up: true, defaultRoute: false},
			{name: 'eno1', addresses: ['198.51.100.20/24'], kind: 'physical', up: true, defaultRoute: true},
			{name: 'eno2', addresses: [], kind: 'physical', up: false, defaultRoute: false},
		],
		disks: [
			{name: 'sda', path: '/dev/sda', sizeBytes: 500e9, fstype: null, mountpoints: [], partitions: [{name: 'sda1', path: '/dev/sda1', sizeBytes: 500e9, fstype: 'ext4', mountpoints: ['/']}], inUse: 'mounted on /'},
			{name: 'sdb', path: '/dev/sdb', sizeBytes: 2e12, fstype: null, mountpoints: [], partitions: [], inUse: null},
		],
		volumeGroups,
		resolvers: ['192.0.2.53'],
		usedNetworks,
		freeRanges: freePrivateRanges(usedNetworks),
	};
}
