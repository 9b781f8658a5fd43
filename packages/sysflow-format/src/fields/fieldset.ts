/**
 * The `sf.*` field set: the attributes of the SysFlow policy engine (sf-processor) for
 * `@sysray/falco-rules`, extracted from a resolved record (the record with its process, parent,
 * container, pod and files).
 */
import {
  type EventTypeInfo,
  type Extractor,
  type FieldDef,
  type FieldSet,
  type FieldType,
  type FieldValue,
  RuleError,
} from '@sysray/falco-rules';
import { toHex } from '../json.js';
import { formatIPv4, SYSFLOW_TYPE_TAGS } from '../print.js';
import type { ResolvedSysFlowRecord, SysFlowEntityTables } from '../resolve.js';
import { SYSFLOW_TYPES } from '../schema.js';
import type { Container, File, Pod, Process, SysFlowRecord } from '../types.js';
import {
  baseName,
  containerTypeName,
  dirName,
  isOpenRead,
  isOpenWrite,
  openFlagNames,
  opFlagNames,
  protoName,
  splitSocketPath,
} from './values.js';

/**
 * What the `sf.*` extractors read: a record resolved by `resolveSysFlow` / `resolveRecords` /
 * `SysFlowEntityTables.resolve`, optionally with the entity tables, which the ancestor attributes
 * (`sf.proc.aname`, `sf.proc.apid`, …) walk by parent OID beyond the parent. Without tables the
 * ancestors are the process and its parent only.
 */
export interface SysFlowFieldEvent extends ResolvedSysFlowRecord {
  /** Entity tables to walk for ancestors (`resolveSysFlow`'s `tables`). */
  tables?: SysFlowEntityTables | undefined;
}

/** Event source of the field set by default. */
export const SYSFLOW_SOURCE = 'sysflow';

/** Options of {@link createSysFlowFieldSet}. */
export interface SysFlowFieldSetOptions {
  /** Event source the field set serves (default {@link SYSFLOW_SOURCE}). */
  source?: string;
  /**
   * How conditions treat multi-valued attributes (`sf.opflags`, `sf.proc.aname`, `sf.net.ip`, …):
   * `'any'` (default, the SysFlow policy engine's semantics) — every operator, `in` and `!=`
   * included, holds when it holds for any element; `'falco'` — the fields are flagged `isList` and
   * follow libsinsp: `in` needs every element in the set, `!=` needs no element equal.
   */
  listSemantics?: 'any' | 'falco';
  /** Tables for the ancestor walk when events carry none. */
  tables?: SysFlowEntityTables;
  /** Deepest ancestor walk (guards against OID cycles in corrupt input); default 64. */
  maxAncestors?: number;
}

type Get = (e: SysFlowFieldEvent) => FieldValue | undefined;
type GetIndexed = (e: SysFlowFieldEvent, index: number) => FieldValue | undefined;

interface Spec {
  name: string;
  type: FieldType;
  desc: string;
  list?: boolean;
  /** Takes an optional numeric index: `sf.proc.aname[2]`. */
  indexed?: GetIndexed;
  get: Get;
}

interface Ctx {
  tables: SysFlowEntityTables | undefined;
  maxAncestors: number;
}

// ---------- record accessors (no allocation) ----------

function tsOf(r: SysFlowRecord): bigint | undefined {
  switch (r.type) {
    case 'SFHeader':
    case 'Container':
      return undefined;
    default:
      return r.rec.ts;
  }
}

function endTsOf(r: SysFlowRecord): bigint | undefined {
  switch (r.type) {
    case 'FileFlow':
    case 'NetworkFlow':
    case 'ProcessFlow':
      return r.rec.endTs;
    case 'K8sEvent':
      return r.rec.ts;
    default:
      return undefined;
  }
}

function opFlagsOf(r: SysFlowRecord): number | undefined {
  switch (r.type) {
    case 'ProcessEvent':
    case 'NetworkFlow':
    case 'FileFlow':
    case 'FileEvent':
    case 'NetworkEvent':
    case 'ProcessFlow':
      return r.rec.opFlags;
    default:
      return undefined;
  }
}

function retOf(r: SysFlowRecord): number | undefined {
  return r.type === 'ProcessEvent' || r.type === 'FileEvent' || r.type === 'NetworkEvent'
    ? r.rec.ret
    : undefined;
}

function tidOf(r: SysFlowRecord): bigint | undefined {
  switch (r.type) {
    case 'ProcessEvent':
    case 'NetworkFlow':
    case 'FileFlow':
    case 'FileEvent':
    case 'NetworkEvent':
      return r.rec.tid;
    default:
      return undefined;
  }
}

type NetRec = { sip: number; sport: number; dip: number; dport: number; proto: number };
function netOf(r: SysFlowRecord): NetRec | undefined {
  return r.type === 'NetworkFlow' || r.type === 'NetworkEvent' ? r.rec : undefined;
}

type FlowRec = { numRRecvOps: bigint; numWSendOps: bigint; numRRecvBytes: bigint; numWSendBytes: bigint };
function flowOf(r: SysFlowRecord): FlowRec | undefined {
  return r.type === 'NetworkFlow' || r.type === 'FileFlow' ? r.rec : undefined;
}

function podOf(e: SysFlowFieldEvent): Pod | undefined {
  if (e.pod) return e.pod;
  return e.record.type === 'Pod' ? e.record.rec : undefined;
}

function cmdline(p: Process): string {
  return p.exeArgs.length > 0 ? `${p.exe} ${p.exeArgs}` : p.exe;
}

function oidString(createTS: bigint, hpid: bigint): string {
  return `${createTS}:${hpid}`;
}

function ipOfLong(v: bigint): string {
  return formatIPv4(Number(BigInt.asIntN(32, v)));
}

// ---------- ancestors ----------

/** The `index`-th process up the tree (0: the process itself, 1: its parent, …). */
function ancestorAt(e: SysFlowFieldEvent, ctx: Ctx, index: number): Process | undefined {
  let p = e.process;
  if (index === 0 || !p) return p;
  if (index === 1) return e.parent;
  const tables = e.tables ?? ctx.tables;
  if (!tables) return undefined;
  p = e.parent;
  for (let i = 1; i < index && p; i++) {
    if (i >= ctx.maxAncestors) return undefined;
    p = p.poid ? tables.process(p.poid) : undefined;
  }
  return p;
}

/** Maps every process from the event's up to the root (the process first). */
function mapAncestors<T>(e: SysFlowFieldEvent, ctx: Ctx, f: (p: Process) => T): T[] | undefined {
  const first = e.process;
  if (!first) return undefined;
  const out: T[] = [f(first)];
  let p = e.parent;
  if (!p) return out;
  out.push(f(p));
  const tables = e.tables ?? ctx.tables;
  if (!tables) return out;
  while (out.length < ctx.maxAncestors && p.poid) {
    p = tables.process(p.poid);
    if (!p) break;
    out.push(f(p));
  }
  return out;
}

// ---------- the attribute table ----------

function procSpecs(
  prefix: 'sf.proc' | 'sf.pproc',
  pick: (e: SysFlowFieldEvent) => Process | undefined,
): Spec[] {
  const who = prefix === 'sf.proc' ? 'process' : 'parent process';
  const s: Spec[] = [
    {
      name: `${prefix}.name`,
      type: 'CHARBUF',
      desc: `Name of the ${who}'s executable (base name of its path).`,
      get: (e) => {
        const p = pick(e);
        return p ? baseName(p.exe) : undefined;
      },
    },
    {
      name: `${prefix}.exe`,
      type: 'CHARBUF',
      desc: `Path of the ${who}'s executable.`,
      get: (e) => pick(e)?.exe,
    },
    {
      name: `${prefix}.args`,
      type: 'CHARBUF',
      desc: `Arguments of the ${who}, space-separated.`,
      get: (e) => pick(e)?.exeArgs,
    },
    {
      name: `${prefix}.cmdline`,
      type: 'CHARBUF',
      desc: `Executable and arguments of the ${who}.`,
      get: (e) => {
        const p = pick(e);
        return p ? cmdline(p) : undefined;
      },
    },
    { name: `${prefix}.uid`, type: 'INT32', desc: `User id of the ${who}.`, get: (e) => pick(e)?.uid },
    {
      name: `${prefix}.user`,
      type: 'CHARBUF',
      desc: `User name of the ${who}.`,
      get: (e) => pick(e)?.userName,
    },
    { name: `${prefix}.gid`, type: 'INT32', desc: `Group id of the ${who}.`, get: (e) => pick(e)?.gid },
    {
      name: `${prefix}.group`,
      type: 'CHARBUF',
      desc: `Group name of the ${who}.`,
      get: (e) => pick(e)?.groupName,
    },
    {
      name: `${prefix}.tty`,
      type: 'BOOL',
      desc: `Whether the ${who} has a terminal.`,
      get: (e) => pick(e)?.tty,
    },
    {
      name: `${prefix}.entry`,
      type: 'BOOL',
      desc: `Whether the ${who} is a container entry point.`,
      get: (e) => pick(e)?.entry,
    },
    {
      name: `${prefix}.cwd`,
      type: 'CHARBUF',
      desc: `Working directory of the ${who}.`,
      get: (e) => pick(e)?.cwd,
    },
  ];
  return s;
}

function buildSpecs(ctx: Ctx): Spec[] {
  const proc = (e: SysFlowFieldEvent) => e.process;
  const parent = (e: SysFlowFieldEvent) => e.parent;
  const file = (e: SysFlowFieldEvent) => e.file;
  const newFile = (e: SysFlowFieldEvent) => e.newFile;
  const fileSpecs = (prefix: '' | 'new', pick: (e: SysFlowFieldEvent) => File | undefined): Spec[] => {
    const which = prefix === '' ? 'file' : 'second file (rename/link target)';
    return [
      {
        name: `sf.file.${prefix}path`,
        type: 'CHARBUF',
        desc: `Path of the ${which} (for sockets, the path after the endpoint pair).`,
        get: (e) => {
          const f = pick(e);
          return f ? splitSocketPath(f.path).path : undefined;
        },
      },
      {
        name: `sf.file.${prefix}name`,
        type: 'CHARBUF',
        desc: `Base name of the ${which}'s path.`,
        get: (e) => {
          const f = pick(e);
          return f ? baseName(splitSocketPath(f.path).path) : undefined;
        },
      },
      {
        name: `sf.file.${prefix}directory`,
        type: 'CHARBUF',
        desc: `Directory of the ${which}'s path.`,
        get: (e) => {
          const f = pick(e);
          return f ? dirName(splitSocketPath(f.path).path) : undefined;
        },
      },
      {
        name: `sf.file.${prefix}symlink`,
        type: 'CHARBUF',
        desc: `Socket endpoint pair (\`<hex>-><hex>\`) of the ${which}, empty for other files.`,
        get: (e) => {
          const f = pick(e);
          return f ? splitSocketPath(f.path).link : undefined;
        },
      },
      {
        name: `sf.file.${prefix}oid`,
        type: 'CHARBUF',
        desc: `File object id (FOID) of the ${which}, lowercase hex.`,
        get: (e) => {
          const f = pick(e);
          return f ? toHex(f.oid) : undefined;
        },
      },
    ];
  };

  const specs: Spec[] = [
    {
      name: 'sf.type',
      type: 'CHARBUF',
      desc: 'Record type: H, C, P, F, PE, PF, NE, NF, FE, FF, POD, KE.',
      get: (e) => SYSFLOW_TYPE_TAGS[e.record.type],
    },
    {
      name: 'sf.opflags',
      type: 'CHARBUF',
      list: true,
      desc: 'Operations of a flow or event by name (EXEC, CLONE, OPEN, READ, WRITE, SEND, RECV, …).',
      get: (e) => {
        const f = opFlagsOf(e.record);
        return f === undefined ? undefined : opFlagNames(f, e.record.type);
      },
    },
    {
      name: 'sf.ret',
      type: 'INT64',
      desc: 'Return value of the system call of a process, file or network event.',
      get: (e) => retOf(e.record),
    },
    {
      name: 'sf.ts',
      type: 'ABSTIME',
      desc: 'Start time of the record, ns since the epoch.',
      get: (e) => tsOf(e.record),
    },
    {
      name: 'sf.endts',
      type: 'ABSTIME',
      desc: 'End time of a flow (file, network, process), ns since the epoch.',
      get: (e) => endTsOf(e.record),
    },
    // process
    {
      name: 'sf.proc.oid',
      type: 'CHARBUF',
      desc: 'Process object id as `<createTS>:<pid>`.',
      get: (e) => (e.process ? oidString(e.process.oid.createTS, e.process.oid.hpid) : undefined),
    },
    { name: 'sf.proc.pid', type: 'INT64', desc: 'Host process id.', get: (e) => e.process?.oid.hpid },
    {
      name: 'sf.proc.tid',
      type: 'INT64',
      desc: 'Thread id of a flow or event.',
      get: (e) => tidOf(e.record),
    },
    {
      name: 'sf.proc.createts',
      type: 'ABSTIME',
      desc: 'Creation time of the process, ns since the epoch.',
      get: (e) => e.process?.oid.createTS,
    },
    ...procSpecs('sf.proc', proc),
    {
      name: 'sf.proc.env',
      type: 'CHARBUF',
      list: true,
      desc: 'Environment of the process, `NAME=value` strings.',
      get: (e) => e.process?.env,
    },
    {
      name: 'sf.proc.aname',
      type: 'CHARBUF',
      list: true,
      desc: 'Executable names of the process and its ancestors (the process first); `[n]`: the n-th (0 the process).',
      indexed: (e, i) => {
        const p = ancestorAt(e, ctx, i);
        return p ? baseName(p.exe) : undefined;
      },
      get: (e) => mapAncestors(e, ctx, (p) => baseName(p.exe)),
    },
    {
      name: 'sf.proc.aexe',
      type: 'CHARBUF',
      list: true,
      desc: 'Executable paths of the process and its ancestors; `[n]`: the n-th.',
      indexed: (e, i) => ancestorAt(e, ctx, i)?.exe,
      get: (e) => mapAncestors(e, ctx, (p) => p.exe),
    },
    {
      name: 'sf.proc.acmdline',
      type: 'CHARBUF',
      list: true,
      desc: 'Command lines of the process and its ancestors; `[n]`: the n-th.',
      indexed: (e, i) => {
        const p = ancestorAt(e, ctx, i);
        return p ? cmdline(p) : undefined;
      },
      get: (e) => mapAncestors(e, ctx, cmdline),
    },
    {
      name: 'sf.proc.apid',
      type: 'INT64',
      list: true,
      desc: 'Process ids of the process and its ancestors; `[n]`: the n-th.',
      indexed: (e, i) => ancestorAt(e, ctx, i)?.oid.hpid,
      get: (e) => mapAncestors(e, ctx, (p) => p.oid.hpid),
    },
    // parent
    {
      name: 'sf.pproc.oid',
      type: 'CHARBUF',
      desc: 'Parent process object id as `<createTS>:<pid>`.',
      get: (e) => {
        const o = e.process?.poid;
        return o ? oidString(o.createTS, o.hpid) : undefined;
      },
    },
    { name: 'sf.pproc.pid', type: 'INT64', desc: 'Parent process id.', get: (e) => e.process?.poid?.hpid },
    {
      name: 'sf.pproc.createts',
      type: 'ABSTIME',
      desc: 'Creation time of the parent process, ns since the epoch.',
      get: (e) => e.process?.poid?.createTS,
    },
    ...procSpecs('sf.pproc', parent),
    // files
    ...fileSpecs('', file),
    ...fileSpecs('new', newFile),
    {
      name: 'sf.file.type',
      type: 'CHARBUF',
      desc: 'Resource type of the file as its libsinsp character (f file, d directory, u unix socket, p pipe, 4/6 IP socket, …).',
      get: (e) => (e.file ? String.fromCharCode(e.file.restype) : undefined),
    },
    {
      name: 'sf.file.is_open_write',
      type: 'BOOL',
      desc: 'A file flow opened the file for writing.',
      get: (e) => (e.record.type === 'FileFlow' ? isOpenWrite(e.record.rec.openFlags) : undefined),
    },
    {
      name: 'sf.file.is_open_read',
      type: 'BOOL',
      desc: 'A file flow opened the file for reading.',
      get: (e) => (e.record.type === 'FileFlow' ? isOpenRead(e.record.rec.openFlags) : undefined),
    },
    {
      name: 'sf.file.fd',
      type: 'INT32',
      desc: 'File descriptor of a file flow.',
      get: (e) => (e.record.type === 'FileFlow' ? e.record.rec.fd : undefined),
    },
    {
      name: 'sf.file.openflags',
      type: 'CHARBUF',
      list: true,
      desc: 'Open flags of a file flow by name (NONE, RDONLY, WRONLY, RDWR, CREAT, TRUNC, CLOEXEC, …).',
      get: (e) => (e.record.type === 'FileFlow' ? openFlagNames(e.record.rec.openFlags) : undefined),
    },
    // network
    {
      name: 'sf.net.proto',
      type: 'UINT32',
      desc: 'IP protocol number of a network flow or event (6 TCP, 17 UDP).',
      get: (e) => netOf(e.record)?.proto,
    },
    {
      name: 'sf.net.protoname',
      type: 'CHARBUF',
      desc: 'IP protocol name (tcp, udp, icmp, raw; empty for others).',
      get: (e) => {
        const n = netOf(e.record);
        return n ? protoName(n.proto) : undefined;
      },
    },
    { name: 'sf.net.sport', type: 'PORT', desc: 'Source port.', get: (e) => netOf(e.record)?.sport },
    { name: 'sf.net.dport', type: 'PORT', desc: 'Destination port.', get: (e) => netOf(e.record)?.dport },
    {
      name: 'sf.net.port',
      type: 'PORT',
      list: true,
      desc: 'Source and destination ports.',
      get: (e) => {
        const n = netOf(e.record);
        return n ? [n.sport, n.dport] : undefined;
      },
    },
    {
      name: 'sf.net.sip',
      type: 'CHARBUF',
      desc: 'Source IPv4 address, dotted.',
      get: (e) => {
        const n = netOf(e.record);
        return n ? formatIPv4(n.sip) : undefined;
      },
    },
    {
      name: 'sf.net.dip',
      type: 'CHARBUF',
      desc: 'Destination IPv4 address, dotted.',
      get: (e) => {
        const n = netOf(e.record);
        return n ? formatIPv4(n.dip) : undefined;
      },
    },
    {
      name: 'sf.net.ip',
      type: 'CHARBUF',
      list: true,
      desc: 'Source and destination IPv4 addresses.',
      get: (e) => {
        const n = netOf(e.record);
        return n ? [formatIPv4(n.sip), formatIPv4(n.dip)] : undefined;
      },
    },
    // flow counters
    {
      name: 'sf.flow.rbytes',
      type: 'UINT64',
      desc: 'Bytes read or received by a file or network flow.',
      get: (e) => flowOf(e.record)?.numRRecvBytes,
    },
    {
      name: 'sf.flow.rops',
      type: 'UINT64',
      desc: 'Read or receive operations of a file or network flow.',
      get: (e) => flowOf(e.record)?.numRRecvOps,
    },
    {
      name: 'sf.flow.wbytes',
      type: 'UINT64',
      desc: 'Bytes written or sent by a file or network flow.',
      get: (e) => flowOf(e.record)?.numWSendBytes,
    },
    {
      name: 'sf.flow.wops',
      type: 'UINT64',
      desc: 'Write or send operations of a file or network flow.',
      get: (e) => flowOf(e.record)?.numWSendOps,
    },
    // container
    ...containerSpecs(),
    // pod
    { name: 'sf.pod.ts', type: 'ABSTIME', desc: 'Time of the pod record.', get: (e) => podOf(e)?.ts },
    { name: 'sf.pod.id', type: 'CHARBUF', desc: 'Pod id.', get: (e) => podOf(e)?.id },
    { name: 'sf.pod.name', type: 'CHARBUF', desc: 'Pod name.', get: (e) => podOf(e)?.name },
    {
      name: 'sf.pod.nodename',
      type: 'CHARBUF',
      desc: 'Node the pod runs on.',
      get: (e) => podOf(e)?.nodeName,
    },
    { name: 'sf.pod.namespace', type: 'CHARBUF', desc: 'Pod namespace.', get: (e) => podOf(e)?.namespace },
    {
      name: 'sf.pod.restartcnt',
      type: 'UINT64',
      desc: 'Pod restart count.',
      get: (e) => podOf(e)?.restartCount,
    },
    {
      name: 'sf.pod.hostip',
      type: 'CHARBUF',
      list: true,
      desc: 'Host IPv4 addresses of the pod, dotted.',
      get: (e) => podOf(e)?.hostIP.map(ipOfLong),
    },
    {
      name: 'sf.pod.internalip',
      type: 'CHARBUF',
      list: true,
      desc: 'Internal IPv4 addresses of the pod, dotted.',
      get: (e) => podOf(e)?.internalIP.map(ipOfLong),
    },
    {
      name: 'sf.pod.services',
      type: 'CHARBUF',
      list: true,
      desc: 'Names of the services that select the pod.',
      get: (e) => podOf(e)?.services.map((s) => s.name),
    },
    // Kubernetes events
    ...k8sSpecs('sf.ke'),
    ...k8sSpecs('sf.k8s'),
    // node and trace
    {
      name: 'sf.node.id',
      type: 'CHARBUF',
      desc: 'Exporter (node) id of the trace.',
      get: (e) => e.header?.exporter,
    },
    { name: 'sf.node.ip', type: 'CHARBUF', desc: 'IP address of the exporter.', get: (e) => e.header?.ip },
    {
      name: 'sf.meta.schema',
      type: 'INT64',
      desc: 'Schema version of the trace header.',
      get: (e) => e.header?.version,
    },
    {
      name: 'sf.meta.tracename',
      type: 'CHARBUF',
      desc: 'Base name of the trace file named in the header.',
      get: (e) => (e.header ? baseName(e.header.filename) : undefined),
    },
  ];
  return specs;
}

function containerSpecs(): Spec[] {
  const c = (e: SysFlowFieldEvent): Container | undefined => e.container;
  return [
    { name: 'sf.container.id', type: 'CHARBUF', desc: 'Container id.', get: (e) => c(e)?.id },
    { name: 'sf.container.name', type: 'CHARBUF', desc: 'Container name.', get: (e) => c(e)?.name },
    { name: 'sf.container.image', type: 'CHARBUF', desc: 'Container image name.', get: (e) => c(e)?.image },
    { name: 'sf.container.imageid', type: 'CHARBUF', desc: 'Container image id.', get: (e) => c(e)?.imageid },
    {
      name: 'sf.container.type',
      type: 'CHARBUF',
      desc: 'Container runtime without the CT_ prefix (DOCKER, CRIO, CONTAINERD, …).',
      get: (e) => {
        const x = c(e);
        return x ? containerTypeName(x.type) : undefined;
      },
    },
    {
      name: 'sf.container.privileged',
      type: 'BOOL',
      desc: 'Whether the container runs privileged.',
      get: (e) => c(e)?.privileged,
    },
    {
      name: 'sf.container.podid',
      type: 'CHARBUF',
      desc: 'Id of the pod of the container.',
      get: (e) => c(e)?.podId ?? undefined,
    },
  ];
}

function k8sSpecs(prefix: 'sf.ke' | 'sf.k8s'): Spec[] {
  const k = (e: SysFlowFieldEvent) => (e.record.type === 'K8sEvent' ? e.record.rec : undefined);
  return [
    {
      name: `${prefix}.action`,
      type: 'CHARBUF',
      desc: 'Action of a Kubernetes event (K8S_COMPONENT_ADDED, …_MODIFIED, …_DELETED, …).',
      get: (e) => k(e)?.action,
    },
    {
      name: `${prefix}.kind`,
      type: 'CHARBUF',
      desc: 'Kind of object of a Kubernetes event (K8S_PODS, K8S_NODES, …).',
      get: (e) => k(e)?.kind,
    },
    {
      name: `${prefix}.message`,
      type: 'CHARBUF',
      desc: 'Message (JSON from the API server) of a Kubernetes event.',
      get: (e) => k(e)?.message,
    },
  ];
}

/** Event-type codes: one per record type, in `SYSFLOW_TYPES` order (the tags of `sf.type`). */
function recordTypeInfo(): EventTypeInfo<SysFlowFieldEvent> {
  const byTag = new Map<string, number[]>();
  const codeOf = new Map<string, number>();
  SYSFLOW_TYPES.forEach((t, i) => {
    byTag.set(SYSFLOW_TYPE_TAGS[t], [i]);
    codeOf.set(t, i);
  });
  return {
    count: SYSFLOW_TYPES.length,
    codes: (name) => byTag.get(name),
    of: (e) => codeOf.get(e.record.type) ?? 0,
  };
}

/**
 * Builds the `sf.*` field set for `@sysray/falco-rules`: the SysFlow policy engine's attributes
 * over {@link SysFlowFieldEvent}s (records resolved with their entities).
 *
 * An attribute a record does not carry (`sf.file.path` of a network flow, `sf.container.id` of a
 * host process, `sf.pproc.*` when the parent is unknown) extracts as `undefined`: every check on
 * it is false, and `exists` tells. `eventTypes` codes are record types (`sf.type` tags).
 *
 * @example
 * ```ts
 * const fs = createSysFlowFieldSet();
 * const shell = compileCondition('sf.type = PE and sf.opflags = EXEC and sf.proc.aname = apache2', [fs]);
 * for await (const r of resolveSysFlow('trace.sf')) if (shell(r)) console.log(r.process?.exe);
 * ```
 */
export function createSysFlowFieldSet(options: SysFlowFieldSetOptions = {}): FieldSet<SysFlowFieldEvent> {
  const ctx: Ctx = { tables: options.tables, maxAncestors: options.maxAncestors ?? 64 };
  const falcoLists = options.listSemantics === 'falco';
  const defs = new Map<string, FieldDef>();
  const specs = new Map<string, Spec>();
  for (const s of buildSpecs(ctx)) {
    const def: FieldDef = { name: s.name, type: s.type, desc: s.desc };
    if (s.list && falcoLists) def.isList = true;
    if (s.indexed) {
      def.arg = 'optional';
      def.argKind = 'index';
    }
    defs.set(s.name, def);
    specs.set(s.name, s);
  }
  return {
    source: options.source ?? SYSFLOW_SOURCE,
    field: (name) => defs.get(name),
    fields: () => defs.values(),
    extractor(def, arg): Extractor<SysFlowFieldEvent> {
      const spec = specs.get(def.name);
      if (!spec) throw new RuleError('LOAD_ERR_COMPILE_CONDITION', `unknown field '${def.name}'`);
      if (arg === undefined) return spec.get;
      const indexed = spec.indexed;
      if (!indexed || !/^\d+$/.test(arg)) {
        throw new RuleError(
          'LOAD_ERR_COMPILE_CONDITION',
          indexed
            ? `field '${def.name}' takes a numeric index argument, not '${arg}'`
            : `field '${def.name}' does not take an argument`,
        );
      }
      const n = Number(arg);
      return (e) => indexed(e, n);
    },
    eventTypes: recordTypeInfo(),
  };
}

/** Definitions of every `sf.*` attribute (names, types, descriptions), for listings. */
export function sysflowFieldDefs(options: Pick<SysFlowFieldSetOptions, 'listSemantics'> = {}): FieldDef[] {
  return [...createSysFlowFieldSet(options).fields()];
}
