import type { Registry } from 'prom-client';

/** One value line of a metric, in the shape prom-client's registry formats (its own counters and histograms give the same). */
interface Value {
  labels: Record<string, string | number>;
  sharedLabels: Record<string, string>;
  value: number;
  metricName?: string;
}

export interface Series {
  labels: Record<string, string>;
  /** Observations per bucket (not cumulative); the last slot is above the highest bound. */
  buckets: Float64Array;
  sum: number;
  count: number;
}

/**
 * The per-request counter and histogram as plain numbers: a request adds to a few array
 * slots of its series, found once by key; the Prometheus lines are made at scrape time.
 * prom-client's own Counter and Histogram hash the label object on every inc/observe,
 * even through a `labels()` child (measured ~5 % of a JWKS request; docs/performance.md
 * "The request prelude"). The text is the same as theirs: `{le="…",<labels>}` buckets,
 * cumulative, then `+Inf`, `_sum` and `_count`.
 */
export class RequestSeries {
  private readonly series = new Map<string, Series>();
  private readonly counts = new Map<string, { labels: Record<string, string>; n: number }>();

  constructor(
    registry: Registry,
    private readonly counter: { name: string; help: string },
    private readonly histogram: { name: string; help: string; buckets: readonly number[] },
  ) {
    registry.registerMetric(this.metric(counter.name, counter.help, 'counter', () => this.counterValues()) as never);
    registry.registerMetric(this.metric(histogram.name, histogram.help, 'histogram', () => this.histogramValues()) as never);
  }

  /** The counter cell of these labels (made once; callers keep it): `cell.n++` counts. */
  counterCell(labels: Record<string, string>): { n: number } {
    const key = JSON.stringify(labels);
    let c = this.counts.get(key);
    if (!c) this.counts.set(key, (c = { labels, n: 0 }));
    return c;
  }

  /** The histogram series of these labels (made once; callers keep it), for observe(). */
  histogramSeries(labels: Record<string, string>): Series {
    const key = JSON.stringify(labels);
    let s = this.series.get(key);
    if (!s) this.series.set(key, (s = { labels, buckets: new Float64Array(this.histogram.buckets.length + 1), sum: 0, count: 0 }));
    return s;
  }

  /** One observation: its bucket (the first bound it does not exceed, as prom-client), the sum and the count. */
  observe(s: Series, seconds: number): void {
    const bounds = this.histogram.buckets;
    let i = 0;
    while (i < bounds.length && seconds > bounds[i]!) i++;
    s.buckets[i]!++;
    s.sum += seconds;
    s.count++;
  }

  private metric(name: string, help: string, type: 'counter' | 'histogram', values: () => Value[]) {
    const m = {
      name,
      help,
      type,
      aggregator: 'sum',
      get: () => ({ name, help, type, values: values(), aggregator: 'sum' }),
      reset: () => (type === 'counter' ? this.counts.clear() : this.series.clear()),
    };
    return m;
  }

  private counterValues(): Value[] {
    return [...this.counts.values()].map((c) => ({ labels: c.labels, sharedLabels: {}, value: c.n }));
  }

  private histogramValues(): Value[] {
    const { name, buckets: bounds } = this.histogram;
    const out: Value[] = [];
    for (const s of this.series.values()) {
      let acc = 0;
      bounds.forEach((le, i) => {
        acc += s.buckets[i]!;
        out.push({ labels: { le }, sharedLabels: s.labels, value: acc, metricName: `${name}_bucket` });
      });
      out.push({ labels: { le: '+Inf' }, sharedLabels: s.labels, value: s.count, metricName: `${name}_bucket` });
      out.push({ labels: {}, sharedLabels: s.labels, value: s.sum, metricName: `${name}_sum` });
      out.push({ labels: {}, sharedLabels: s.labels, value: s.count, metricName: `${name}_count` });
    }
    return out;
  }
}
