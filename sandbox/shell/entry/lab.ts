// Process entry of the lab shell's `lab` (bundled into the shell tools as bin/lab).

import { runMain } from '../io.ts';
import { main } from '../lab-client/main.ts';

runMain(main);
