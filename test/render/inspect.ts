// Small readers of rendered files, for assertions.
import assert from 'node:assert/strict';

/** The addresses inside named's `listen-on port 53 { ... }`. */
export function listenOn(options: string): string[] {
	const match = /listen-on port 53 \{([^}]*)\}/.exec(options);
	assert.ok(match, 'no listen-on statement');
	return match[1]!.split(';').map(item => item.trim()).filter(Boolean);
}

/** Every `option routers` of a dhcpd.conf. */
export function routers(conf: string): string[] {
	return [...conf.matchAll(/option routers ([^;]+);/g)].map(match => match[1]!.trim());
}
