/**
 * The SysFlow Avro schema, version 5, built from field lists (facts from sf-apis `avro/avsc`): the
 * `SysFlow` record holds one field, `rec`, a union of 12 record types in a fixed order.
 */

/** An Avro schema as JSON (what `avro.schema` in a file header holds). */
export type AvroSchemaJSON = string | AvroSchemaJSON[] | { [key: string]: unknown };

/** The current SysFlow schema version (`SFHeader.version` default). */
export const SYSFLOW_SCHEMA_VERSION = 5;

/** Names of the `SysFlow.rec` union branches, in union order (index = branch index in the file). */
export const SYSFLOW_TYPES = [
  'SFHeader',
  'Container',
  'Process',
  'File',
  'ProcessEvent',
  'NetworkFlow',
  'FileFlow',
  'FileEvent',
  'NetworkEvent',
  'ProcessFlow',
  'Pod',
  'K8sEvent',
] as const;

/** Symbols of the `sysflow.type.ContainerType` enum. */
export const CONTAINER_TYPES = [
  'CT_DOCKER',
  'CT_LXC',
  'CT_LIBVIRT_LXC',
  'CT_MESOS',
  'CT_RKT',
  'CT_CUSTOM',
  'CT_CRI',
  'CT_CONTAINERD',
  'CT_CRIO',
  'CT_BPM',
] as const;

/** Symbols of the `sysflow.type.SFObjectState` enum. */
export const OBJECT_STATES = ['CREATED', 'MODIFIED', 'REUP'] as const;

/** Symbols of the `sysflow.type.K8sComponent` enum. */
export const K8S_COMPONENTS = [
  'K8S_NODES',
  'K8S_NAMESPACES',
  'K8S_PODS',
  'K8S_REPLICATIONCONTROLLERS',
  'K8S_SERVICES',
  'K8S_EVENTS',
  'K8S_REPLICASETS',
  'K8S_DAEMONSETS',
  'K8S_DEPLOYMENTS',
  'K8S_UNKNOWN',
] as const;

/** Symbols of the `sysflow.type.K8sAction` enum. */
export const K8S_ACTIONS = [
  'K8S_COMPONENT_ADDED',
  'K8S_COMPONENT_MODIFIED',
  'K8S_COMPONENT_DELETED',
  'K8S_COMPONENT_ERROR',
  'K8S_COMPONENT_NONEXISTENT',
  'K8S_COMPONENT_UNKNOWN',
] as const;

type Field = { name: string; type: AvroSchemaJSON; default?: unknown };

const f = (name: string, type: AvroSchemaJSON, ...rest: [] | [unknown]): Field =>
  rest.length ? { name, type, default: rest[0] } : { name, type };
const record = (name: string, namespace: string, fields: Field[]) => ({
  type: 'record',
  name,
  namespace,
  fields,
});
const arrayOf = (items: AvroSchemaJSON, extra: Record<string, unknown> = {}) => ({
  type: 'array',
  items,
  ...extra,
});
const mapOf = (values: AvroSchemaJSON) => ({ type: 'map', values });
const nullable = (type: AvroSchemaJSON) => ['null', type];
const ipList = () => arrayOf('long', { logicalType: 'ipaddr' });

const OID = 'sysflow.type.OID';
const FOID = 'sysflow.type.FOID';

/** Fields every flow and event starts with: the process OID, the start time and the thread id. */
const procHead = (): Field[] => [f('procOID', OID), f('ts', 'long'), f('tid', 'long'), f('opFlags', 'int')];
const flowCounters = (): Field[] => [
  f('numRRecvOps', 'long'),
  f('numWSendOps', 'long'),
  f('numRRecvBytes', 'long'),
  f('numWSendBytes', 'long'),
];

/**
 * Builds the SysFlow v5 schema as JSON. `withReadDefaults` adds defaults to the four v5 fields that have
 * none upstream but are missing from older writer schemas (`SFHeader.filename` = "", `Container.podId`
 * = null, `Process.cwd` = "", `Process.env` = []), so files of schema v2, v4 and the legacy "1000"
 * layout resolve to v5 records.
 */
export function buildSysFlowSchema(withReadDefaults = false): AvroSchemaJSON {
  const d = (value: unknown): [] | [unknown] => (withReadDefaults ? [value] : []);
  const header = record('SFHeader', 'sysflow.entity', [
    f('version', 'long', SYSFLOW_SCHEMA_VERSION),
    f('exporter', 'string'),
    f('ip', 'string', 'NA'),
    f('filename', 'string', ...d('')),
  ]);
  const container = record('Container', 'sysflow.entity', [
    f('id', 'string'),
    f('name', 'string'),
    f('image', 'string'),
    f('imageid', 'string'),
    f('type', {
      type: 'enum',
      name: 'ContainerType',
      namespace: 'sysflow.type',
      symbols: [...CONTAINER_TYPES],
    }),
    f('privileged', 'boolean'),
    f('podId', nullable('string'), ...d(null)),
  ]);
  const process = record('Process', 'sysflow.entity', [
    f('state', {
      type: 'enum',
      name: 'SFObjectState',
      namespace: 'sysflow.type',
      symbols: [...OBJECT_STATES],
    }),
    f('oid', {
      type: 'record',
      name: 'OID',
      namespace: 'sysflow.type',
      fields: [f('createTS', 'long'), f('hpid', 'long')],
    }),
    f('poid', nullable(OID)),
    f('ts', 'long'),
    f('exe', 'string'),
    f('exeArgs', 'string'),
    f('uid', 'int'),
    f('userName', 'string'),
    f('gid', 'int'),
    f('groupName', 'string'),
    f('tty', 'boolean'),
    f('containerId', nullable('string')),
    f('entry', 'boolean', false),
    f('cwd', 'string', ...d('')),
    f('env', arrayOf('string'), ...d([])),
  ]);
  const file = record('File', 'sysflow.entity', [
    f('state', 'sysflow.type.SFObjectState'),
    f('oid', { type: 'fixed', name: 'FOID', namespace: 'sysflow.type', size: 20 }),
    f('ts', 'long'),
    f('restype', 'int'),
    f('path', 'string'),
    f('containerId', nullable('string')),
  ]);
  const processEvent = record('ProcessEvent', 'sysflow.event', [
    ...procHead(),
    f('args', arrayOf('string')),
    f('ret', 'int'),
  ]);
  const endpoints = (): Field[] => [
    f('sip', 'int'),
    f('sport', 'int'),
    f('dip', 'int'),
    f('dport', 'int'),
    f('proto', 'int'),
  ];
  const networkFlow = record('NetworkFlow', 'sysflow.flow', [
    ...procHead(),
    f('endTs', 'long'),
    ...endpoints(),
    f('fd', 'int'),
    ...flowCounters(),
  ]);
  const fileFlow = record('FileFlow', 'sysflow.flow', [
    ...procHead(),
    f('openFlags', 'int'),
    f('endTs', 'long'),
    f('fileOID', FOID),
    f('fd', 'int'),
    ...flowCounters(),
  ]);
  const fileEvent = record('FileEvent', 'sysflow.event', [
    ...procHead(),
    f('fileOID', FOID),
    f('ret', 'int'),
    f('newFileOID', nullable(FOID)),
  ]);
  const networkEvent = record('NetworkEvent', 'sysflow.event', [
    ...procHead(),
    ...endpoints(),
    f('ret', 'int'),
  ]);
  const processFlow = record('ProcessFlow', 'sysflow.flow', [
    f('procOID', OID),
    f('ts', 'long'),
    f('numThreadsCloned', 'long'),
    f('opFlags', 'int'),
    f('endTs', 'long'),
    f('numThreadsExited', 'long'),
    f('numCloneErrors', 'long'),
  ]);
  const port = {
    type: 'record',
    name: 'Port',
    fields: [f('port', 'int'), f('targetPort', 'int'), f('nodePort', 'int'), f('proto', 'string')],
  };
  const service = {
    type: 'record',
    name: 'Service',
    fields: [
      f('name', 'string'),
      f('id', 'string'),
      f('namespace', 'string'),
      f('portList', arrayOf(port)),
      f('clusterIP', ipList()),
    ],
  };
  const pod = record('Pod', 'sysflow.entity', [
    f('ts', 'long'),
    f('id', 'string'),
    f('name', 'string'),
    f('nodeName', 'string'),
    f('hostIP', ipList()),
    f('internalIP', ipList()),
    f('namespace', 'string'),
    f('restartCount', 'long'),
    f('labels', mapOf('string')),
    f('selectors', mapOf('string')),
    f('services', arrayOf(service)),
  ]);
  const k8sEvent = record('K8sEvent', 'sysflow.event', [
    f('kind', {
      type: 'enum',
      name: 'K8sComponent',
      namespace: 'sysflow.type',
      symbols: [...K8S_COMPONENTS],
    }),
    f('action', { type: 'enum', name: 'K8sAction', namespace: 'sysflow.type', symbols: [...K8S_ACTIONS] }),
    f('ts', 'long'),
    f('message', 'string'),
  ]);
  return {
    type: 'record',
    name: 'SysFlow',
    namespace: 'sysflow',
    fields: [
      f('rec', [
        header,
        container,
        process,
        file,
        processEvent,
        networkFlow,
        fileFlow,
        fileEvent,
        networkEvent,
        processFlow,
        pod,
        k8sEvent,
      ]),
    ],
  };
}

/** The SysFlow v5 schema exactly as SysFlow's collector writes it into `.sf` headers (as JSON). */
export const SYSFLOW_SCHEMA: AvroSchemaJSON = buildSysFlowSchema(false);
