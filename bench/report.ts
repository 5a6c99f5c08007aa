import type { Measurement } from './load.js';
import type { Machine } from './machine.js';
import type { SigningRates } from './signing-rate.js';
import type { Targets } from './scenarios.js';
import { onboardingTable, type OnboardingResult } from './onboarding.js';

export type Cell = Measurement | { unavailable: string; kind: 'missing' | 'failed' };

export interface Row {
  id: string;
  label: string;
  /** Issue 17's targets for this row (bench/scenarios.ts). */
  targets: Targets;
  signs?: 'RS256' | 'ES256';
  gatehouse?: Cell;
  gatehouseWorkers?: Cell;
  /** oidc-provider 9 with its state in memory (bench/oidc-provider/memory-adapter.ts). */
  reference?: Cell;
  /** oidc-provider 9 with the MongoDB adapter on the same FerretDB and proxy as Gatehouse (bench/oidc-provider/mongodb-adapter.ts). */
  referenceDatabase?: Cell;
  /** A plain node:http server answering the same bytes (bench/targets/raw-http.ts): the machine's limit. */
  raw?: Cell;
}

export interface ScaleSide {
  label: string;
  /** Tenants in memory during the many-tenant traffic. */
  tenants: number;
  /** How tenants were made, and any bound that stopped creation early. */
  note: string;
  rssOneTenant: number;
  /** Right after loading/creating the tenants, before the many-tenant traffic. */
  rssLoaded: number;
  rssMany: number;
  seconds: number;
  /** Lazy loading (Gatehouse): how many tenants loaded within the bound, and first-request latency (ms). */
  firstTouch?: {
    loaded: number;
    of: number;
    seconds: number;
    p50: number;
    p99: number;
    concurrency?: number;
    boundHit?: number;
    /** The first few failed first requests: request, status, start of the body (bench/scale.ts). */
    failures?: string[];
  };
  rows: { id: string; label: string; one?: Cell; many?: Cell }[];
}

export interface BenchResult {
  startedAt: string;
  seconds: number;
  smoke: boolean;
  durationPerScenario: number;
  connections: number;
  workers: number;
  logLevel: string;
  machine: Machine;
  signing: SigningRates;
  rows: Row[];
  scale: ScaleSide[];
  notes: string[];
  /** createTenant latency and tenant-file onboarding (bench/onboarding.ts). */
  onboarding?: OnboardingResult;
}

export const ok = (c: Cell | undefined): c is Measurement => !!c && 'rps' in c;
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
/** autocannon reports whole milliseconds; in-process timings have fractions. */
const ms = (n: number) => (Number.isInteger(n) ? fmt(n) : n < 10 ? fmt(n, 2) : fmt(n, 1));
const whyNot = (c: Exclude<Cell, Measurement>, reference: boolean): string =>
  c.kind === 'missing' ? (reference ? 'not supported' : 'not available yet') : 'failed';
/** Gatehouse's missing endpoints are "not available yet"; a reference's are "not supported". */
const cellText = (c: Cell | undefined, reference = false): [string, string, string, string] => {
  if (!c) return ['–', '', '', ''];
  if (!ok(c)) return [whyNot(c, reference), '', '', ''];
  return [fmt(c.rps) + (c.note ? '*' : ''), ms(c.p50), ms(c.p99), fmt(c.errors)];
};
const ratio = (a: Cell | undefined, b: Cell | undefined): number | undefined => (ok(a) && ok(b) && b.rps > 0 ? a.rps / b.rps : undefined);

/** One target of a row: met, missed, or not judged (the reference does not support the scenario, or it was not run). */
export interface Verdict {
  what: 'in memory' | 'same database' | 'signing';
  target: number;
  value?: number;
  met?: boolean;
  /** Why there is no value. */
  why?: string;
}

/** The row's targets, each with its value. Gatehouse failing or missing a scenario misses its targets. */
export function verdicts(row: Row, signing: SigningRates): Verdict[] {
  const out: Verdict[] = [];
  const against = (what: Verdict['what'], target: number | undefined, ref: Cell | undefined): void => {
    if (target === undefined) return;
    if (!ok(row.gatehouse)) out.push({ what, target, met: false, why: row.gatehouse ? whyNot(row.gatehouse, false) : 'not run' });
    else if (!ref) out.push({ what, target, why: 'not run' });
    else if (!ok(ref)) out.push({ what, target, why: ref.kind === 'missing' ? 'not supported by the reference' : 'the reference failed' });
    else {
      const value = row.gatehouse.rps / Math.max(ref.rps, Number.MIN_VALUE);
      out.push({ what, target, value, met: value >= target });
    }
  };
  against('in memory', row.targets.memory, row.reference);
  against('same database', row.targets.database, row.referenceDatabase);
  if (row.targets.signing !== undefined && row.signs) {
    const target = row.targets.signing;
    if (!ok(row.gatehouse)) out.push({ what: 'signing', target, met: false, why: 'Gatehouse has no number' });
    else {
      const value = row.gatehouse.rps / signing[row.signs];
      out.push({ what: 'signing', target, value, met: value >= target });
    }
  }
  return out;
}

const mark = (met: boolean | undefined): string => (met === undefined ? '' : met ? ' ✓' : ' ✗');

/** `2.96× ✓ (≥ 1.5)`; without a target just `1.20×`; `–` without a ratio. */
function ratioCell(a: Cell | undefined, b: Cell | undefined, target: number | undefined): string {
  const r = ratio(a, b);
  const goal = target === undefined ? '' : ` (≥ ${fmt(target, 1)})`;
  if (r === undefined) return target === undefined ? '–' : `–${goal}`;
  return `${fmt(r, 2)}×${target === undefined ? '' : mark(r >= target)}${goal}`;
}

/** The row's overall verdict: ✓ all judged targets met, ✗ with the missed ones, – no target (or none could be judged). */
export function targetMet(row: Row, signing: SigningRates): string {
  const vs = verdicts(row, signing);
  const missed = vs.filter((v) => v.met === false).map((v) => v.what);
  if (missed.length) return `✗ (${missed.join(', ')})`;
  if (vs.some((v) => v.met)) return vs.some((v) => v.met === undefined) ? '✓ (of the judged)' : '✓';
  return '–';
}

/** The main table as Markdown. */
export function markdownTable(r: BenchResult): string {
  const withWorkers = r.rows.some((x) => x.gatehouseWorkers);
  const withDatabase = r.rows.some((x) => x.referenceDatabase);
  const withRaw = r.rows.some((x) => x.raw);
  const head = ['scenario', 'Gatehouse req/s', 'p50 ms', 'p99 ms', 'errors', 'oidc-provider in memory req/s', '× in memory (target)'];
  if (withDatabase) head.push('oidc-provider same database req/s', '× same database (target)');
  if (withWorkers) head.push(`Gatehouse WORKERS=${r.workers} req/s`, 'p99 ms', '× in memory');
  head.push('of raw signing (one core)');
  if (withRaw) head.push('of raw node:http');
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`];
  for (const row of r.rows) {
    const cells = [row.label, ...cellText(row.gatehouse)];
    cells.push(cellText(row.reference, true)[0], ratioCell(row.gatehouse, row.reference, row.targets.memory));
    if (withDatabase)
      cells.push(cellText(row.referenceDatabase, true)[0], ratioCell(row.gatehouse, row.referenceDatabase, row.targets.database));
    if (withWorkers) {
      const w = cellText(row.gatehouseWorkers);
      cells.push(w[0], w[2], row.gatehouseWorkers ? ratioCell(row.gatehouseWorkers, row.reference, undefined) : '');
    }
    if (row.signs && ok(row.gatehouse)) {
      const f = row.gatehouse.rps / r.signing[row.signs];
      const t = row.targets.signing;
      cells.push(`${fmt(f, 2)} of ${fmt(r.signing[row.signs])}/s ${row.signs}${t === undefined ? '' : `${mark(f >= t)} (≥ ${fmt(t, 1)})`}`);
    } else cells.push('');
    if (withRaw) {
      const rr = ratio(row.gatehouse, row.raw);
      cells.push(rr !== undefined && ok(row.raw) ? `${fmt(rr, 2)} of ${fmt(row.raw.rps)}/s` : '');
    }
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

/** Every measurement of the main pass with its latency and errors (the main table shows only the references' req/s). */
export function detailTable(r: BenchResult): string {
  const who: [keyof Row, string, boolean][] = [
    ['gatehouse', 'Gatehouse (1 process)', false],
    ['gatehouseWorkers', `Gatehouse WORKERS=${r.workers}`, false],
    ['raw', 'raw node:http', false],
    ['reference', 'oidc-provider in memory', true],
    ['referenceDatabase', 'oidc-provider same database', true],
  ];
  const head = ['scenario', 'server', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'requests', 'window s'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i < 2 ? '---' : '---:')).join('|')}|`];
  for (const row of r.rows) {
    for (const [key, name, reference] of who) {
      const c = row[key] as Cell | undefined;
      if (!c) continue;
      const [rps, p50, p99, errors] = cellText(c, reference);
      lines.push(
        `| ${row.label} | ${name} | ${rps} | ${p50} | ${p99} | ${errors} | ${ok(c) ? fmt(c.requests) : ''} | ${ok(c) ? fmt(c.seconds, 1) : ''} |`,
      );
    }
  }
  return lines.join('\n');
}

/** What the columns mean and which rows carry which target (kept short: docs/benchmarks.md has the long form). */
export function legend(r: BenchResult): string {
  const tokenRows = r.rows.filter((x) => x.targets.database !== undefined).map((x) => x.label);
  return [
    '- **× in memory**: Gatehouse / oidc-provider 9 with its state in process memory (an unbounded in-memory adapter). ' +
      'Targets (issue 17): ≥ 1.5 on discovery, JWKS, userinfo and introspection; ≥ 1.0 on client_credentials RS256/ES256, the code exchange and refresh.',
    '- **× same database**: Gatehouse / oidc-provider 9 with a MongoDB adapter (the pattern of its documented example adapter) on the same ' +
      'FerretDB instance, through the same serializing proxy, its own database name. Target ≥ 1.5 on every token row' +
      (tokenRows.length ? `: ${tokenRows.join('; ')}` : '') +
      '. PAR is not counted as one (a request_uri is a short-lived handle on an authorization request, not a credential); its ratio is shown without a target.',
    "- **of raw signing**: Gatehouse req/s / raw jose signing of the row's algorithm on one core; target ≥ 0.8 on client_credentials ES256 only.",
    "- **of raw node:http** (discovery, JWKS): Gatehouse / a bare node:http server answering the same bytes — the machine's limit; no target in issue 17.",
    '- ✓ / ✗: target met / missed; "not supported": the reference does not offer the scenario (no verdict); * the input supply ran out early (see below).',
  ].join('\n');
}

/** The compact table for the README (bench/results/readme-table.md): one line per scenario, both ratios, the verdict. */
export function readmeTable(r: BenchResult, machineLine: string): string {
  const head = ['scenario', 'Gatehouse req/s', '× oidc-provider in memory', '× oidc-provider same database', 'target met'];
  const lines = [
    `Run of ${r.startedAt.slice(0, 16).replace('T', ' ')} UTC: ${r.durationPerScenario} s per scenario, ${r.connections} connections, one Gatehouse process.`,
    `Machine: ${machineLine}.`,
    `Raw jose signing, one core: RS256 ${fmt(r.signing.RS256)}/s, ES256 ${fmt(r.signing.ES256)}/s.`,
    '',
    `| ${head.join(' | ')} |`,
    '|---|---:|---:|---:|---|',
  ];
  for (const row of r.rows) {
    const ref = (c: Cell | undefined, target: number | undefined): string =>
      c && !ok(c) ? (c.kind === 'missing' ? 'not supported' : 'failed') : ratioCell(row.gatehouse, c, target);
    lines.push(
      `| ${row.label} | ${cellText(row.gatehouse)[0]} | ${ref(row.reference, row.targets.memory)} | ${ref(row.referenceDatabase, row.targets.database)} | ${targetMet(row, r.signing)}${row.targets.signing !== undefined && row.signs && ok(row.gatehouse) ? ` · ${fmt(row.gatehouse.rps / r.signing[row.signs], 2)} of raw ${row.signs} (≥ ${fmt(row.targets.signing, 1)})` : ''} |`,
    );
  }
  return lines.join('\n') + '\n';
}

export function scaleTable(r: BenchResult): string {
  if (!r.scale.length) return '';
  const head = [
    'server',
    'tenants in memory',
    'scenario',
    'one tenant p99 ms',
    'random tenant p99 ms',
    'p99 ratio (≤ 1.5)',
    'req/s one / random',
    'errors',
  ];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i < 3 ? '---' : '---:')).join('|')}|`];
  for (const side of r.scale) {
    for (const row of side.rows) {
      const one = ok(row.one) ? row.one : undefined;
      const many = ok(row.many) ? row.many : undefined;
      const pr = one && many ? many.p99 / Math.max(1, one.p99) : undefined;
      lines.push(
        `| ${side.label} | ${fmt(side.tenants)} | ${row.label} | ${one ? ms(one.p99) : '–'} | ${many ? ms(many.p99) : '–'} | ${pr === undefined ? '–' : `${fmt(pr, 2)}× ${pr <= 1.5 ? '✓' : '✗'}`} | ${one ? fmt(one.rps) : '–'} / ${many ? fmt(many.rps) : '–'} | ${fmt((one?.errors ?? 0) + (many?.errors ?? 0))} |`,
      );
    }
  }
  lines.push('');
  /** Measured: RSS with every tenant loaded (before the random-tenant traffic) less RSS serving one, per tenant. */
  const perTenant = (s: ScaleSide) => (s.tenants ? (s.rssLoaded - s.rssOneTenant) / s.tenants / 1024 : 0);
  for (const s of r.scale) {
    lines.push(
      `- ${s.label}: ${s.note} RSS measured: ${fmt(s.rssOneTenant / 2 ** 20)} MiB serving one tenant → ${fmt(s.rssLoaded / 2 ** 20)} MiB with all ${fmt(s.tenants)} loaded (≈ ${fmt(perTenant(s), 1)} KiB per tenant) → ${fmt(s.rssMany / 2 ** 20)} MiB after the random-tenant traffic.`,
    );
    if (s.firstTouch) {
      const f = s.firstTouch;
      lines.push(
        `  Tenants loaded: ${fmt(f.loaded)} of ${fmt(f.of)} ${f.loaded === f.of ? '✓' : '✗'} in ${fmt(f.seconds)} s${f.concurrency ? ` (${f.concurrency} tenants at a time)` : ''}${f.boundHit ? `, STOPPED by the ${fmt(f.boundHit)} s safety bound` : ''}. ` +
          `First request of a tenant (discovery + JWKS + client_credentials token, back to back, loading it from the database): p50 ${ms(f.p50)} ms, p99 ${ms(f.p99)} ms (target ≤ 50 ${f.p99 <= 50 ? '✓' : '✗'}).`,
      );
      for (const failure of f.failures ?? []) lines.push(`  First request failed: ${failure}`);
    }
  }
  const g = r.scale.find((s) => s.label.startsWith('Gatehouse'));
  const o = r.scale.find((s) => s.label.startsWith('oidc-provider'));
  if (g && o && o.rssMany > 0) {
    const at = Math.max(g.tenants, o.tenants);
    const gRss = g.tenants === at ? g.rssLoaded : g.rssOneTenant + perTenant(g) * 1024 * at;
    const oRss = o.tenants === at ? o.rssLoaded : o.rssOneTenant + perTenant(o) * 1024 * at;
    const rr = gRss / oRss;
    lines.push(
      `- RSS at ${fmt(at)} tenants, Gatehouse / oidc-provider: ${fmt(gRss / 2 ** 20)} / ${fmt(oRss / 2 ** 20)} MiB = ${fmt(rr, 2)} (target ≤ 0.25 ${rr <= 0.25 ? '✓' : '✗'}). ` +
        `Gatehouse's is ${g.tenants === at ? 'measured' : 'projected from its measured per-tenant growth'}; oidc-provider's is ${o.tenants === at ? 'measured' : 'projected from its measured per-tenant growth'}.`,
    );
  }
  lines.push(`- ${r.scale[0]?.seconds ?? ''} s per scale scenario.`);
  return lines.join('\n');
}

export function textReport(r: BenchResult, machineLine: string): string {
  const out = [
    `Machine: ${machineLine}`,
    `Raw jose signing, one core: RS256 ${fmt(r.signing.RS256)}/s, ES256 ${fmt(r.signing.ES256)}/s`,
    `${r.durationPerScenario} s per scenario, ${r.connections} connections, Gatehouse LOG_LEVEL=${r.logLevel}${r.smoke ? ' (smoke run)' : ''}`,
    '',
    markdownTable(r),
    '',
    legend(r),
    '',
  ];
  const names = {
    gatehouse: 'Gatehouse',
    gatehouseWorkers: `Gatehouse WORKERS=${r.workers}`,
    reference: 'oidc-provider in memory',
    referenceDatabase: 'oidc-provider same database',
  } as const;
  const notes = r.rows.flatMap((row) =>
    (Object.keys(names) as (keyof typeof names)[]).flatMap((k) => {
      const c = row[k];
      if (!c) return [];
      if (!ok(c)) return [`- ${row.label} — ${names[k]}: ${whyNot(c, k.startsWith('reference'))}: ${c.unavailable}`];
      return c.note ? [`- ${row.label} — ${names[k]}: * ${c.note}`] : [];
    }),
  );
  if (notes.length) out.push(...notes, '');
  out.push('All measurements of the main pass:', '', detailTable(r), '');
  const scale = scaleTable(r);
  if (scale) out.push(scale, '');
  const onboarding = onboardingTable(r.onboarding);
  if (onboarding) out.push(onboarding, '');
  if (r.notes.length) out.push(...r.notes.map((n) => `- ${n}`), '');
  return out.join('\n');
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A grouped horizontal bar chart of requests/s per scenario, drawn by hand. */
export function svgChart(r: BenchResult): string {
  const series: { key: 'gatehouse' | 'gatehouseWorkers' | 'reference' | 'referenceDatabase'; label: string; color: string }[] = [
    { key: 'gatehouse', label: 'Gatehouse (1 process)', color: '#2563eb' },
    ...(r.rows.some((x) => x.gatehouseWorkers)
      ? [{ key: 'gatehouseWorkers' as const, label: `Gatehouse (WORKERS=${r.workers})`, color: '#60a5fa' }]
      : []),
    { key: 'reference', label: 'oidc-provider 9, in memory', color: '#f59e0b' },
    ...(r.rows.some((x) => x.referenceDatabase)
      ? [{ key: 'referenceDatabase' as const, label: 'oidc-provider 9, same database', color: '#b45309' }]
      : []),
  ];
  const max = Math.max(1, ...r.rows.flatMap((row) => series.map((s) => (ok(row[s.key]) ? (row[s.key] as Measurement).rps : 0))));
  const labelW = 430;
  const barW = 520;
  const barH = 14;
  const groupH = series.length * (barH + 3) + 14;
  const top = 70;
  const height = top + r.rows.length * groupH + 40;
  const width = labelW + barW + 150;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="12" y="22" font-size="16" font-weight="600">Requests per second (higher is better) — ${esc(r.startedAt.slice(0, 10))}</text>`,
    `<text x="12" y="40" fill="#555">${esc(`${r.machine.cpu}, ${r.machine.cores} cores, Node ${r.machine.node}; ${r.durationPerScenario} s per scenario, ${r.connections} connections`)}</text>`,
  ];
  series.forEach((s, i) => {
    const x = 12 + i * 230;
    parts.push(`<rect x="${x}" y="50" width="12" height="12" fill="${s.color}"/><text x="${x + 16}" y="60">${esc(s.label)}</text>`);
  });
  r.rows.forEach((row, gi) => {
    const y0 = top + gi * groupH;
    parts.push(`<text x="${labelW - 8}" y="${y0 + groupH / 2 - 4}" text-anchor="end">${esc(row.label)}</text>`);
    series.forEach((s, si) => {
      const c = row[s.key];
      const y = y0 + si * (barH + 3);
      if (ok(c)) {
        const w = Math.max(1, (c.rps / max) * barW);
        parts.push(`<rect x="${labelW}" y="${y}" width="${w.toFixed(1)}" height="${barH}" fill="${s.color}"/>`);
        parts.push(`<text x="${labelW + w + 4}" y="${y + barH - 3}" fill="#333">${fmt(c.rps)}</text>`);
      } else if (c) {
        parts.push(
          `<text x="${labelW + 4}" y="${y + barH - 3}" fill="#999" font-style="italic">${whyNot(c, s.key.startsWith('reference'))}</text>`,
        );
      }
    });
    parts.push(`<line x1="${labelW}" x2="${labelW + barW + 120}" y1="${y0 + groupH - 6}" y2="${y0 + groupH - 6}" stroke="#eee"/>`);
  });
  parts.push(`<line x1="${labelW}" x2="${labelW}" y1="${top - 4}" y2="${height - 40}" stroke="#999"/>`);
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
