import type { CONTAINER_TYPES, K8S_ACTIONS, K8S_COMPONENTS, OBJECT_STATES, SYSFLOW_TYPES } from './schema.js';

/** Every Avro `long` is a `bigint` (timestamps are int64 nanoseconds since the epoch). */
export type Long = bigint;

/** Process object id: process creation time (ns) and host pid. */
export interface OID {
  /** Process creation timestamp, ns. */
  createTS: Long;
  /** Host process id. */
  hpid: Long;
}

/** File object id: 20 bytes (SHA-1 of the path, as the collector computes it). */
export type FOID = Uint8Array;

/** `sysflow.type.SFObjectState`. */
export type SFObjectState = (typeof OBJECT_STATES)[number];
/** `sysflow.type.ContainerType`. */
export type ContainerType = (typeof CONTAINER_TYPES)[number];
/** `sysflow.type.K8sComponent`. */
export type K8sComponent = (typeof K8S_COMPONENTS)[number];
/** `sysflow.type.K8sAction`. */
export type K8sAction = (typeof K8S_ACTIONS)[number];

/** `sysflow.entity.SFHeader`: first record of every `.sf` file. */
export interface SFHeader {
  /** Schema version of the writer (5; 1000 in legacy files). */
  version: Long;
  /** Exporter id (usually the host or node name). */
  exporter: string;
  /** IP address of the exporting host. */
  ip: string;
  /** Path of the capture or file the records came from. */
  filename: string;
}

/** `sysflow.entity.Container`. */
export interface Container {
  /** Container id (short form). */
  id: string;
  /** Container name. */
  name: string;
  /** Image name. */
  image: string;
  /** Image id. */
  imageid: string;
  /** Container runtime. */
  type: ContainerType;
  /** Runs privileged. */
  privileged: boolean;
  /** Id of the pod, `null` outside Kubernetes. */
  podId: string | null;
}

/** `sysflow.entity.Process`. */
export interface Process {
  /** Whether the entity was created, modified or re-emitted (`REUP`). */
  state: SFObjectState;
  /** Process object id. */
  oid: OID;
  /** Parent process object id, `null` when unknown. */
  poid: OID | null;
  /** Time of this state of the process, ns since the epoch. */
  ts: Long;
  /** Executable path. */
  exe: string;
  /** Arguments, space-separated. */
  exeArgs: string;
  /** User id. */
  uid: number;
  /** User name. */
  userName: string;
  /** Group id. */
  gid: number;
  /** Group name. */
  groupName: string;
  /** Has a terminal. */
  tty: boolean;
  /** Id of the container, `null` on the host. */
  containerId: string | null;
  /** Is a container entry point. */
  entry: boolean;
  /** Working directory. */
  cwd: string;
  /** Environment, `NAME=value` strings. */
  env: string[];
}

/** `sysflow.entity.File`. */
export interface File {
  /** Whether the entity was created, modified or re-emitted (`REUP`). */
  state: SFObjectState;
  /** File object id. */
  oid: FOID;
  /** Time of this state of the file, ns since the epoch. */
  ts: Long;
  /** Resource type, a libsinsp fd type character code (102 `f` file, 100 `d` directory, …). */
  restype: number;
  /** Path. */
  path: string;
  /** Id of the container, `null` on the host. */
  containerId: string | null;
}

/** `sysflow.event.ProcessEvent`. */
export interface ProcessEvent {
  /** OID of the process that did it. */
  procOID: OID;
  /** Start (or record) time, ns since the epoch. */
  ts: Long;
  /** Thread id. */
  tid: Long;
  /** Operations, `OP_*` bits (see `formatOpFlags`). */
  opFlags: number;
  /** Arguments of the operation (e.g. of `execve`). */
  args: string[];
  /** Return value of the system call. */
  ret: number;
}

/** `sysflow.flow.NetworkFlow`. IPv4 addresses are 32-bit ints (network byte order read as little-endian). */
export interface NetworkFlow {
  /** OID of the process that did it. */
  procOID: OID;
  /** Start (or record) time, ns since the epoch. */
  ts: Long;
  /** Thread id. */
  tid: Long;
  /** Operations, `OP_*` bits (see `formatOpFlags`). */
  opFlags: number;
  /** End time, ns since the epoch. */
  endTs: Long;
  /** Source IPv4 address (first octet in the low byte). */
  sip: number;
  /** Source port. */
  sport: number;
  /** Destination IPv4 address (first octet in the low byte). */
  dip: number;
  /** Destination port. */
  dport: number;
  /** IP protocol number (6 TCP, 17 UDP). */
  proto: number;
  /** File descriptor. */
  fd: number;
  /** Read/receive operations. */
  numRRecvOps: Long;
  /** Write/send operations. */
  numWSendOps: Long;
  /** Bytes read/received. */
  numRRecvBytes: Long;
  /** Bytes written/sent. */
  numWSendBytes: Long;
}

/** `sysflow.flow.FileFlow`. */
export interface FileFlow {
  /** OID of the process that did it. */
  procOID: OID;
  /** Start (or record) time, ns since the epoch. */
  ts: Long;
  /** Thread id. */
  tid: Long;
  /** Operations, `OP_*` bits (see `formatOpFlags`). */
  opFlags: number;
  /** Flags of the `open` call. */
  openFlags: number;
  /** End time, ns since the epoch. */
  endTs: Long;
  /** FOID of the file. */
  fileOID: FOID;
  /** File descriptor. */
  fd: number;
  /** Read/receive operations. */
  numRRecvOps: Long;
  /** Write/send operations. */
  numWSendOps: Long;
  /** Bytes read/received. */
  numRRecvBytes: Long;
  /** Bytes written/sent. */
  numWSendBytes: Long;
}

/** `sysflow.event.FileEvent`. */
export interface FileEvent {
  /** OID of the process that did it. */
  procOID: OID;
  /** Start (or record) time, ns since the epoch. */
  ts: Long;
  /** Thread id. */
  tid: Long;
  /** Operations, `OP_*` bits (see `formatOpFlags`). */
  opFlags: number;
  /** FOID of the file. */
  fileOID: FOID;
  /** Return value of the system call. */
  ret: number;
  /** FOID of the second file (rename and link targets), or `null`. */
  newFileOID: FOID | null;
}

/** `sysflow.event.NetworkEvent`. */
export interface NetworkEvent {
  /** OID of the process that did it. */
  procOID: OID;
  /** Start (or record) time, ns since the epoch. */
  ts: Long;
  /** Thread id. */
  tid: Long;
  /** Operations, `OP_*` bits (see `formatOpFlags`). */
  opFlags: number;
  /** Source IPv4 address (first octet in the low byte). */
  sip: number;
  /** Source port. */
  sport: number;
  /** Destination IPv4 address (first octet in the low byte). */
  dip: number;
  /** Destination port. */
  dport: number;
  /** IP protocol number (6 TCP, 17 UDP). */
  proto: number;
  /** Return value of the system call. */
  ret: number;
}

/** `sysflow.flow.ProcessFlow`. */
export interface ProcessFlow {
  /** OID of the process that did it. */
  procOID: OID;
  /** Start (or record) time, ns since the epoch. */
  ts: Long;
  /** Threads cloned. */
  numThreadsCloned: Long;
  /** Operations, `OP_*` bits (see `formatOpFlags`). */
  opFlags: number;
  /** End time, ns since the epoch. */
  endTs: Long;
  /** Threads exited. */
  numThreadsExited: Long;
  /** Failed clones. */
  numCloneErrors: Long;
}

/** `sysflow.entity.Port` (inside a {@link Service}). */
export interface Port {
  /** Service port. */
  port: number;
  /** Target port on the pod. */
  targetPort: number;
  /** Node port. */
  nodePort: number;
  /** Protocol name. */
  proto: string;
}

/** `sysflow.entity.Service` (inside a {@link Pod}). */
export interface Service {
  /** Service name. */
  name: string;
  /** Service id. */
  id: string;
  /** Namespace. */
  namespace: string;
  /** Ports. */
  portList: Port[];
  /** Cluster IP addresses. */
  clusterIP: Long[];
}

/** `sysflow.entity.Pod`. */
export interface Pod {
  /** Time of this state of the pod, ns since the epoch. */
  ts: Long;
  /** Pod id. */
  id: string;
  /** Pod name. */
  name: string;
  /** Node the pod runs on. */
  nodeName: string;
  /** Host IP addresses. */
  hostIP: Long[];
  /** Pod IP addresses. */
  internalIP: Long[];
  /** Namespace. */
  namespace: string;
  /** Restarts. */
  restartCount: Long;
  /** Labels. */
  labels: Record<string, string>;
  /** Selectors. */
  selectors: Record<string, string>;
  /** Services that select the pod. */
  services: Service[];
}

/** `sysflow.event.K8sEvent`. */
export interface K8sEvent {
  /** Kind of Kubernetes object. */
  kind: K8sComponent;
  /** What happened to it. */
  action: K8sAction;
  /** Time, ns since the epoch. */
  ts: Long;
  /** Event message (JSON from the API server). */
  message: string;
}

/** Branch name → record body, for the 12 branches of `SysFlow.rec`. */
export interface SysFlowRecordMap {
  /** `SFHeader` records. */
  SFHeader: SFHeader;
  /** `Container` records. */
  Container: Container;
  /** `Process` records. */
  Process: Process;
  /** `File` records. */
  File: File;
  /** `ProcessEvent` records. */
  ProcessEvent: ProcessEvent;
  /** `NetworkFlow` records. */
  NetworkFlow: NetworkFlow;
  /** `FileFlow` records. */
  FileFlow: FileFlow;
  /** `FileEvent` records. */
  FileEvent: FileEvent;
  /** `NetworkEvent` records. */
  NetworkEvent: NetworkEvent;
  /** `ProcessFlow` records. */
  ProcessFlow: ProcessFlow;
  /** `Pod` records. */
  Pod: Pod;
  /** `K8sEvent` records. */
  K8sEvent: K8sEvent;
}

/** Name of a `SysFlow.rec` branch: `'SFHeader' | 'Container' | … | 'K8sEvent'`. */
export type SysFlowType = (typeof SYSFLOW_TYPES)[number];

/**
 * One SysFlow record: `type` is the branch name of the `SysFlow.rec` union, `rec` the branch's fields
 * under their schema names (the Avro record `SysFlow` has the single field `rec`). A wrapper rather than
 * flat fields because `Container` has a field named `type` itself.
 *
 * @example
 * ```ts
 * if (r.type === 'NetworkFlow') console.log(r.rec.dport, r.rec.numWSendBytes);
 * ```
 */
export type SysFlowRecord = { [K in SysFlowType]: SysFlowRecordOf<K> }[SysFlowType];

/** The record of one branch, e.g. `SysFlowRecordOf<'Process'>`. */
export interface SysFlowRecordOf<K extends SysFlowType> {
  /** Branch name of the `SysFlow.rec` union. */
  type: K;
  /** The branch's fields under their schema names. */
  rec: SysFlowRecordMap[K];
}

/** The records of one Avro data block, as the batch readers yield them. */
export interface SysFlowBatch {
  /** Zero-based index of the block in the file. */
  blockIndex: number;
  /** Byte offset of the block in the file. */
  offset: number;
  /** The block's records, in file order. */
  records: SysFlowRecord[];
}

/** What the Avro object container header of a `.sf` file says. */
export interface SysFlowFileHeader {
  /**
   * The writer schema (`avro.schema`), parsed JSON. Read-only: frozen, and one object shared by every file
   * read with the same schema.
   */
  schema: unknown;
  /** `avro.codec`: `'null'` or `'deflate'`. */
  codec: 'null' | 'deflate';
  /** The 16-byte sync marker that follows every block (a copy, or a view as `metadata`). */
  sync: Uint8Array;
  /**
   * All metadata entries, raw: copies for the streaming readers, views of the input bytes for the
   * synchronous ones.
   */
  metadata: Map<string, Uint8Array>;
  /** Size of the header in bytes (offset of the first block). */
  size: number;
}
