/** Parsers of metadata events: container descriptions, user/group changes, CPU-time events. */

import { P } from '../params.js';
import { bareContainer, parseContainerJson } from '../state/container.js';
import { cpuUsage } from '../state/cpu-time.js';
import { type EventParser, toNum } from './types.js';

/** `container` events (JSON versions, and the old `id, type, name, image` one). */
export const parseContainer: EventParser = (ctx, env) => {
  const json = ctx.str(P.json);
  if (json !== undefined) {
    const info = parseContainerJson(json);
    if (info) env.containers.add(info);
    return;
  }
  const id = ctx.str(P.id);
  if (!id) return;
  const info = bareContainer(id.slice(0, 12), id);
  info.name = ctx.str(P.name) ?? '';
  info.image = ctx.str(P.image) ?? '';
  info.fromEvent = true;
  env.containers.add(info);
};

/** `useradded` / `userdeleted`. */
export const parseUserEvent: EventParser = (ctx, env) => {
  const uid = toNum(ctx.param(P.uid));
  if (uid === undefined) return;
  const container = ctx.str(P.container_id) ?? '';
  if (ctx.ev.name === 'userdeleted') {
    env.users.removeUser(uid, container);
    return;
  }
  env.users.addUser(
    {
      uid,
      gid: toNum(ctx.param(P.gid)) ?? 0,
      name: ctx.str(P.name) ?? '',
      homedir: ctx.str(P.home) ?? '',
      shell: ctx.str(P.shell) ?? '',
    },
    container,
  );
};

/** `groupadded` / `groupdeleted`. */
export const parseGroupEvent: EventParser = (ctx, env) => {
  const gid = toNum(ctx.param(P.gid));
  if (gid === undefined) return;
  const container = ctx.str(P.container_id) ?? '';
  if (ctx.ev.name === 'groupdeleted') env.users.removeGroup(gid, container);
  else env.users.addGroup({ gid, name: ctx.str(P.name) ?? '' }, container);
};

/** `procinfo`: the thread's cumulative CPU ticks, turned into its usage since its previous `procinfo`. */
export const parseProcinfo: EventParser = (ctx) => {
  const t = ctx.thread;
  const user = toNum(ctx.ev.param(0));
  const system = toNum(ctx.ev.param(1));
  if (!t || user === undefined || system === undefined) return;
  const now = { user, system };
  ctx.cpuUsage = cpuUsage(t.cpuTicks, now);
  ctx.exectime = undefined;
  ctx.cpuNum = ctx.num;
  t.cpuTicks = now;
};

/** `switch`: the CPU time of the thread switched out (the event's thread) since the CPU's previous switch. */
export const parseSwitch: EventParser = (ctx, env) => {
  const exectime = env.switches.exectime(ctx.ev.cpu, ctx.ts);
  ctx.exectime = exectime;
  ctx.cpuUsage = undefined;
  ctx.cpuNum = ctx.num;
  if (ctx.thread) ctx.thread.totExectime += exectime;
};
