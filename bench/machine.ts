import { cpus, freemem, totalmem, type as osType, release } from 'node:os';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  os: string;
  oidcProvider: string;
  autocannon: string;
}

const require = createRequire(import.meta.url);
const versionOf = (pkg: string): string => {
  try {
    return (JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
};

export function machine(): Machine {
  const list = cpus();
  return {
    cpu: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${osType()} ${release()}`,
    oidcProvider: versionOf('oidc-provider'),
    autocannon: versionOf('autocannon'),
  };
}

export const describeMachine = (m: Machine): string =>
  `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB (${Math.round(freemem() / 2 ** 30)} free), Node ${m.node}, ${m.os}; oidc-provider ${m.oidcProvider}, autocannon ${m.autocannon}`;
