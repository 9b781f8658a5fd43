/** Streaming graph builder: one resolved SysFlow record at a time. */
import {
  type Container,
  type File,
  oidKey,
  type Pod,
  type Process,
  type ResolvedSysFlowRecord,
  toHex,
} from '@sysray/sysflow-format';
import { edgeKey, endpointOf, nodeKey, ProvenanceGraph } from './graph.js';
import type {
  ContainerNode,
  EdgeKind,
  EndpointNode,
  FileNode,
  GraphEdge,
  PodNode,
  ProcessNode,
} from './types.js';

/** Options of {@link GraphBuilder}. */
export interface BuilderOptions {
  /** Most flow samples kept per network edge for traffic analysis (default 10 000; older ones are kept). */
  maxSamplesPerEdge?: number;
}

/** The nodes and edges one record maps to (what a query or an alert on that record selects). */
export interface RecordRefs {
  /** Node keys. */
  nodes: string[];
  /** Edge keys. */
  edges: string[];
}

const OP_EXIT = 1 << 2;
const RESTYPE = (n: number) => (n > 0 && n < 0x110000 ? String.fromCharCode(n) : String(n));

/**
 * Builds a {@link ProvenanceGraph} from resolved SysFlow records (`resolveSysFlow` / `resolveRecords`
 * of `@sysray/sysflow-format`), one record at a time, in file order:
 *
 * - **processes** by OID; an exec that changes exe or arguments starts a new image node linked by an
 *   `exec` edge; a process is linked to its parent's image current at its creation by a `clone` edge;
 * - **files** by FOID and **endpoints** by peer (`server` for connects, `client` for accepts), with one
 *   `file` / `network` edge per process image × file / endpoint aggregating ops, bytes, op counts and
 *   time range of every flow and event;
 * - **containers** and **pods** with `contains` edges to the container's entry processes (those whose
 *   parent is outside the container) and from a pod to its containers.
 *
 * Memory grows with distinct entities and edges, not with records (network edges keep up to
 * `maxSamplesPerEdge` flow samples).
 */
export class GraphBuilder {
  /** The graph being built. */
  readonly result: ProvenanceGraph;
  private readonly g: ProvenanceGraph['graph'];
  private readonly maxSamples: number;
  /** Parent OID → child image-0 keys waiting for the parent to appear. */
  private readonly orphans = new Map<string, string[]>();
  /** Process nodes made for flows whose process record was not seen (yet). */
  private readonly placeholders = new Set<string>();

  constructor(options: BuilderOptions = {}) {
    this.result = new ProvenanceGraph();
    this.g = this.result.graph;
    this.maxSamples = options.maxSamplesPerEdge ?? 10_000;
  }

  /** Adds one record; returns the nodes and edges it maps to. */
  add(r: ResolvedSysFlowRecord): RecordRefs {
    const meta = this.result.meta;
    meta.records++;
    const rec = r.record;
    const refs: RecordRefs = { nodes: [], edges: [] };
    switch (rec.type) {
      case 'SFHeader':
        meta.exporter = rec.rec.exporter;
        meta.filename = rec.rec.filename;
        return refs;
      case 'K8sEvent':
        this.time(rec.rec.ts);
        return refs;
      case 'Pod':
        refs.nodes.push(this.pod(rec.rec));
        return refs;
      case 'Container':
        refs.nodes.push(this.container(rec.rec, r.pod));
        return refs;
      case 'File':
        refs.nodes.push(this.file(rec.rec));
        return refs;
      case 'Process': {
        refs.nodes.push(this.process(rec.rec, r));
        return refs;
      }
      default:
        break;
    }
    const body = rec.rec;
    this.time(body.ts);
    const oid = oidKey(body.procOID);
    let proc = this.result.processImage(oid, body.ts);
    if (!proc) {
      meta.unresolved++;
      proc = r.process
        ? this.process(r.process, r)
        : this.placeholderProcess(oid, body.procOID.hpid, body.ts);
      if (r.process) proc = this.result.processImage(oid, body.ts) ?? proc;
    }
    refs.nodes.push(proc);
    const pa = this.g.getNodeAttributes(proc) as ProcessNode;
    switch (rec.type) {
      case 'ProcessEvent': {
        const e = rec.rec;
        pa.opFlags |= e.opFlags;
        extend(pa, e.ts, e.ts);
        if (e.opFlags & OP_EXIT) pa.exitCode = e.ret;
        break;
      }
      case 'ProcessFlow': {
        const f = rec.rec;
        pa.opFlags |= f.opFlags;
        extend(pa, f.ts, f.endTs);
        this.time(f.endTs);
        break;
      }
      case 'FileFlow': {
        const f = rec.rec;
        this.time(f.endTs);
        const file = r.file ? this.file(r.file) : this.placeholderFile(toHex(f.fileOID), f.ts);
        if (!r.file) meta.unresolved++;
        refs.nodes.push(file);
        const e = this.edge('file', proc, file, f.ts, f.endTs, f.opFlags);
        e.attrs.bytesIn += Number(f.numRRecvBytes);
        e.attrs.bytesOut += Number(f.numWSendBytes);
        e.attrs.opsIn += Number(f.numRRecvOps);
        e.attrs.opsOut += Number(f.numWSendOps);
        refs.edges.push(e.key);
        extend(pa, f.ts, f.endTs);
        extend(this.g.getNodeAttributes(file), f.ts, f.endTs);
        break;
      }
      case 'FileEvent': {
        const f = rec.rec;
        const file = r.file ? this.file(r.file) : this.placeholderFile(toHex(f.fileOID), f.ts);
        if (!r.file) meta.unresolved++;
        refs.nodes.push(file);
        refs.edges.push(this.edge('file', proc, file, f.ts, f.ts, f.opFlags).key);
        extend(this.g.getNodeAttributes(file), f.ts, f.ts);
        if (f.newFileOID !== null) {
          const second = r.newFile ? this.file(r.newFile) : this.placeholderFile(toHex(f.newFileOID), f.ts);
          refs.nodes.push(second);
          refs.edges.push(this.edge('file', proc, second, f.ts, f.ts, f.opFlags).key);
          extend(this.g.getNodeAttributes(second), f.ts, f.ts);
        }
        extend(pa, f.ts, f.ts);
        break;
      }
      case 'NetworkFlow':
      case 'NetworkEvent': {
        const f = rec.rec;
        const end = rec.type === 'NetworkFlow' ? rec.rec.endTs : f.ts;
        this.time(end);
        const ep = this.endpoint(f.opFlags, f.proto, f.sip, f.dip, f.dport, f.ts, end);
        refs.nodes.push(ep);
        const e = this.edge('network', proc, ep, f.ts, end, f.opFlags);
        if (rec.type === 'NetworkFlow') {
          const n = rec.rec;
          const bytesIn = Number(n.numRRecvBytes);
          const bytesOut = Number(n.numWSendBytes);
          e.attrs.bytesIn += bytesIn;
          e.attrs.bytesOut += bytesOut;
          e.attrs.opsIn += Number(n.numRRecvOps);
          e.attrs.opsOut += Number(n.numWSendOps);
          if (!e.attrs.samples) e.attrs.samples = [];
          const samples = e.attrs.samples;
          if (samples.length < this.maxSamples)
            samples.push({ start: n.ts, end: n.endTs, bytesIn, bytesOut });
        }
        refs.edges.push(e.key);
        extend(pa, f.ts, end);
        break;
      }
    }
    return refs;
  }

  private time(ts: bigint): void {
    const m = this.result.meta;
    if (m.first === null || ts < m.first) m.first = ts;
    if (m.last === null || ts > m.last) m.last = ts;
  }

  private edge(
    kind: EdgeKind,
    source: string,
    target: string,
    start: bigint,
    end: bigint,
    opFlags: number,
  ): { key: string; attrs: GraphEdge } {
    const key = edgeKey(kind, source, target);
    if (this.g.hasEdge(key)) {
      const attrs = this.g.getEdgeAttributes(key);
      attrs.records++;
      attrs.opFlags |= opFlags;
      extend(attrs, start, end);
      return { key, attrs };
    }
    const attrs: GraphEdge = {
      kind,
      opFlags,
      records: 1,
      bytesIn: 0,
      bytesOut: 0,
      opsIn: 0,
      opsOut: 0,
      start,
      end: end < start ? start : end,
      alerts: [],
    };
    this.g.addDirectedEdgeWithKey(key, source, target, attrs);
    return { key, attrs };
  }

  private pod(p: Pod): string {
    const key = nodeKey.pod(p.id);
    const attrs: PodNode = {
      kind: 'pod',
      label: p.name || p.id,
      id: p.id,
      name: p.name,
      namespace: p.namespace,
      nodeName: p.nodeName,
      start: p.ts,
      end: p.ts,
      alerts: [],
      graphlet: '',
      count: 1,
    };
    if (this.g.hasNode(key)) {
      const old = this.g.getNodeAttributes(key) as PodNode;
      Object.assign(old, { label: attrs.label, name: p.name, namespace: p.namespace, nodeName: p.nodeName });
      extend(old, p.ts, p.ts);
    } else this.g.addNode(key, attrs);
    return key;
  }

  private container(c: Container, pod: Pod | undefined): string {
    const key = nodeKey.container(c.id);
    if (this.g.hasNode(key)) {
      const old = this.g.getNodeAttributes(key) as ContainerNode;
      Object.assign(old, {
        label: c.name || c.id,
        name: c.name,
        image: c.image,
        runtime: c.type,
        privileged: c.privileged,
        pod: c.podId,
      });
    } else {
      const attrs: ContainerNode = {
        kind: 'container',
        label: c.name || c.id,
        id: c.id,
        name: c.name,
        image: c.image,
        runtime: c.type,
        privileged: c.privileged,
        pod: c.podId,
        start: this.result.meta.first ?? 0n,
        end: this.result.meta.first ?? 0n,
        alerts: [],
        graphlet: '',
        count: 1,
      };
      this.g.addNode(key, attrs);
    }
    if (c.podId !== null) {
      const podKey = pod ? this.pod(pod) : this.placeholderPod(c.podId);
      const a = this.g.getNodeAttributes(podKey);
      this.edge('contains', podKey, key, a.start, a.end, 0);
    }
    return key;
  }

  private placeholderPod(id: string): string {
    const key = nodeKey.pod(id);
    if (!this.g.hasNode(key)) {
      const t = this.result.meta.first ?? 0n;
      this.g.addNode(key, {
        kind: 'pod',
        label: id,
        id,
        name: '',
        namespace: '',
        nodeName: '',
        start: t,
        end: t,
        alerts: [],
        graphlet: '',
        count: 1,
      } satisfies PodNode);
    }
    return key;
  }

  private placeholderContainer(id: string): string {
    const key = nodeKey.container(id);
    if (!this.g.hasNode(key)) {
      const t = this.result.meta.first ?? 0n;
      this.g.addNode(key, {
        kind: 'container',
        label: id,
        id,
        name: '',
        image: '',
        runtime: '',
        privileged: false,
        pod: null,
        start: t,
        end: t,
        alerts: [],
        graphlet: '',
        count: 1,
      } satisfies ContainerNode);
    }
    return key;
  }

  private file(f: File): string {
    const foid = toHex(f.oid);
    const key = nodeKey.file(foid);
    if (this.g.hasNode(key)) {
      const old = this.g.getNodeAttributes(key) as FileNode;
      if (f.path) {
        old.path = f.path;
        old.label = f.path;
      }
      old.restype = RESTYPE(f.restype);
      return key;
    }
    const attrs: FileNode = {
      kind: 'file',
      label: f.path || `${RESTYPE(f.restype)}:${foid.slice(0, 8)}`,
      foid,
      path: f.path,
      restype: RESTYPE(f.restype),
      container: f.containerId,
      start: f.ts,
      end: f.ts,
      alerts: [],
      graphlet: '',
      count: 1,
    };
    this.g.addNode(key, attrs);
    return key;
  }

  private placeholderFile(foid: string, ts: bigint): string {
    const key = nodeKey.file(foid);
    if (!this.g.hasNode(key)) {
      this.g.addNode(key, {
        kind: 'file',
        label: `?:${foid.slice(0, 8)}`,
        foid,
        path: '',
        restype: '?',
        container: null,
        start: ts,
        end: ts,
        alerts: [],
        graphlet: '',
        count: 1,
      } satisfies FileNode);
    }
    return key;
  }

  private endpoint(
    opFlags: number,
    proto: number,
    sip: number,
    dip: number,
    dport: number,
    start: bigint,
    end: bigint,
  ): string {
    const ep = endpointOf(opFlags, proto, sip, dip, dport);
    if (this.g.hasNode(ep.key)) {
      extend(this.g.getNodeAttributes(ep.key), start, end);
      return ep.key;
    }
    const attrs: EndpointNode = {
      kind: 'endpoint',
      label: ep.label,
      proto: ep.proto,
      ip: ep.ip,
      port: ep.port,
      role: ep.role,
      start,
      end: end < start ? start : end,
      alerts: [],
      graphlet: '',
      count: 1,
    };
    this.g.addNode(ep.key, attrs);
    return ep.key;
  }

  private placeholderProcess(oid: string, hpid: bigint, ts: bigint): string {
    const key = nodeKey.process(oid, 0);
    if (!this.g.hasNode(key)) {
      const attrs: ProcessNode = {
        kind: 'process',
        label: `pid ${hpid}`,
        oid,
        pid: Number(hpid),
        image: 0,
        exe: '',
        args: '',
        uid: -1,
        user: '',
        gid: -1,
        container: null,
        tty: false,
        entry: false,
        cwd: '',
        exitCode: null,
        opFlags: 0,
        start: ts,
        end: ts,
        alerts: [],
        graphlet: '',
        count: 1,
      };
      this.g.addNode(key, attrs);
      this.result.images.set(oid, [key]);
      this.placeholders.add(key);
    }
    return key;
  }

  /** Adds or updates a process (from a `Process` record, or the resolved process of a flow). */
  private process(p: Process, r: ResolvedSysFlowRecord): string {
    const oid = oidKey(p.oid);
    this.time(p.ts);
    const images = this.result.images.get(oid);
    if (images) {
      const lastKey = images[images.length - 1]!;
      const last = this.g.getNodeAttributes(lastKey) as ProcessNode;
      if (last.exe === p.exe && last.args === p.exeArgs) {
        this.updateProcess(last, p);
        extend(last, p.ts, p.ts);
        return lastKey;
      }
      if (this.placeholders.delete(lastKey)) {
        // A placeholder made before the Process record: fill it in.
        this.updateProcess(last, p);
        last.label = label(p);
        extend(last, p.oid.createTS, p.ts);
        this.linkParent(lastKey, last, p, r);
        return lastKey;
      }
      const key = nodeKey.process(oid, images.length);
      const attrs = this.newProcess(p, oid, images.length, p.ts);
      this.g.addNode(key, attrs);
      images.push(key);
      if (last.end < p.ts) last.end = p.ts;
      this.edge('exec', lastKey, key, p.ts, p.ts, 0);
      return key;
    }
    const key = nodeKey.process(oid, 0);
    const attrs = this.newProcess(p, oid, 0, p.oid.createTS);
    extend(attrs, p.ts, p.ts);
    this.g.addNode(key, attrs);
    this.result.images.set(oid, [key]);
    this.linkParent(key, attrs, p, r);
    const waiting = this.orphans.get(oid);
    if (waiting) {
      this.orphans.delete(oid);
      for (const child of waiting) {
        const ca = this.g.getNodeAttributes(child) as ProcessNode;
        const parentImage = this.result.processImage(oid, ca.start) ?? key;
        this.edge('clone', parentImage, child, ca.start, ca.start, 0);
        this.unlinkContainerIfSameParent(child, ca, parentImage);
      }
    }
    return key;
  }

  private linkParent(key: string, attrs: ProcessNode, p: Process, r: ResolvedSysFlowRecord): void {
    let parentImage: string | undefined;
    if (p.poid) {
      const poid = oidKey(p.poid);
      parentImage = this.result.processImage(poid, attrs.start);
      if (!parentImage && r.parent && r.record.type === 'Process' && oidKey(r.parent.oid) === poid) {
        parentImage = this.process(r.parent, {
          ...r,
          record: { type: 'Process', rec: r.parent },
          parent: undefined,
        });
        parentImage = this.result.processImage(poid, attrs.start) ?? parentImage;
      }
      if (parentImage) this.edge('clone', parentImage, key, attrs.start, attrs.start, 0);
      else {
        const list = this.orphans.get(poid);
        if (list) list.push(key);
        else this.orphans.set(poid, [key]);
      }
    }
    if (p.containerId !== null) {
      const parentContainer = parentImage
        ? (this.g.getNodeAttributes(parentImage) as ProcessNode).container
        : null;
      if (parentContainer !== p.containerId) {
        const c =
          r.container && r.container.id === p.containerId ? this.container(r.container, r.pod) : undefined;
        const ck = c ?? this.placeholderContainer(p.containerId);
        extend(this.g.getNodeAttributes(ck), attrs.start, attrs.end);
        this.edge('contains', ck, key, attrs.start, attrs.start, 0);
      }
    }
  }

  /** A parent that appeared late is in the child's container: the container no longer "contains" the child directly. */
  private unlinkContainerIfSameParent(child: string, ca: ProcessNode, parentImage: string): void {
    if (ca.container === null) return;
    const pa = this.g.getNodeAttributes(parentImage) as ProcessNode;
    if (pa.container !== ca.container) return;
    const ek = edgeKey('contains', nodeKey.container(ca.container), child);
    if (this.g.hasEdge(ek)) this.g.dropEdge(ek);
  }

  private newProcess(p: Process, oid: string, image: number, start: bigint): ProcessNode {
    return {
      kind: 'process',
      label: label(p),
      oid,
      pid: Number(p.oid.hpid),
      image,
      exe: p.exe,
      args: p.exeArgs,
      uid: p.uid,
      user: p.userName,
      gid: p.gid,
      container: p.containerId,
      tty: p.tty,
      entry: p.entry,
      cwd: p.cwd,
      exitCode: null,
      opFlags: 0,
      start,
      end: start > p.ts ? start : p.ts,
      alerts: [],
      graphlet: '',
      count: 1,
    };
  }

  private updateProcess(a: ProcessNode, p: Process): void {
    a.exe = p.exe;
    a.args = p.exeArgs;
    a.uid = p.uid;
    a.user = p.userName;
    a.gid = p.gid;
    a.container = p.containerId;
    a.tty = p.tty;
    a.entry = p.entry;
    a.cwd = p.cwd;
  }
}

function label(p: Process): string {
  const base = p.exe.slice(p.exe.lastIndexOf('/') + 1) || p.exe;
  return `${base} [${p.oid.hpid}]`;
}

/** Widens a node's or edge's time range to include `[start, end]`. */
export function extend(a: { start: bigint; end: bigint }, start: bigint, end: bigint): void {
  if (start < a.start) a.start = start;
  if (end > a.end) a.end = end;
  if (start > a.end) a.end = start;
}
