/** `user.*` and `group.*` fields. */
import type { EventContext } from '../context.js';
import { type FieldSpec, field } from './spec.js';

function user(c: EventContext) {
  const t = c.thread;
  return t ? c.tables.users.user(t.uid, t.containerId) : undefined;
}

/** The `user.*` and `group.*` field classes. */
export function userFields(): FieldSpec[] {
  return [
    field('user.uid', 'UINT32', 'effective user id', (c) => c.thread?.uid),
    field('user.name', 'CHARBUF', 'user name', (c) => {
      const t = c.thread;
      if (!t) return undefined;
      const u = user(c);
      return u ? u.name : t.uid === 0 ? 'root' : undefined;
    }),
    field('user.homedir', 'CHARBUF', 'home directory', (c) => user(c)?.homedir),
    field('user.shell', 'CHARBUF', 'login shell', (c) => user(c)?.shell),
    field('user.loginuid', 'INT64', 'audit login uid (-1: none)', (c) => c.thread?.loginuid),
    field('user.loginname', 'CHARBUF', 'name of the login user', (c) => {
      const t = c.thread;
      if (!t) return undefined;
      if (t.loginuid < 0) return undefined;
      return c.tables.users.user(t.loginuid, t.containerId)?.name ?? (t.loginuid === 0 ? 'root' : undefined);
    }),
    field('group.gid', 'UINT32', 'effective group id', (c) => c.thread?.gid),
    field('group.name', 'CHARBUF', 'group name', (c) => {
      const t = c.thread;
      if (!t) return undefined;
      const g = c.tables.users.group(t.gid, t.containerId);
      return g ? g.name : t.gid === 0 ? 'root' : undefined;
    }),
  ];
}
