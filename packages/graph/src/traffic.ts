/** Per-process network traffic over time, and a periodicity score that flags beaconing. */
import type { ProvenanceGraph } from './graph.js';
import type { EndpointNode, ProcessNode } from './types.js';

/**
 * How periodic a series of event times is. `score` is in `[0, 1]`:
 *
 * `score = 0.5 · max(0, 1 − cv) + 0.5 · max(0, acf)`
 *
 * - `cv`: coefficient of variation (standard deviation / mean) of the inter-arrival times: 0 for a
 *   perfect clock, about 1 for a Poisson (random) process.
 * - `acf`: the highest autocorrelation of the event counts, binned at a quarter of the median
 *   inter-arrival time, over lags 2 … bins/2: near 1 when the series repeats with a fixed period,
 *   near 0 for random arrivals. The first local peak within 80% of it gives `period` (multiples of
 *   the period peak about as high).
 *
 * `beaconing` is `events ≥ minEvents` (default 4) and `score ≥ threshold` (default 0.6). Fewer than
 * `minEvents` events score 0.
 */
export interface PeriodicityScore {
  /** Combined score in `[0, 1]`. */
  score: number;
  /** Events (flow starts) scored. */
  events: number;
  /** Mean inter-arrival time, seconds (`0` with fewer than 2 events). */
  meanInterval: number;
  /** Coefficient of variation of the inter-arrival times (`Infinity` when undefined). */
  cv: number;
  /** Highest autocorrelation of the binned event counts (lags ≥ 2 bins). */
  autocorrelation: number;
  /** Period at that autocorrelation peak, seconds (`null` without one). */
  period: number | null;
  /** Flagged as beaconing. */
  beaconing: boolean;
}

/** Options of {@link periodicity}. */
export interface PeriodicityOptions {
  /** Fewest events to score (default 4). */
  minEvents?: number;
  /** Score at and above which the series is beaconing (default 0.6). */
  threshold?: number;
}

const MAX_ACF_BINS = 4096;

/** Scores the periodicity of event times given in seconds (any origin, any order). See {@link PeriodicityScore}. */
export function periodicity(times: readonly number[], options: PeriodicityOptions = {}): PeriodicityScore {
  const minEvents = options.minEvents ?? 4;
  const threshold = options.threshold ?? 0.6;
  const t = [...times].sort((a, b) => a - b);
  const n = t.length;
  const gaps: number[] = [];
  for (let i = 1; i < n; i++) gaps.push(t[i]! - t[i - 1]!);
  const mean = gaps.length ? gaps.reduce((s, x) => s + x, 0) / gaps.length : 0;
  const sd = gaps.length ? Math.sqrt(gaps.reduce((s, x) => s + (x - mean) ** 2, 0) / gaps.length) : 0;
  const cv = mean > 0 ? sd / mean : Number.POSITIVE_INFINITY;
  const empty: PeriodicityScore = {
    score: 0,
    events: n,
    meanInterval: mean,
    cv,
    autocorrelation: 0,
    period: null,
    beaconing: false,
  };
  if (n < minEvents || mean <= 0) return empty;
  const sorted = [...gaps].sort((a, b) => a - b);
  const median = sorted[sorted.length >> 1]! || mean;
  const span = t[n - 1]! - t[0]!;
  let width = median / 4;
  if (span / width > MAX_ACF_BINS) width = span / MAX_ACF_BINS;
  const bins = Math.floor(span / width) + 1;
  const counts = new Float64Array(bins);
  for (const x of t) counts[Math.min(bins - 1, Math.floor((x - t[0]!) / width))]! += 1;
  const avg = n / bins;
  let denom = 0;
  for (let i = 0; i < bins; i++) {
    counts[i] = counts[i]! - avg;
    denom += counts[i]! ** 2;
  }
  let best = 0;
  let bestLag = 0;
  if (denom > 0) {
    const maxLag = bins >> 1;
    const acf = new Float64Array(maxLag + 2);
    for (let lag = 2; lag <= maxLag; lag++) {
      let s = 0;
      for (let i = 0; i + lag < bins; i++) s += counts[i]! * counts[i + lag]!;
      acf[lag] = s / denom;
      if (acf[lag]! > best) best = acf[lag]!;
    }
    // The period is the first local peak close to the highest one (multiples of it peak as high).
    for (let lag = 2; lag <= maxLag && best > 0; lag++) {
      const r = acf[lag]!;
      if (r >= 0.8 * best && r >= acf[lag - 1]! && r >= acf[lag + 1]!) {
        bestLag = lag;
        break;
      }
    }
  }
  const score = 0.5 * Math.max(0, 1 - cv) + 0.5 * Math.max(0, best);
  return {
    score,
    events: n,
    meanInterval: mean,
    cv,
    autocorrelation: best,
    period: bestLag > 0 ? bestLag * width : null,
    beaconing: score >= threshold,
  };
}

/** One network flow of a process, as {@link processTraffic} lists it. */
export interface TrafficFlow {
  /** Endpoint node key. */
  endpoint: string;
  /** Endpoint label. */
  label: string;
  /** Start, ns. */
  start: bigint;
  /** End, ns. */
  end: bigint;
  /** Bytes received. */
  bytesIn: number;
  /** Bytes sent. */
  bytesOut: number;
}

/** Ingress/egress bytes of one process over time. */
export interface TrafficSeries {
  /** Process node key. */
  process: string;
  /** Process label. */
  label: string;
  /** Its network flows, by start time. */
  flows: TrafficFlow[];
  /** Start of the first bin, ns. */
  binStart: bigint;
  /** Bin width, ns. */
  binWidth: bigint;
  /** Bytes received per bin (a flow's bytes spread evenly over its duration). */
  ingress: number[];
  /** Bytes sent per bin. */
  egress: number[];
  /** Total bytes received. */
  totalIn: number;
  /** Total bytes sent. */
  totalOut: number;
  /** Periodicity of the flow start times. */
  periodicity: PeriodicityScore;
}

/** Options of {@link processTraffic}. */
export interface TrafficOptions extends PeriodicityOptions {
  /** Bin width in ns; default: the flows' time span divided into `bins` bins. */
  binWidth?: bigint;
  /** Number of bins when `binWidth` is not given (default 60). */
  bins?: number;
  /** Include the flows of every later image (exec) of the same process (default `true`). */
  allImages?: boolean;
}

/**
 * Ingress/egress bytes over time of one process (node key, or a pid: every process node with it),
 * from the flow samples of its `network` edges, with the {@link periodicity} of its flow start times.
 */
export function processTraffic(
  pg: ProvenanceGraph,
  process: string | number,
  options: TrafficOptions = {},
): TrafficSeries {
  const g = pg.graph;
  const keys = typeof process === 'number' ? pg.processesByPid(process) : [process];
  const first = keys[0];
  if (first === undefined || !g.hasNode(first)) throw new Error(`no process ${process} in the graph`);
  const procs = new Set(keys);
  if (options.allImages ?? true) {
    for (const k of keys)
      for (const img of pg.images.get((g.getNodeAttributes(k) as ProcessNode).oid) ?? []) procs.add(img);
  }
  const flows: TrafficFlow[] = [];
  for (const p of procs) {
    if (!g.hasNode(p)) continue;
    for (const e of g.outEdges(p)) {
      const a = g.getEdgeAttributes(e);
      if (a.kind !== 'network') continue;
      const ep = g.target(e);
      const label = (g.getNodeAttributes(ep) as EndpointNode).label;
      for (const s of a.samples ?? []) flows.push({ endpoint: ep, label, ...s });
    }
  }
  flows.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const attrs = g.getNodeAttributes(first);
  const series: TrafficSeries = {
    process: first,
    label: attrs.label,
    flows,
    binStart: 0n,
    binWidth: 1n,
    ingress: [],
    egress: [],
    totalIn: 0,
    totalOut: 0,
    periodicity: periodicity([], options),
  };
  if (flows.length === 0) return series;
  const lo = flows[0]!.start;
  let hi = lo;
  for (const f of flows) {
    if (f.end > hi) hi = f.end;
    if (f.start > hi) hi = f.start;
    series.totalIn += f.bytesIn;
    series.totalOut += f.bytesOut;
  }
  const nbins = Math.max(1, options.bins ?? 60);
  let width = options.binWidth ?? (hi - lo) / BigInt(nbins) + 1n;
  if (width <= 0n) width = 1n;
  const count = Number((hi - lo) / width) + 1;
  const ingress = new Array<number>(count).fill(0);
  const egress = new Array<number>(count).fill(0);
  const w = Number(width);
  for (const f of flows) {
    const s = Number(f.start - lo);
    const e = Math.max(s, Number(f.end - lo));
    const b0 = Math.floor(s / w);
    const b1 = Math.min(count - 1, Math.floor(e / w));
    if (b0 === b1 || e === s) {
      ingress[b0]! += f.bytesIn;
      egress[b0]! += f.bytesOut;
      continue;
    }
    for (let b = b0; b <= b1; b++) {
      const overlap = Math.min(e, (b + 1) * w) - Math.max(s, b * w);
      const share = overlap / (e - s);
      ingress[b]! += f.bytesIn * share;
      egress[b]! += f.bytesOut * share;
    }
  }
  series.binStart = lo;
  series.binWidth = width;
  series.ingress = ingress;
  series.egress = egress;
  series.periodicity = periodicity(
    flows.map((f) => Number(f.start - lo) / 1e9),
    options,
  );
  return series;
}

/**
 * Traffic of the processes that have network flows, most bytes first (at most `top`, default 20;
 * one series per process OID, images merged).
 */
export function trafficByProcess(
  pg: ProvenanceGraph,
  options: TrafficOptions & { top?: number } = {},
): TrafficSeries[] {
  const g = pg.graph;
  const totals = new Map<string, { key: string; bytes: number }>();
  g.forEachEdge((_e, a, source) => {
    if (a.kind !== 'network') return;
    const oid = (g.getNodeAttributes(source) as ProcessNode).oid;
    const t = totals.get(oid);
    if (t) t.bytes += a.bytesIn + a.bytesOut;
    else totals.set(oid, { key: source, bytes: a.bytesIn + a.bytesOut });
  });
  const top = [...totals.values()].sort((a, b) => b.bytes - a.bytes).slice(0, options.top ?? 20);
  const out = top.map((t) => processTraffic(pg, t.key, options));
  out.sort((a, b) => b.totalIn + b.totalOut - (a.totalIn + a.totalOut));
  return out;
}
