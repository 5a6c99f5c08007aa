import type { Measurement } from './load.js';
import type { Machine } from './machine.js';
import type { SigningRates } from './signing-rate.js';
import { onboardingTable, type OnboardingResult } from './onboarding.js';

export type Cell = Measurement | { unavailable: string; kind: 'missing' | 'failed' };

export interface Row {
  id: string;
  label: string;
  /** Issue target for Gatehouse / oidc-provider. */
  target: number;
  signs?: 'RS256' | 'ES256';
  gatehouse?: Cell;
  gatehouseWorkers?: Cell;
  reference?: Cell;
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
  firstTouch?: { loaded: number; of: number; seconds: number; p50: number; p99: number };
  /** Gatehouse: memory per loaded tenant measured in-process with the server's classes, for every scale tenant. */
  footprint?: { tenants: number; heapPerTenant: number; rssPerTenant: number; seconds: number };
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
/** Gatehouse's missing endpoints are "not available yet"; the reference's are "not supported". */
const cellText = (c: Cell | undefined, reference = false): [string, string, string, string] => {
  if (!c) return ['–', '', '', ''];
  if (!ok(c)) return [c.kind === 'missing' ? (reference ? 'not supported' : 'not available yet') : 'failed', '', '', ''];
  return [fmt(c.rps) + (c.note ? '*' : ''), ms(c.p50), ms(c.p99), fmt(c.errors)];
};
const ratio = (a: Cell | undefined, b: Cell | undefined): number | undefined => (ok(a) && ok(b) && b.rps > 0 ? a.rps / b.rps : undefined);

export function ratioText(a: Cell | undefined, b: Cell | undefined, target: number): string {
  const r = ratio(a, b);
  if (r === undefined) return '–';
  return `${fmt(r, 2)}× ${r >= target ? '✓' : '✗'}`;
}

/** The main table as Markdown (also what the README shows). */
export function markdownTable(r: BenchResult): string {
  const withWorkers = r.rows.some((x) => x.gatehouseWorkers);
  const head = [
    'scenario',
    'Gatehouse req/s',
    'p50 ms',
    'p99 ms',
    'errors',
    'oidc-provider req/s',
    'p50 ms',
    'p99 ms',
    'errors',
    'ratio (target)',
  ];
  if (withWorkers) head.push(`WORKERS=${r.workers} req/s`, 'p99 ms', 'ratio');
  head.push('of raw signing');
  const withRaw = r.rows.some((x) => x.raw);
  if (withRaw) head.push('of raw node:http (≥ 0.8)');
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`];
  for (const row of r.rows) {
    const g = cellText(row.gatehouse);
    const o = cellText(row.reference, true);
    const cells = [row.label, ...g, ...o, `${ratioText(row.gatehouse, row.reference, row.target)} (${row.target}×)`];
    if (withWorkers) {
      const w = cellText(row.gatehouseWorkers);
      cells.push(w[0], w[2], ratioText(row.gatehouseWorkers, row.reference, row.target));
    }
    cells.push(
      row.signs && ok(row.gatehouse)
        ? `${fmt(row.gatehouse.rps / r.signing[row.signs], 2)} of ${fmt(r.signing[row.signs])}/s ${row.signs} ${row.gatehouse.rps / r.signing[row.signs] >= 0.8 ? '✓' : '✗'}`
        : '',
    );
    if (withRaw) {
      const rr = ratio(row.gatehouse, row.raw);
      cells.push(rr !== undefined && ok(row.raw) ? `${fmt(rr, 2)} of ${fmt(row.raw.rps)}/s ${rr >= 0.8 ? '✓' : '✗'}` : '');
    }
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
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
  const perTenant = (s: ScaleSide) => (s.tenants ? (s.rssMany - s.rssOneTenant) / s.tenants / 1024 : 0);
  for (const s of r.scale) {
    lines.push(
      `- ${s.label}: ${s.note} RSS ${fmt(s.rssOneTenant / 2 ** 20)} MiB serving one tenant → ${fmt(s.rssMany / 2 ** 20)} MiB with ${fmt(s.tenants)} tenants in use (≈ ${fmt(perTenant(s), 1)} KiB per tenant).`,
    );
    if (s.firstTouch) {
      lines.push(
        `  First request of a tenant (discovery + JWKS + token, loading it from the database): p50 ${fmt(s.firstTouch.p50)} ms, p99 ${fmt(s.firstTouch.p99)} ms; ${fmt(s.firstTouch.loaded)} of ${fmt(s.firstTouch.of)} loaded within ${fmt(s.firstTouch.seconds)} s.`,
      );
    }
    if (s.footprint) {
      lines.push(
        `  In-process, with the server's classes, for all ${fmt(s.footprint.tenants)} tenants (context + key ring with the signing key decrypted + discovery document + client): ${fmt(s.footprint.rssPerTenant / 1024, 1)} KiB RSS (${fmt(s.footprint.heapPerTenant / 1024, 1)} KiB heap) per tenant.`,
      );
    }
  }
  const g = r.scale.find((s) => s.label.startsWith('Gatehouse'));
  const o = r.scale.find((s) => s.label.startsWith('oidc-provider'));
  if (g && o && o.rssMany > 0) {
    const at = Math.max(g.footprint?.tenants ?? g.tenants, o.tenants);
    const gPer = g.footprint ? g.footprint.rssPerTenant : perTenant(g) * 1024;
    const gRss = g.rssOneTenant + gPer * at;
    const oRss = o.tenants === at ? o.rssMany : o.rssOneTenant + perTenant(o) * 1024 * at;
    const rr = gRss / oRss;
    lines.push(
      `- RSS at ${fmt(at)} tenants, Gatehouse / oidc-provider: ${fmt(gRss / 2 ** 20)} / ${fmt(oRss / 2 ** 20)} MiB = ${fmt(rr, 2)} (target ≤ 0.25 ${rr <= 0.25 ? '✓' : '✗'}). ` +
        `Gatehouse's is its one-tenant RSS plus ${fmt(at)} × the per-tenant footprint${g.footprint ? ' measured in-process' : ''}${o.tenants === at ? "; oidc-provider's is measured" : "; oidc-provider's is projected from its per-tenant growth"}.`,
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
  ];
  const notes = r.rows.flatMap((row) =>
    (['gatehouse', 'gatehouseWorkers', 'reference'] as const).flatMap((k) => {
      const c = row[k];
      if (!c) return [];
      const who = k === 'reference' ? 'oidc-provider' : k === 'gatehouse' ? 'Gatehouse' : `Gatehouse WORKERS=${r.workers}`;
      if (!ok(c))
        return [
          `- ${row.label} — ${who}: ${c.kind === 'missing' ? (k === 'reference' ? 'not supported' : 'not available yet') : 'failed'}: ${c.unavailable}`,
        ];
      return c.note ? [`- ${row.label} — ${who}: * ${c.note}`] : [];
    }),
  );
  if (notes.length) out.push(...notes, '');
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
  const series: { key: 'gatehouse' | 'gatehouseWorkers' | 'reference'; label: string; color: string }[] = [
    { key: 'gatehouse', label: 'Gatehouse (1 process)', color: '#2563eb' },
    ...(r.rows.some((x) => x.gatehouseWorkers)
      ? [{ key: 'gatehouseWorkers' as const, label: `Gatehouse (WORKERS=${r.workers})`, color: '#60a5fa' }]
      : []),
    { key: 'reference', label: 'oidc-provider 9 (1 process)', color: '#f59e0b' },
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
          `<text x="${labelW + 4}" y="${y + barH - 3}" fill="#999" font-style="italic">${c.kind === 'missing' ? (s.key === 'reference' ? 'not supported' : 'not available yet') : 'failed'}</text>`,
        );
      }
    });
    parts.push(`<line x1="${labelW}" x2="${labelW + barW + 120}" y1="${y0 + groupH - 6}" y2="${y0 + groupH - 6}" stroke="#eee"/>`);
  });
  parts.push(`<line x1="${labelW}" x2="${labelW}" y1="${top - 4}" y2="${height - 40}" stroke="#999"/>`);
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
