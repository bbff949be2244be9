// Process entry of virtctl (what bin/virtctl runs and a bundler starts from).

import { runMain } from '../io.ts';
import { main } from '../virtctl/main.ts';

runMain(main);
