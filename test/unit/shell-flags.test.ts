// The lab shell's flag parser reads command lines as pflag does and fails with pflag's texts.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FlagError, findCommandWord, flagUsages, flagValue, parseFlags, type FlagSpec } from '../../sandbox/shell/kube/flags.ts';

const SPECS: FlagSpec[] = [
  { name: 'namespace', short: 'n', type: 'string', usage: 'ns' },
  { name: 'force', type: 'bool', usage: 'force' },
  { name: 'quiet', short: 'q', type: 'bool', usage: 'q' },
  { name: 'all', short: 'A', type: 'bool', usage: 'all' },
  { name: 'port', type: 'int32', usage: 'port' },
  { name: 'grace-period', type: 'int64', default: -1, usage: 'grace' },
  { name: 'dry-run', type: 'string', default: 'none', noOptDefVal: 'unchanged', usage: 'dry' },
  { name: 'sel', type: 'stringToString', usage: 'sel' },
];

describe('parseFlags', () => {
  it('takes flags anywhere, in every spelling', () => {
    const p = parseFlags(['start', '-n', 'lab', 'vm1', '--port=80', '--force', '-qA', '-nother', '--', '--not-a-flag'], SPECS);
    assert.deepEqual(p.args, ['start', 'vm1', '--not-a-flag']);
    assert.equal(p.values.get('namespace'), 'other');
    assert.equal(p.values.get('port'), 80);
    assert.equal(p.values.get('force'), true);
    assert.equal(p.values.get('quiet'), true);
    assert.equal(p.values.get('all'), true);
  });

  it('gives defaults, NoOptDefVal and key=value maps', () => {
    const p = parseFlags(['--dry-run', '--sel', 'a=b,c=d', '--force=false'], SPECS);
    assert.equal(p.values.get('dry-run'), 'unchanged');
    assert.deepEqual(p.values.get('sel'), { a: 'b', c: 'd' });
    assert.equal(p.values.get('force'), false);
    assert.equal(flagValue(p, SPECS[5]), -1);
  });

  it('fails with pflag\'s messages', () => {
    assert.throws(() => parseFlags(['--bogus'], SPECS), new FlagError('unknown flag: --bogus'));
    assert.throws(() => parseFlags(['-x'], SPECS), new FlagError("unknown shorthand flag: 'x' in -x"));
    assert.throws(() => parseFlags(['--port'], SPECS), new FlagError('flag needs an argument: --port'));
    assert.throws(() => parseFlags(['-n'], SPECS), new FlagError("flag needs an argument: 'n' in -n"));
    assert.throws(() => parseFlags(['--port=http'], SPECS), new FlagError('invalid argument "http" for "--port" flag: strconv.ParseInt: parsing "http": invalid syntax'));
    assert.throws(() => parseFlags(['--port=99999999999'], SPECS), new FlagError('invalid argument "99999999999" for "--port" flag: strconv.ParseInt: parsing "99999999999": value out of range'));
    assert.throws(() => parseFlags(['--force=maybe'], SPECS), new FlagError('invalid argument "maybe" for "--force" flag: strconv.ParseBool: parsing "maybe": invalid syntax'));
  });

  it('finds the subcommand past global flags that take values', () => {
    assert.equal(findCommandWord(['-n', 'lab', '--context=x', 'start', 'vm'], SPECS), 3);
    assert.equal(findCommandWord(['--force', 'expose'], SPECS), 1);
    assert.equal(findCommandWord(['-n', 'lab'], SPECS), -1);
  });

  it('lays out help like pflag\'s FlagUsages', () => {
    assert.equal(flagUsages([SPECS[1], SPECS[5], SPECS[0]]), [
      '      --force              force',
      '      --grace-period int   grace (default -1)',
      '  -n, --namespace string   ns',
    ].join('\n'));
  });
});
