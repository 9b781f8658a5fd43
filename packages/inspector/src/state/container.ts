/** Container ids from cgroups and container metadata from container events. */

/** Runtime that a cgroup path names. */
export type ContainerRuntime = 'docker' | 'containerd' | 'cri-o' | 'podman' | 'libpod' | 'lxc' | 'host';

/** What {@link containerIdFromCgroups} found. */
export interface CgroupContainer {
  /** 12-character short id. */
  id: string;
  /** The 64-character id. */
  fullId: string;
  /** Container runtime guessed from the cgroup path. */
  runtime: ContainerRuntime;
}

const HEX64 = /([0-9a-f]{64})/;
const PATTERNS: [RegExp, ContainerRuntime][] = [
  [/\/docker[-/]([0-9a-f]{64})(?:\.scope)?(?:\/|$)/, 'docker'],
  [/cri-containerd[-:]([0-9a-f]{64})(?:\.scope)?(?:\/|$)/, 'containerd'],
  [/crio-(?:conmon-)?([0-9a-f]{64})(?:\.scope)?(?:\/|$)/, 'cri-o'],
  [/libpod-(?:conmon-)?([0-9a-f]{64})(?:\.scope)?(?:\/|$)/, 'podman'],
  [/\/kubepods[^ ]*\/([0-9a-f]{64})(?:\/|$)/, 'containerd'],
  [/\/ecs\/[^/]+\/([0-9a-f]{64})(?:\/|$)/, 'docker'],
];

/**
 * The container a process runs in, from its cgroups (`subsys=path` strings or bare paths), recognising
 * docker (`/docker/<id>`, `docker-<id>.scope`), containerd/CRI (`cri-containerd-<id>.scope`,
 * `/kubepods/…/<id>`), cri-o (`crio-<id>.scope`) and podman (`libpod-<id>.scope`) layouts. `undefined`
 * for host processes.
 */
export function containerIdFromCgroups(cgroups: readonly string[]): CgroupContainer | undefined {
  for (const entry of cgroups) {
    const eq = entry.indexOf('=');
    const path = eq >= 0 ? entry.slice(eq + 1) : entry;
    if (!HEX64.test(path)) continue;
    for (const [re, runtime] of PATTERNS) {
      const m = re.exec(path);
      if (m) return { id: m[1]!.slice(0, 12), fullId: m[1]!, runtime };
    }
  }
  return undefined;
}

/** One mount of a container. */
export interface ContainerMount {
  source: string;
  dest: string;
  mode: string;
  rdwr: boolean;
  propagation: string;
}

/** Container metadata, from container events (`container` JSON events) or the cgroups alone. */
export interface ContainerInfo {
  /** 12-character id (`host` for the host). */
  id: string;
  /** Full id when known. */
  fullId: string;
  /** Runtime (`docker`, `cri-o`, …). */
  type: string;
  name: string;
  image: string;
  imageId: string;
  imageRepo: string;
  imageTag: string;
  imageDigest: string;
  privileged: boolean | undefined;
  mounts: ContainerMount[];
  labels: Record<string, string>;
  ip: string;
  hostNetwork: boolean | undefined;
  hostPid: boolean | undefined;
  hostIpc: boolean | undefined;
  /** Creation time, ns since the epoch; 0 when unknown. */
  createdNs: bigint;
  /** Whether the metadata came from a container event (not just cgroups). */
  fromEvent: boolean;
}

/** A container with only an id and a runtime known. */
export function bareContainer(id: string, fullId = id, type = ''): ContainerInfo {
  return {
    id,
    fullId,
    type,
    name: '',
    image: '',
    imageId: '',
    imageRepo: '',
    imageTag: '',
    imageDigest: '',
    privileged: undefined,
    mounts: [],
    labels: {},
    ip: '',
    hostNetwork: undefined,
    hostPid: undefined,
    hostIpc: undefined,
    createdNs: 0n,
    fromEvent: false,
  };
}

/** libsinsp's `sinsp_container_type` numbers, as the container events write them. */
const CONTAINER_TYPES: Record<number, string> = {
  0: 'docker',
  1: 'lxc',
  2: 'libvirt-lxc',
  3: 'mesos',
  4: 'rkt',
  5: 'static',
  6: 'cri-o',
  7: 'containerd',
  8: 'cri',
  9: 'bpm',
  10: 'podman',
};

function str(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}

function bool(v: unknown): boolean | undefined {
  return typeof v === 'boolean' ? v : undefined;
}

/**
 * Parses the JSON of a container event (`{"container": {...}}`, as libsinsp writes it into captures).
 * Returns `undefined` for text that is not such an object.
 */
export function parseContainerJson(json: string): ContainerInfo | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch {
    return undefined;
  }
  const c = (doc as { container?: Record<string, unknown> } | null)?.container;
  if (!c || typeof c !== 'object') return undefined;
  const id = str(c.id);
  if (!id) return undefined;
  const info = bareContainer(id.slice(0, 12), str(c.full_id) || id);
  info.type = typeof c.type === 'number' ? (CONTAINER_TYPES[c.type] ?? String(c.type)) : str(c.type);
  info.name = str(c.name);
  info.image = str(c.image);
  info.imageId = str(c.imageid);
  info.imageRepo = str(c.imagerepo);
  info.imageTag = str(c.imagetag);
  info.imageDigest = str(c.imagedigest);
  info.privileged = bool(c.privileged);
  info.ip = str(c.ip);
  info.hostNetwork = bool(c.host_network);
  info.hostPid = bool(c.host_pid);
  info.hostIpc = bool(c.host_ipc);
  const created = c.created_time;
  if (typeof created === 'number' && created > 0)
    info.createdNs = BigInt(Math.trunc(created)) * 1_000_000_000n;
  if (c.labels && typeof c.labels === 'object') {
    for (const [k, v] of Object.entries(c.labels as Record<string, unknown>)) info.labels[k] = str(v);
  }
  if (Array.isArray(c.Mounts) || Array.isArray(c.mounts)) {
    const list = (c.Mounts ?? c.mounts) as Record<string, unknown>[];
    for (const m of list) {
      if (!m || typeof m !== 'object') continue;
      info.mounts.push({
        source: str(m.Source ?? m.source),
        dest: str(m.Destination ?? m.dest),
        mode: str(m.Mode ?? m.mode),
        rdwr: (m.RW ?? m.rdwr) === true,
        propagation: str(m.Propagation ?? m.propagation),
      });
    }
  }
  info.fromEvent = true;
  return info;
}

/** Containers by short id. */
export class ContainerTable {
  /** Containers by 12-character id. */
  readonly containers = new Map<string, ContainerInfo>();

  /** The container `id`, if known. */
  get(id: string): ContainerInfo | undefined {
    return this.containers.get(id);
  }

  /** Records container metadata; metadata from events wins over cgroup-only entries. */
  add(info: ContainerInfo): void {
    const prev = this.containers.get(info.id);
    if (prev?.fromEvent && !info.fromEvent) return;
    this.containers.set(info.id, info);
  }
}
