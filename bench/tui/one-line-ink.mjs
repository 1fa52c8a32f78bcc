// Baseline for the first-frame benchmark: an Ink app that renders one line,
// run unbundled (Node resolves ink, react and their dependencies file by file).
import {createElement} from 'react';
import {render, Text} from 'ink';

const {unmount} = render(createElement(Text, null, 'first frame'));
setTimeout(() => unmount(), 300);
