/**
 * `@sysray/pcapng/scap`: Falco capture files (`.scap`, written by falcosecurity/libs) — PCAPNG sections with
 * sysdig block types — read and written as streams. Machine info, process, fd, interface and user lists,
 * event blocks of every version (legacy headers without `nparams`, EVF dump flags, 32-bit large payloads),
 * gzip input, the libs event table, typed parameter decoding and event encoding.
 *
 * @packageDocumentation
 */
export {
  EVENT_HEADER_V1,
  EVENT_HEADER_V2,
  EVENT_PROBLEM_TEXT,
  EventBatch,
  EventProblem,
  type RawBlock,
} from './batch.js';
export { isEventBlock, isScapBlock, PROCLIST_VERSION, ScapBlockType } from './block-types.js';
export {
  type EventBlockOptions,
  encodeAsyncEvent,
  encodeEvent,
  encodeEventBlock,
  encodeParamValue,
  encodePluginEvent,
  type ScapAsyncEvent,
  type ScapEventSpec,
  type ScapParamInput,
  type ScapPluginEvent,
} from './encode.js';
export { ScapEvent, type ScapEventJson } from './event.js';
export {
  dynamicParamType,
  EC,
  EF,
  EVENT_COUNT,
  EVENT_NAMES,
  EVENT_TABLE,
  EventType,
  eventInfo,
  eventTypesByName,
  flagNames,
  isEnterEvent,
  PT,
  PT_NAMES,
  paramIndexOf,
  type ScapEventInfo,
  type ScapEventName,
  type ScapParamInfo,
} from './event-table.js';
export {
  EventTypeCounter,
  eventTypeMask,
  type FormatLineOptions,
  formatEventLine,
  formatEventTime,
  type ThreadNameLookup,
  ThreadNames,
} from './format.js';
export { paramJson, paramText, printableBytes } from './format-value.js';
export {
  type BodyRef,
  parseFdList,
  parseInterfaceList,
  parseMachineInfo,
  parseProcessList,
  parseUserList,
  type ScapEntryExtra,
  type ScapFdInfo,
  ScapFdType,
  type ScapGroupInfo,
  type ScapInterfaceInfo,
  type ScapMachineInfo,
  type ScapThreadInfo,
  type ScapUserInfo,
} from './metadata.js';
export {
  encodeFdListBlock,
  encodeInterfaceListBlock,
  encodeMachineInfoBlock,
  encodeProcessListBlock,
  encodeUserListBlock,
} from './metadata-encode.js';
export {
  decodeParamValue,
  ERRNO_NAMES,
  type ScapFdListEntry,
  type ScapFlags,
  type ScapParamValue,
  type ScapSockAddr,
  type ScapSockTuple,
  SIGNAL_NAMES,
} from './params.js';
export { decodeAsyncEvent, decodePluginEvent } from './plugin.js';
export {
  addMetadataBlock,
  emptyCaptureInfo,
  readScap,
  readScapSync,
  type ScapCapture,
  type ScapCaptureInfo,
  ScapReader,
  type ScapReadOptions,
} from './reader.js';
export {
  encodeBatch,
  encodeRawBlock,
  eventBlockBytes,
  type ScapByteSink,
  type ScapSectionOptions,
  type ScapWriteMode,
  ScapWriter,
  scapSectionHeader,
  writeScap,
  writeScapSync,
} from './writer.js';
