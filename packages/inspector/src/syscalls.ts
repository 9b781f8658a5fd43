/**
 * Names of generic system-call events. The drivers have dedicated events for the syscalls Falco parses;
 * every other syscall is a generic event (`GENERIC_E`/`GENERIC_X`, scap types 0 and 1, named `syscall`) whose
 * `nativeID` parameter is the architecture's syscall number. libsinsp shows such events under the syscall's
 * own name (`evt.type = msync`); this module provides the x86_64 numbers for that.
 */
import { eventTypesByName, type ScapEvent } from '@sysray/pcapng/scap';
import { X86_64_SYSCALL_TABLE } from './data/syscalls-x86_64.js';

const NAMES: string[] = [];
const NUMBERS = new Map<string, number>();
for (const line of X86_64_SYSCALL_TABLE.split('\n')) {
  const tab = line.indexOf('\t');
  const nr = Number(line.slice(0, tab));
  const name = line.slice(tab + 1);
  NAMES[nr] = name;
  NUMBERS.set(name, nr);
}

/** The name of x86_64 system call number `nr` (`26` → `msync`), or undefined. */
export function syscallName(nr: number): string | undefined {
  return NAMES[nr];
}

/** The x86_64 number of a system call name (`msync` → `26`), or undefined. */
export function syscallNumber(name: string): number | undefined {
  return NUMBERS.get(name);
}

/** Scap type ids of the generic events: `GENERIC_E` (0) and `GENERIC_X` (1). */
export const GENERIC_TYPES: readonly number[] = [0, 1];

/** True for the generic syscall events. */
export function isGeneric(type: number): boolean {
  return type === 0 || type === 1;
}

/** The syscall name of a generic event (from its `nativeID`), or undefined when the number is unknown. */
export function genericName(ev: ScapEvent): string | undefined {
  const nr = ev.param(1);
  return typeof nr === 'number' ? syscallName(nr) : undefined;
}

/**
 * Event types a name stands for in `evt.type` conditions: its dedicated events, or — for a syscall the
 * drivers only report as generic events — the generic event types.
 */
export function eventTypesOfName(name: string): readonly number[] | undefined {
  const list = eventTypesByName(name);
  if (list.length > 0) return list;
  return NUMBERS.has(name) ? GENERIC_TYPES : undefined;
}
