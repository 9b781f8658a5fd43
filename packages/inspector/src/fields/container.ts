/**
 * `container.*`, `k8s.*` and the container plugin's `proc.is_container_*` fields. Falco serves these from
 * its `container` plugin; here they come from the inspector's container table (cgroups + container
 * events), in a field set of their own that stands in for that plugin.
 */
import { compileGlob, type FieldValue } from '@sysray/falco-rules';
import type { EventContext } from '../context.js';
import type { ContainerInfo, ContainerMount } from '../state/container.js';
import { argField, type FieldSpec, field } from './spec.js';

/** Name and version the container field set reports itself as (for `required_plugin_versions`). */
export const CONTAINER_PLUGIN = { name: 'container', version: '0.4.0' } as const;

function info(c: EventContext): ContainerInfo | undefined {
  const id = c.thread?.containerId;
  return id ? c.tables.containers.get(id) : undefined;
}

/** A value of the container; `host` values for host processes as the plugin gives them. */
function ct(
  get: (ci: ContainerInfo) => FieldValue | undefined,
  host?: FieldValue,
): (c: EventContext) => FieldValue | undefined {
  return (c) => {
    const t = c.thread;
    if (!t) return undefined;
    if (t.containerId === '') return host;
    const ci = info(c);
    return ci ? get(ci) : undefined;
  };
}

const s = (v: string) => (v === '' ? undefined : v);

function label(ci: ContainerInfo, key: string): string | undefined {
  return ci.labels[key];
}

function labelsText(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}:${v}`)
    .join(', ');
}

function mountText(m: ContainerMount): string {
  return `${m.source}:${m.dest}:${m.mode}:${m.rdwr ? 'true' : 'false'}:${m.propagation}`;
}

/** Finds a mount by index or by a glob over the other side's path (`container.mount.dest[/var/run/*]`). */
function findMount(ci: ContainerInfo, arg: string, by: 'source' | 'dest'): ContainerMount | undefined {
  if (/^\d+$/.test(arg)) return ci.mounts[Number(arg)];
  const m = compileGlob(arg, false);
  return ci.mounts.find((x) => m(by === 'source' ? x.source : x.dest));
}

function mountField(
  name: string,
  desc: string,
  get: (m: ContainerMount) => string,
  by: 'source' | 'dest',
): FieldSpec {
  return argField(
    name,
    'CHARBUF',
    desc,
    'required',
    (arg) =>
      ct((ci) => {
        const m = findMount(ci, arg ?? '', by);
        return m ? get(m) : undefined;
      }),
    { argKind: 'any' },
  );
}

const K8S_LABEL = {
  podName: 'io.kubernetes.pod.name',
  podNs: 'io.kubernetes.pod.namespace',
  podUid: 'io.kubernetes.pod.uid',
  sandbox: 'io.kubernetes.sandbox.id',
};

/** The container plugin's field class. */
export function containerFields(): FieldSpec[] {
  const fields: FieldSpec[] = [
    field('container.id', 'CHARBUF', "container id (12 characters), 'host' on the host", (c) =>
      c.thread ? c.thread.containerId || 'host' : undefined,
    ),
    field(
      'container.full_id',
      'CHARBUF',
      'full container id',
      ct((ci) => s(ci.fullId), 'host'),
    ),
    field(
      'container.name',
      'CHARBUF',
      "container name, 'host' on the host",
      ct((ci) => s(ci.name), 'host'),
    ),
    field(
      'container.type',
      'CHARBUF',
      'container runtime',
      ct((ci) => s(ci.type), 'host'),
    ),
    field(
      'container.image',
      'CHARBUF',
      'image name',
      ct((ci) => s(ci.image)),
    ),
    field(
      'container.image.id',
      'CHARBUF',
      'image id',
      ct((ci) => s(ci.imageId)),
    ),
    field(
      'container.image.repository',
      'CHARBUF',
      'image repository',
      ct((ci) => s(ci.imageRepo)),
    ),
    field(
      'container.image.tag',
      'CHARBUF',
      'image tag',
      ct((ci) => s(ci.imageTag)),
    ),
    field(
      'container.image.digest',
      'CHARBUF',
      'image digest',
      ct((ci) => s(ci.imageDigest)),
    ),
    field(
      'container.privileged',
      'BOOL',
      'the container is privileged',
      ct((ci) => ci.privileged),
    ),
    field(
      'container.ip',
      'CHARBUF',
      'container IP',
      ct((ci) => s(ci.ip)),
    ),
    field('container.cni.json', 'CHARBUF', 'CNI result', () => undefined),
    field(
      'container.host_network',
      'BOOL',
      'uses the host network',
      ct((ci) => ci.hostNetwork),
    ),
    field(
      'container.host_pid',
      'BOOL',
      'uses the host pid namespace',
      ct((ci) => ci.hostPid),
    ),
    field(
      'container.host_ipc',
      'BOOL',
      'uses the host IPC namespace',
      ct((ci) => ci.hostIpc),
    ),
    field(
      'container.mounts',
      'CHARBUF',
      'mounts (source:dest:mode:rdwr:propagation, …)',
      ct((ci) => ci.mounts.map(mountText).join(',')),
    ),
    argField('container.mount', 'CHARBUF', 'one mount, by index or source', 'required', (arg) =>
      ct((ci) => {
        const m = findMount(ci, arg ?? '', 'source');
        return m ? mountText(m) : undefined;
      }),
    ),
    mountField('container.mount.source', 'mount source, by index or dest', (m) => m.source, 'dest'),
    mountField('container.mount.dest', 'mount dest, by index or source', (m) => m.dest, 'source'),
    mountField('container.mount.mode', 'mount mode, by index or source', (m) => m.mode, 'source'),
    mountField('container.mount.rdwr', 'mount rdwr, by index or source', (m) => String(m.rdwr), 'source'),
    mountField(
      'container.mount.propagation',
      'mount propagation, by index or source',
      (m) => m.propagation,
      'source',
    ),
    argField('container.label', 'CHARBUF', 'a container label', 'required', (arg) =>
      ct((ci) => label(ci, arg ?? '')),
    ),
    field(
      'container.labels',
      'CHARBUF',
      'container labels',
      ct((ci) => labelsText(ci.labels)),
    ),
    field(
      'container.start_ts',
      'ABSTIME',
      'container start time (ns)',
      ct((ci) => (ci.createdNs === 0n ? undefined : ci.createdNs)),
    ),
    field('container.duration', 'RELTIME', 'ns since the container started', (c) => {
      const ci = info(c);
      return ci && ci.createdNs !== 0n ? c.ts - ci.createdNs : undefined;
    }),
    field('container.healthcheck', 'CHARBUF', 'health check command', () => undefined),
    field('container.liveness_probe', 'CHARBUF', 'liveness probe command', () => undefined),
    field('container.readiness_probe', 'CHARBUF', 'readiness probe command', () => undefined),
    field('proc.is_container_healthcheck', 'BOOL', 'the process is a health check', (c) =>
      c.thread ? false : undefined,
    ),
    field('proc.is_container_liveness_probe', 'BOOL', 'the process is a liveness probe', (c) =>
      c.thread ? false : undefined,
    ),
    field('proc.is_container_readiness_probe', 'BOOL', 'the process is a readiness probe', (c) =>
      c.thread ? false : undefined,
    ),
    field(
      'k8s.pod.name',
      'CHARBUF',
      'pod name',
      ct((ci) => label(ci, K8S_LABEL.podName)),
    ),
    field(
      'k8s.ns.name',
      'CHARBUF',
      'namespace name',
      ct((ci) => label(ci, K8S_LABEL.podNs)),
    ),
    field(
      'k8s.pod.id',
      'CHARBUF',
      'pod uid',
      ct((ci) => label(ci, K8S_LABEL.podUid)),
    ),
    field(
      'k8s.pod.uid',
      'CHARBUF',
      'pod uid',
      ct((ci) => label(ci, K8S_LABEL.podUid)),
    ),
    field(
      'k8s.pod.sandbox_id',
      'CHARBUF',
      'pod sandbox id (12 characters)',
      ct((ci) => label(ci, K8S_LABEL.sandbox)?.slice(0, 12)),
    ),
    field(
      'k8s.pod.full_sandbox_id',
      'CHARBUF',
      'pod sandbox id',
      ct((ci) => label(ci, K8S_LABEL.sandbox)),
    ),
    argField('k8s.pod.label', 'CHARBUF', 'a pod label', 'required', (arg) =>
      ct((ci) => label(ci, arg ?? '')),
    ),
    field(
      'k8s.pod.labels',
      'CHARBUF',
      'pod labels',
      ct((ci) => labelsText(ci.labels)),
    ),
    field(
      'k8s.pod.ip',
      'CHARBUF',
      'pod IP',
      ct((ci) => s(ci.ip)),
    ),
    field('k8s.pod.cni.json', 'CHARBUF', 'pod CNI result', () => undefined),
  ];
  // k8s metadata the container runtime does not give (deployments, services, …): declared, never extracted.
  for (const kind of ['ns', 'rc', 'rs', 'svc', 'deployment']) {
    for (const suffix of ['id', 'name', 'labels']) {
      const name = `k8s.${kind}.${suffix}`;
      if (!fields.some((f) => f.name === name))
        fields.push(field(name, 'CHARBUF', `Kubernetes ${kind} ${suffix}`, () => undefined));
    }
    const lname = `k8s.${kind}.label`;
    if (!fields.some((f) => f.name === lname))
      fields.push(
        argField(lname, 'CHARBUF', `a Kubernetes ${kind} label`, 'required', () => () => undefined),
      );
  }
  return fields;
}
