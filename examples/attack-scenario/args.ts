/** Command-line helpers shared by the scenario's scripts (`run.ts`, `record.ts`). */

/** The number an option's text holds; anything else is a usage error (`usage` prints it and exits). */
export function numberOption(name: string, text: string, usage: (message: string) => never): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n)) usage(`--${name}: not a number: '${text}'`);
  return n;
}
