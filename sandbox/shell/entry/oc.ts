// Process entry of oc (what bin/oc runs and a bundler starts from).

import { runMain } from '../io.ts';
import { main } from '../oc/main.ts';

runMain(main);
