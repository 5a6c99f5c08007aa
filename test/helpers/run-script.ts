import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ADMIN_ID, ADMIN_SECRET, type TestServer } from './server.js';

export interface ScriptRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs one of the npm scripts' files (scripts/<script>) the way `npm run` does, against a test server. */
export function runScript(srv: TestServer, script: string, args: string[]): Promise<ScriptRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join('scripts', script), ...args], {
      env: { ...process.env, GATEHOUSE_URL: srv.url, GATEHOUSE_ADMIN_CLIENT_ID: ADMIN_ID, GATEHOUSE_ADMIN_CLIENT_SECRET: ADMIN_SECRET },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}
