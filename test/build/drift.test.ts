// Drift checks: what is committed must be what the code generates. Each failure names the
// command that regenerates the artifact.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { printSortedSchema } from '../../src/schema';

const ROOT = join(__dirname, '..', '..');

interface RunResult {
  code: number | null;
  output: string;
}

/** Runs `node <args>` from the project root and collects its exit code and output. */
function runNode(args: string[], timeoutMs = 55_000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`node ${args.join(' ')} did not finish within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

function codegenBin(): string {
  const dir = join(ROOT, 'node_modules', '@graphql-codegen', 'cli');
  const { bin } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { bin: Record<string, string> };
  return join(dir, bin['graphql-codegen-cjs'] ?? bin['graphql-codegen']);
}

/** The first line where two texts differ, with a little context, for the failure message. */
function firstDifference(committed: string, built: string): string {
  const a = committed.split('\n');
  const b = built.split('\n');
  let i = 0;
  while (i < Math.max(a.length, b.length) && a[i] === b[i]) i++;
  const show = (lines: string[]) => lines.slice(Math.max(0, i - 2), i + 3).join('\n');
  return `first difference at line ${i + 1}\n--- committed\n${show(a)}\n--- built\n${show(b)}`;
}

describe('committed artifacts match the code', () => {
  it('schema/schema.graphql is the schema the resolvers build', () => {
    const committed = readFileSync(join(ROOT, 'schema', 'schema.graphql'), 'utf8');
    const built = printSortedSchema();
    if (built !== committed) {
      throw new Error(
        `schema/schema.graphql differs from the schema the resolvers build: run \`npm run schema:emit\` and commit the result.\n${firstDifference(committed, built)}`,
      );
    }
  });

  it('test/support/generated and clients/generated are what codegen makes from the schema and documents', async () => {
    const { code, output } = await runNode([codegenBin(), '--config', 'codegen.yml', '--check']);
    if (code !== 0) throw new Error(`Generated client code is out of date: run \`npm run codegen\` and commit the result.\n${output}`);
  }, 60_000);

  it('the committed migrations build exactly what the entities describe', async () => {
    const script = join(ROOT, 'dist', 'src', 'tools', 'migration-create.js');
    if (!existsSync(script)) throw new Error(`${script} is missing: run \`npm run build\` first (npm test does).`);
    const { code, output } = await runNode([script, '--check']);
    if (code !== 0) {
      throw new Error(`The entities and the committed migrations differ (checked on the built code in dist/): run \`npm run migration:create\`.\n${output}`);
    }
  }, 60_000);
});
