/** Falco rule priorities. */

/** Rule priority, most severe first, spelled as Falco prints them. */
export type Priority =
  | 'Emergency'
  | 'Alert'
  | 'Critical'
  | 'Error'
  | 'Warning'
  | 'Notice'
  | 'Informational'
  | 'Debug';

/** All priorities, most severe first. */
export const PRIORITIES: readonly Priority[] = [
  'Emergency',
  'Alert',
  'Critical',
  'Error',
  'Warning',
  'Notice',
  'Informational',
  'Debug',
];

/** Parses a priority case-insensitively (`INFO` and `info` are `Informational`); undefined if invalid. */
export function parsePriority(text: string): Priority | undefined {
  const t = text.toLowerCase();
  if (t === 'info') return 'Informational';
  return PRIORITIES.find((p) => p.toLowerCase() === t);
}
