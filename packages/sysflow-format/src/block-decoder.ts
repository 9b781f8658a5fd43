import { inflateRawSync } from 'node:zlib';
import type avro from 'avsc';
import {
  type AvscType,
  parseSchema,
  readerSchema,
  shortName,
  sysflowBranches,
  sysflowTypeIndex,
} from './avro-types.js';
import { SysFlowError } from './errors.js';
import { compileFastDecoder, type DecodeCursor, type FastDecodeFn } from './fast-decode.js';
import type { AvroSchemaJSON } from './schema.js';
import type { SysFlowFileHeader, SysFlowRecord, SysFlowType } from './types.js';
import { compileSkipper, MalformedValue, type SkipFn, varintAt, varintEnd } from './validate.js';

/** Options every reader takes. */
export interface ReadOptions {
  /**
   * Largest block accepted, stored and inflated, in bytes (default 64 MiB). Bounds a reader's memory:
   * it holds one block (plus one input chunk) at a time.
   */
  maxBlockBytes?: number;
  /** Largest file header accepted, in bytes (default 1 MiB). */
  maxHeaderBytes?: number;
  /**
   * The file name errors carry in their location when the source is not a path (a stream or chunks read from
   * a file, e.g. through a progress counter). A path source names itself.
   */
  sourceName?: string;
  /** Called once with the file header (writer schema, codec, metadata) before the first record. */
  onHeader?: (header: SysFlowFileHeader) => void;
}

/** Default of {@link ReadOptions.maxBlockBytes}. */
export const DEFAULT_MAX_BLOCK_BYTES = 64 * 1024 * 1024;
/** Default of {@link ReadOptions.maxHeaderBytes}. */
export const DEFAULT_MAX_HEADER_BYTES = 1024 * 1024;

interface BranchPlan {
  /** v5 branch name, or the writer's name when v5 has no such branch. */
  name: string;
  known: boolean;
  /** Reader (v5) branch type. */
  type: AvscType | undefined;
  /** Resolver from the writer branch, or undefined when both are the same schema. */
  resolver: avro.Resolver | undefined;
  /** Generated decoder, when the writer's branch is the reader's own (no resolution needed). */
  fast: FastDecodeFn | undefined;
  /** Bounds-checked walk of the writer's encoding, for branches without a generated decoder. */
  skip: SkipFn | undefined;
}

/** Smallest output chunk of an inflate (zlib's own default is 16 KiB). */
const MIN_INFLATE_CHUNK = 16 * 1024;

/** Decoding plans of recently seen writer schemas (files of one collector share one schema). */
const planCache = new Map<string, BranchPlan[]>();
const PLAN_CACHE_SIZE = 16;
/** The same plans, by the frozen schema object of headers read from files. */
const planBySchema = new WeakMap<object, BranchPlan[]>();

interface Where {
  offset: number;
  blockIndex: number;
}

/**
 * Turns the data blocks of one file into v5 records: inflates (deflate codec), walks the writer's
 * encoding with bounds checks, then decodes each record with avsc through a resolver from the writer
 * schema to the v5 reader schema (defaults filled for fields older writers lack).
 */
export class BlockDecoder {
  private readonly plans: BranchPlan[];
  private readonly codec: 'null' | 'deflate';
  private readonly maxBlockBytes: number;
  private readonly cursor: DecodeCursor = { p: 0, e: 0 };
  /** Inflated size of the previous block (sizes the next inflate's output). */
  private lastInflated = 0;

  constructor(header: SysFlowFileHeader, options: ReadOptions = {}) {
    this.codec = header.codec;
    this.maxBlockBytes = options.maxBlockBytes ?? DEFAULT_MAX_BLOCK_BYTES;
    // Headers read from files share one frozen schema object per distinct schema: plans are found by it.
    const schema = header.schema;
    const shared = typeof schema === 'object' && schema !== null && Object.isFrozen(schema);
    const byObject = shared ? planBySchema.get(schema) : undefined;
    if (byObject) {
      this.plans = byObject;
      return;
    }
    const key = JSON.stringify(schema);
    const cached = planCache.get(key);
    if (cached) {
      this.plans = cached;
    } else {
      this.plans = BlockDecoder.plan(header);
      if (planCache.size >= PLAN_CACHE_SIZE) planCache.delete(planCache.keys().next().value!);
      planCache.set(key, this.plans);
    }
    if (shared) planBySchema.set(schema, this.plans);
  }

  private static plan(header: SysFlowFileHeader): BranchPlan[] {
    let branches: AvscType[];
    try {
      branches = sysflowBranches(parseSchema(header.schema as AvroSchemaJSON)).branches;
    } catch (error) {
      throw new SysFlowError(
        'BAD_SCHEMA',
        `writer schema is not a usable SysFlow schema: ${(error as Error).message}`,
        { offset: 0 },
        error,
      );
    }
    const reader = readerSchema().branches;
    const skipCache = new Map();
    return branches.map((writer) => {
      const name = shortName(writer);
      const index = sysflowTypeIndex(name);
      const type = index === undefined ? undefined : reader[index];
      let resolver: avro.Resolver | undefined;
      if (type && !type.equals(writer)) {
        try {
          resolver = type.createResolver(writer);
        } catch (error) {
          throw new SysFlowError(
            'BAD_SCHEMA',
            `writer's ${name} cannot be read as SysFlow v5 ${name}: ${(error as Error).message}`,
            { offset: 0 },
            error,
          );
        }
      }
      const fast = type && !resolver ? compileFastDecoder(type) : undefined;
      return {
        name,
        known: type !== undefined,
        type,
        resolver,
        fast,
        skip: fast ? undefined : compileSkipper(writer, skipCache),
      };
    });
  }

  /** Decodes one block's data (as stored in the file) holding `count` records. */
  decode(stored: Uint8Array, count: number, where: Where): SysFlowRecord[] {
    const data = this.inflate(stored, where);
    const end = data.length;
    if (count > end) {
      throw new SysFlowError('BAD_BLOCK', `block claims ${count} records in ${end} bytes`, where);
    }
    // One pass: generated decoders check bounds as they read; other branches (writer schemas that need
    // resolving) are walked with bounds checks first, then decoded by avsc.
    const buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    const records: SysFlowRecord[] = new Array(count);
    const cursor = this.cursor;
    cursor.p = 0;
    cursor.e = end;
    for (let i = 0; i < count; i++) {
      const start = cursor.p;
      let plan: BranchPlan;
      try {
        const index = varintAt(buf, start, end);
        cursor.p = varintEnd();
        const found = this.plans[index];
        if (!found)
          throw new MalformedValue(`union index ${index} not in 0..${this.plans.length - 1}`, start);
        if (!found.known)
          throw new MalformedValue(`record type ${found.name} is not a SysFlow v5 type`, start);
        plan = found;
        if (plan.fast) {
          records[i] = { type: plan.name as SysFlowType, rec: plan.fast(buf, cursor) } as SysFlowRecord;
          continue;
        }
        plan.skip!(buf, cursor.p, end);
      } catch (error) {
        if (error instanceof MalformedValue) {
          throw new SysFlowError('BAD_RECORD', `record does not decode: ${error.message}`, {
            ...where,
            recordIndex: i,
          });
        }
        throw error;
      }
      let decoded: { value: unknown; offset: number };
      try {
        decoded = plan.type!.decode(buf, cursor.p, plan.resolver);
      } catch (error) {
        throw new SysFlowError(
          'BAD_RECORD',
          `record does not decode: ${(error as Error).message}`,
          { ...where, recordIndex: i },
          error,
        );
      }
      if (decoded.offset < 0) {
        throw new SysFlowError('BAD_RECORD', 'record runs past the end of its block', {
          ...where,
          recordIndex: i,
        });
      }
      records[i] = { type: plan.name as SysFlowType, rec: decoded.value } as SysFlowRecord;
      cursor.p = decoded.offset;
    }
    if (cursor.p !== end) {
      throw new SysFlowError(
        'BAD_BLOCK',
        `${count} records take ${cursor.p} bytes but the block holds ${end}`,
        where,
      );
    }
    return records;
  }

  private inflate(stored: Uint8Array, where: Where): Uint8Array {
    if (this.codec === 'null') return stored;
    try {
      // One output chunk the size of the last block (plus a margin) inflates most blocks in one go:
      // zlib's 16 KiB default makes several chunks and a copy to join them.
      const wanted = Math.max(
        MIN_INFLATE_CHUNK,
        stored.length * 4,
        this.lastInflated + (this.lastInflated >> 2),
      );
      const chunkSize = Math.max(64, Math.min(this.maxBlockBytes, wanted));
      const data = inflateRawSync(stored, { maxOutputLength: this.maxBlockBytes, chunkSize });
      this.lastInflated = data.length;
      return data;
    } catch (error) {
      throw new SysFlowError(
        'BAD_COMPRESSION',
        `deflate block does not inflate: ${(error as Error).message}`,
        where,
        error,
      );
    }
  }
}
