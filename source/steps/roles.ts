// Which node a plan is for: Ganeti's commands (init, gnt-node add, gnt-instance)
// run on the master only; every node prepares itself alike.
import type {Inventory} from '../inventory/inventory.js';

/** Whether the inventory is built for the site's master (where Ganeti's commands run). */
export function onMaster(inventory: Inventory): boolean {
	return inventory.node.hostname === inventory.master.name;
}
