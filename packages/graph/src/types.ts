/** Node and edge attributes of a provenance graph. Timestamps are `bigint` nanoseconds since the epoch. */

/** Kinds of nodes. */
export type NodeKind = 'process' | 'file' | 'endpoint' | 'container' | 'pod';

/** Kinds of edges. */
export type EdgeKind = 'clone' | 'exec' | 'file' | 'network' | 'contains';

/** A closed time range `[start, end]`, ns since the epoch. */
export interface TimeRange {
  /** First time seen. */
  start: bigint;
  /** Last time seen. */
  end: bigint;
}

/** Attributes every node has. */
export interface BaseNode extends TimeRange {
  /** Node kind. */
  kind: NodeKind;
  /** Short human label. */
  label: string;
  /** Ids of the alerts attached to this node. */
  alerts: string[];
  /** Id of the graphlet the node belongs to (set by `computeGraphlets`, `''` before). */
  graphlet: string;
  /** How many original nodes this one stands for (compaction merges siblings); 1 when not merged. */
  count: number;
}

/**
 * One image of a process: a process (by OID) starts with one image and gets a new one, linked by an
 * `exec` edge, each time an exec changes its executable or arguments.
 */
export interface ProcessNode extends BaseNode {
  kind: 'process';
  /** Process OID `{createTS, hpid}` as `"createTS:hpid"` (the same for every image of the process). */
  oid: string;
  /** Host pid. */
  pid: number;
  /** Image number: 0 for the process as cloned, 1 after the first exec, … */
  image: number;
  /** Executable path. */
  exe: string;
  /** Arguments, space-separated. */
  args: string;
  /** User id. */
  uid: number;
  /** User name. */
  user: string;
  /** Group id. */
  gid: number;
  /** Container id, `null` on the host. */
  container: string | null;
  /** Has a terminal. */
  tty: boolean;
  /** Container entry point. */
  entry: boolean;
  /** Working directory. */
  cwd: string;
  /** Exit return value when the process exited during this image, else `null`. */
  exitCode: number | null;
  /** Operations seen in process events (`CLONE`, `EXEC`, `EXIT`, `SETUID`, …) as SysFlow `OP_*` bits (see `opNames`). */
  opFlags: number;
}

/** A file, pipe, socket file or directory, by FOID. */
export interface FileNode extends BaseNode {
  kind: 'file';
  /** FOID, lowercase hex. */
  foid: string;
  /** Path (may be empty for anonymous pipes and sockets). */
  path: string;
  /** libsinsp fd type character (`f` file, `d` directory, `p` pipe, `u` unix socket, …). */
  restype: string;
  /** Container id, `null` on the host. */
  container: string | null;
}

/** A network peer as a process sees it: the server it connected to, or the client it accepted. */
export interface EndpointNode extends BaseNode {
  kind: 'endpoint';
  /** `tcp`, `udp` or the protocol number. */
  proto: string;
  /** Peer IPv4 address, dotted. */
  ip: string;
  /** Service port: the peer's port for a server, the local (accepting) port for a client. */
  port: number;
  /** `server`: the process connected to it; `client`: the process accepted from it. */
  role: 'server' | 'client';
}

/** A container. */
export interface ContainerNode extends BaseNode {
  kind: 'container';
  /** Container id. */
  id: string;
  /** Container name. */
  name: string;
  /** Image name. */
  image: string;
  /** Runtime type (`CT_DOCKER`, …). */
  runtime: string;
  /** Runs privileged. */
  privileged: boolean;
  /** Pod id, `null` outside Kubernetes. */
  pod: string | null;
}

/** A Kubernetes pod. */
export interface PodNode extends BaseNode {
  kind: 'pod';
  /** Pod id. */
  id: string;
  /** Pod name. */
  name: string;
  /** Namespace. */
  namespace: string;
  /** Node name. */
  nodeName: string;
}

/** Attributes of any node. */
export type GraphNode = ProcessNode | FileNode | EndpointNode | ContainerNode | PodNode;

/** One network flow record on a `network` edge: when and how many bytes each way. */
export interface FlowSample {
  /** Start, ns since the epoch. */
  start: bigint;
  /** End, ns since the epoch. */
  end: bigint;
  /** Bytes received by the process. */
  bytesIn: number;
  /** Bytes sent by the process. */
  bytesOut: number;
}

/** Attributes of any edge. */
export interface GraphEdge extends TimeRange {
  /** Edge kind. */
  kind: EdgeKind;
  /** Operations (`OPEN`, `READ_RECV`, `CONNECT`, `UNLINK`, …) as SysFlow `OP_*` bits, OR-ed (see `opNames`). */
  opFlags: number;
  /** Records aggregated into this edge. */
  records: number;
  /** Bytes read/received by the process. */
  bytesIn: number;
  /** Bytes written/sent by the process. */
  bytesOut: number;
  /** Read/receive operations. */
  opsIn: number;
  /** Write/send operations. */
  opsOut: number;
  /** Network edges: one sample per flow record, for traffic analysis (bounded, see `maxSamplesPerEdge`). */
  samples?: FlowSample[];
  /** Ids of the alerts attached to this edge. */
  alerts: string[];
}

/** An alert attached to the graph: a rule that matched a record, and where it landed. */
export interface GraphAlert {
  /** Alert id, `a1`, `a2`, … in match order. */
  id: string;
  /** Rule name. */
  rule: string;
  /** Rule priority. */
  priority: string;
  /** Rule tags, as written. */
  tags: string[];
  /** MITRE ATT&CK technique ids found among the tags (`T1059`, `T1059.004`; `mitre_*` tags are not ids). */
  mitre: string[];
  /** Time of the record, ns since the epoch. */
  time: bigint;
  /** The rendered output (Falco's `output`). */
  output: string;
  /** Output fields and their values. */
  outputFields: Record<string, string | number | boolean | null>;
  /** Nodes the matched record maps to. */
  nodes: string[];
  /** Edges the matched record maps to. */
  edges: string[];
  /** Id of the graphlet of the alert's first node (`''` until graphlets are computed). */
  graphlet: string;
}
