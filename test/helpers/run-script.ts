import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ADMIN_ID, ADMIN_SECRET, type TestServer } from './server.js';

export interface ScriptRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs one of the npm scripts' files (scripts/<script>) the way `npm run` does, against a test server.
 * `onOutput` sees the script's stdout so far each time it grows (to act at a given step).
 */
export function runScript(srv: TestServer, script: string, args: string[], onOutput?: (stdout: string) => void): Promise<ScriptRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join('scripts', script), ...args], {
      env: { ...process.env, GATEHOUSE_URL: srv.url, GATEHOUSE_ADMIN_CLIENT_ID: ADMIN_ID, GATEHOUSE_ADMIN_CLIENT_SECRET: ADMIN_SECRET },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      onOutput?.(stdout);
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}
