// Edits of the saved recipe text that keep everything else as the operator
// wrote it (comments, order, quoting): through the yaml library's Document
// API, never by re-serialising parsed data. Pure: text in, text out; the
// caller validates the result with the recipe loader before saving it.
import {isMap, isScalar, isSeq, parseDocument, YAMLSeq} from 'yaml';

/**
 * The recipe text with `instance` (a recipe instance's fields, e.g.
 * {name, disk_template, disk_size, memory, vcpus, install}) appended to
 * `instances:`; the list is made when the recipe has none. An empty flow
 * list (`instances: []`) becomes a block list, as the others are written.
 */
export function addInstanceText(text: string, instance: Record<string, unknown>): string {
	const document = parseDocument(text);
	const node = document.createNode(instance);
	const instances = document.get('instances', true);
	if (isSeq(instances)) {
		if (instances.flow && instances.items.length === 0) instances.flow = false;
		instances.items.push(node);
	} else {
		const list = new YAMLSeq();
		list.items.push(node);
		document.set('instances', list);
	}
	return document.toString({flowCollectionPadding: false});
}

/**
 * The recipe text without the instance named `name` (its entry, and the
 * comment lines written above it). Throws when there is no such instance.
 */
export function removeInstanceText(text: string, name: string): string {
	const document = parseDocument(text);
	const instances = document.get('instances', true);
	const index = isSeq(instances)
		? instances.items.findIndex(item => {
				const field = isMap(item) ? item.get('name', true) : undefined;
				return isScalar(field) && field.value === name;
			})
		: -1;
	if (!isSeq(instances) || index < 0) throw new Error(`the recipe has no instance named ${name}`);
	instances.items.splice(index, 1);
	if (instances.items.length === 0) instances.flow = true;
	return document.toString({flowCollectionPadding: false});
}
