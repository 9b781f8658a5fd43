/** Parsers of metadata events: container descriptions and user/group changes. */
import { bareContainer, parseContainerJson } from '../state/container.js';
import { type EventParser, toNum } from './types.js';

/** `container` events (JSON versions, and the old `id, type, name, image` one). */
export const parseContainer: EventParser = (ctx, env) => {
  const json = ctx.str('json');
  if (json !== undefined) {
    const info = parseContainerJson(json);
    if (info) env.containers.add(info);
    return;
  }
  const id = ctx.str('id');
  if (!id) return;
  const info = bareContainer(id.slice(0, 12), id);
  info.name = ctx.str('name') ?? '';
  info.image = ctx.str('image') ?? '';
  info.fromEvent = true;
  env.containers.add(info);
};

/** `useradded` / `userdeleted`. */
export const parseUserEvent: EventParser = (ctx, env) => {
  const uid = toNum(ctx.param('uid'));
  if (uid === undefined) return;
  const container = ctx.str('container_id') ?? '';
  if (ctx.ev.name === 'userdeleted') {
    env.users.removeUser(uid, container);
    return;
  }
  env.users.addUser(
    {
      uid,
      gid: toNum(ctx.param('gid')) ?? 0,
      name: ctx.str('name') ?? '',
      homedir: ctx.str('home') ?? '',
      shell: ctx.str('shell') ?? '',
    },
    container,
  );
};

/** `groupadded` / `groupdeleted`. */
export const parseGroupEvent: EventParser = (ctx, env) => {
  const gid = toNum(ctx.param('gid'));
  if (gid === undefined) return;
  const container = ctx.str('container_id') ?? '';
  if (ctx.ev.name === 'groupdeleted') env.users.removeGroup(gid, container);
  else env.users.addGroup({ gid, name: ctx.str('name') ?? '' }, container);
};
