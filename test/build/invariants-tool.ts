import { spawn } from 'node:child_process';
import { join } from 'node:path';

const TOOL = join(__dirname, '..', '..', 'dist', 'src', 'tools', 'check-invariants.js');

/** Runs the built `npm run check:invariants` tool with only the environment given (and PATH). */
export function checkInvariants(env: Record<string, string>): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [TOOL], { env: { PATH: process.env.PATH ?? '', ...env } });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.on('exit', (code) => resolve({ code, stdout }));
  });
}
