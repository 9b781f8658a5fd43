/**
 * Block type ids of Falco capture (scap) files, as written by falcosecurity/libs. Ids named `*_INT` are the
 * pre-release numbers old captures still carry; they have the same layout as their release counterparts.
 */
export const ScapBlockType = {
  /** Machine info. */
  MI: 0x201,
  MI_INT: 0x8002abcd,
  /** Process lists, versions 1 to 9 (version 9 prefixes each entry with its length). */
  PL_V1: 0x202,
  PL_V1_INT: 0x8000abcd,
  PL_V2: 0x207,
  PL_V2_INT: 0x8013abcd,
  PL_V3: 0x209,
  PL_V3_INT: 0x8014abcd,
  PL_V4: 0x210,
  PL_V5: 0x211,
  PL_V6: 0x212,
  PL_V7: 0x213,
  PL_V8: 0x214,
  PL_V9: 0x215,
  /** Fd lists (version 2 prefixes each entry with its length). */
  FDL: 0x203,
  FDL_INT: 0x8001abcd,
  FDL_V2: 0x218,
  /** Events: cpu id + event. `EV` and `EV_INT` carry legacy event headers without `nparams`. */
  EV: 0x204,
  EV_INT: 0x8010abcd,
  EV_V2: 0x216,
  EV_V2_LARGE: 0x221,
  /** Interface lists (version 2 prefixes each entry with its length). */
  IL: 0x205,
  IL_INT: 0x8011abcd,
  IL_V2: 0x219,
  /** User/group lists (version 2 prefixes each entry with its length). */
  UL: 0x206,
  UL_INT: 0x8012abcd,
  UL_V2: 0x220,
  /** Events with 32 bits of dump flags after the cpu id. `EVF` carries legacy headers. */
  EVF: 0x208,
  EVF_V2: 0x217,
  EVF_V2_LARGE: 0x222,
} as const;

const EVENT_BLOCKS = new Set<number>([
  ScapBlockType.EV,
  ScapBlockType.EV_INT,
  ScapBlockType.EV_V2,
  ScapBlockType.EV_V2_LARGE,
  ScapBlockType.EVF,
  ScapBlockType.EVF_V2,
  ScapBlockType.EVF_V2_LARGE,
]);

/** Process-list block ids mapped to their layout version (1-9). */
export const PROCLIST_VERSION: ReadonlyMap<number, number> = new Map([
  [ScapBlockType.PL_V1, 1],
  [ScapBlockType.PL_V1_INT, 1],
  [ScapBlockType.PL_V2, 2],
  [ScapBlockType.PL_V2_INT, 2],
  [ScapBlockType.PL_V3, 3],
  [ScapBlockType.PL_V3_INT, 3],
  [ScapBlockType.PL_V4, 4],
  [ScapBlockType.PL_V5, 5],
  [ScapBlockType.PL_V6, 6],
  [ScapBlockType.PL_V7, 7],
  [ScapBlockType.PL_V8, 8],
  [ScapBlockType.PL_V9, 9],
]);

/** Whether `blockType` is an event block (EV or EVF, any version). */
export function isEventBlock(blockType: number): boolean {
  return EVENT_BLOCKS.has(blockType >>> 0);
}

/** Whether `blockType` is any scap block (metadata or event). */
export function isScapBlock(blockType: number): boolean {
  const t = blockType >>> 0;
  return (
    EVENT_BLOCKS.has(t) ||
    PROCLIST_VERSION.has(t) ||
    t === ScapBlockType.MI ||
    t === ScapBlockType.MI_INT ||
    t === ScapBlockType.FDL ||
    t === ScapBlockType.FDL_INT ||
    t === ScapBlockType.FDL_V2 ||
    t === ScapBlockType.IL ||
    t === ScapBlockType.IL_INT ||
    t === ScapBlockType.IL_V2 ||
    t === ScapBlockType.UL ||
    t === ScapBlockType.UL_INT ||
    t === ScapBlockType.UL_V2
  );
}
