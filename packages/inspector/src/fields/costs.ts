/**
 * Extraction costs of the fields computed per event (`FieldDef.cost`, which orders checks inside an `and`);
 * every other field reads a value the event or the state already holds, cost 1.
 */

/** Exact field names and their costs. */
const BY_NAME: Record<string, number> = {
  'evt.arg': 3,
  'evt.args': 5,
  'evt.info': 5,
  'evt.rawarg': 2,
  'evt.res': 2,
  'evt.buffer': 2,
  'evt.outputtime': 3,
  'fd.directory': 2,
  'fd.filename': 2,
  'fd.containername': 2,
  'fd.containerdirectory': 2,
  'proc.args': 2,
  'proc.cmdline': 2,
  'proc.env': 3,
  'proc.pname': 2,
  'proc.pexe': 2,
  'proc.pexepath': 2,
  'proc.pcmdline': 3,
  'proc.duration': 2,
  'proc.ppid.duration': 2,
  'proc.loginshellid': 3,
  'thread.cgroup': 2,
  'user.name': 2,
  'user.homedir': 2,
  'user.shell': 2,
  'user.loginname': 2,
  'group.name': 2,
};

/** Field name prefixes and their costs (the first that matches). */
const BY_PREFIX: [string, number][] = [
  ['evt.time', 3],
  ['evt.datetime', 3],
  ['evt.reltime', 2],
  ['evt.deltatime', 2],
  ['evt.latency', 2],
  ['proc.a', 4],
  ['proc.std', 2],
  ['thread.cpu', 2],
  ['fdlist.', 3],
  ['fs.path.', 2],
  ['container.', 2],
  ['k8s.', 2],
];

/** Address fields: addresses as bytes, and their host names. */
const ADDRESS_FIELD = /^fd\.([clrs]?(ip|net)|[clrs]ip\.name)$/;

/** The cost of field `name`, `undefined` for the default (1). */
export function fieldCost(name: string): number | undefined {
  const exact = BY_NAME[name];
  if (exact !== undefined) return exact;
  if (ADDRESS_FIELD.test(name)) return 2;
  for (const [prefix, cost] of BY_PREFIX) if (name.startsWith(prefix)) return cost;
  return undefined;
}
