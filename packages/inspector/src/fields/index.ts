/** The syscall `FieldSet` (libsinsp's fields) and the container plugin's field set, over event contexts. */
import { type EventTypeInfo, type FieldDef, type FieldSet, RuleError } from '@sysray/falco-rules';
import { EVENT_COUNT, EVENT_NAMES } from '@sysray/pcapng/scap';
import type { EventContext } from '../context.js';
import { eventTypesOfName, isGeneric } from '../syscalls.js';
import { containerFields } from './container.js';
import { fieldCost } from './costs.js';
import { evtFields } from './evt.js';
import { fdFields } from './fd.js';
import { fsFields } from './fs.js';
import { procFields, threadFields } from './proc.js';
import type { CtxExtractor, FieldSpec } from './spec.js';
import { userFields } from './user.js';

/**
 * The event-type index over scap event type ids (enter and exit types of a name share the name; a syscall
 * with no dedicated event, like `msync`, stands for the generic event types). Every other id has a static
 * name, so rules are specialised per event type.
 */
export const SYSCALL_EVENT_TYPES: EventTypeInfo<EventContext> = {
  count: EVENT_COUNT + 1,
  codes: eventTypesOfName,
  of: (c) => c.type,
  // Generic events take their syscall's name at run time: no static name.
  name: (code) => (isGeneric(code) || code >= EVENT_COUNT ? undefined : EVENT_NAMES[code]),
};

function makeSet(
  source: string,
  specs: FieldSpec[],
  eventTypes?: EventTypeInfo<EventContext>,
): FieldSet<EventContext> {
  const byName = new Map<string, FieldSpec>();
  const defs = new Map<string, FieldDef>();
  for (const s of specs) {
    const { get: _g, withArg: _w, ...def } = s;
    const cost = def.cost ?? fieldCost(s.name);
    byName.set(s.name, s);
    defs.set(s.name, cost === undefined ? def : { ...def, cost });
  }
  const set: FieldSet<EventContext> = {
    source,
    field: (name) => defs.get(name),
    fields: () => defs.values(),
    extractor(def, arg): CtxExtractor {
      const spec = byName.get(def.name);
      if (!spec) throw new RuleError('LOAD_ERR_COMPILE_CONDITION', `unknown field '${def.name}'`);
      if (spec.withArg) return spec.withArg(arg);
      if (arg !== undefined)
        throw new RuleError('LOAD_ERR_COMPILE_CONDITION', `field '${def.name}' does not take an argument`);
      return spec.get ?? (() => undefined);
    },
  };
  if (eventTypes) (set as { eventTypes?: EventTypeInfo<EventContext> }).eventTypes = eventTypes;
  return set;
}

/** Every syscall field spec (`evt proc thread fd fdlist user group fs.path`), in class order. */
export function syscallFieldSpecs(): FieldSpec[] {
  return [...evtFields(), ...procFields(), ...threadFields(), ...fdFields(), ...userFields(), ...fsFields()];
}

/**
 * libsinsp's syscall fields (`evt.*`, `proc.*`, `thread.*`, `fd.*`, `fdlist.*`, `user.*`, `group.*`,
 * `fs.path.*`) as a `FieldSet` for `@sysray/falco-rules`, with the event-type index over scap event types.
 * Events are the inspector's {@link EventContext}.
 */
export function createSyscallFieldSet(): FieldSet<EventContext> {
  return makeSet('syscall', syscallFieldSpecs(), SYSCALL_EVENT_TYPES);
}

/**
 * The container plugin's fields (`container.*`, `k8s.*`, `proc.is_container_*`) for the `syscall` source.
 * Load rules with it and report it as plugin `container` (see `CONTAINER_PLUGIN`) so that rules files
 * with `required_plugin_versions: [{name: container, …}]` load.
 */
export function createContainerFieldSet(): FieldSet<EventContext> {
  return makeSet('syscall', containerFields());
}
