// The ssh command that brings a VM's VNC console to the operator's machine.
import type {CheckpointAction} from '../actions/action.js';

const find = (action: CheckpointAction, pattern: RegExp) => action.details.find(detail => pattern.test(detail.label))?.value;

/** The ssh command that brings the VNC console to the operator's machine, when the details allow one. */
export function tunnelCommand(action: CheckpointAction, sshTarget: string | undefined): string | undefined {
	const given = find(action, /ssh|tunnel/i);
	if (given) return given;
	let address = find(action, /vnc.*(address|host)/i);
	let port = find(action, /vnc.*port/i);
	// "VNC console: 10.10.0.20:11000" in one detail.
	const combined = find(action, /vnc|console/i);
	if ((!address || !port) && combined) {
		const match = /^(\S+):(\d+)$/.exec(combined.trim());
		if (match) [address, port] = [address ?? match[1], port ?? match[2]];
	}
	if (!address || !port || !sshTarget) return undefined;
	return `ssh -N -L 5900:${address}:${port} ${sshTarget}`;
}
