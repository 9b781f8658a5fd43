/** The state tables an inspector keeps. */
import type { ContainerTable } from './state/container.js';
import type { ThreadTable } from './state/thread-table.js';
import type { UserTable } from './state/users.js';

/** Thread, container and user tables, plus the machine's host name. */
export interface InspectorTables {
  /** Threads by tid. */
  readonly threads: ThreadTable;
  /** Containers by id. */
  readonly containers: ContainerTable;
  /** Users and groups. */
  readonly users: UserTable;
  /** Host name from the capture's machine info (`evt.hostname`). */
  hostname: string;
}
