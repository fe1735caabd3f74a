// Writes test/reliability/RESULTS.md at the end of a reliability run: the figures each scenario
// recorded (test/reliability/results.ts) and the outcome of every test file.
const { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { cpus } = require('node:os');
const { join, relative } = require('node:path');
const { RESULTS_DIR } = require('./results-dir');

class ReliabilityResultsReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
    // A run narrowed to some files or tests must not replace the figures of the whole suite.
    this.partial = Boolean(globalConfig.testNamePattern) || (globalConfig.testPathPatterns?.patterns?.length ?? 0) > 0;
  }

  onRunStart() {
    this.started = Date.now();
    rmSync(RESULTS_DIR, { recursive: true, force: true });
    mkdirSync(RESULTS_DIR, { recursive: true });
  }

  onRunComplete(_contexts, results) {
    if (this.partial) return void console.log('test/reliability/RESULTS.md left as it was: this run was narrowed to some files or tests.');
    const records = existsSync(RESULTS_DIR)
      ? readdirSync(RESULTS_DIR)
          .filter((f) => f.endsWith('.json'))
          .map((f) => JSON.parse(readFileSync(join(RESULTS_DIR, f), 'utf8')))
      : [];
    const scenarios = [...new Set(records.map((r) => r.scenario))].sort();
    const lines = [
      '# Reliability: figures of the last run',
      '',
      'Written by `npm run test:reliability` (test/reliability/results-reporter.js); do not edit by hand.',
      '',
      `- finished: ${new Date().toISOString()}, ${Math.round((Date.now() - this.started) / 1000)} s`,
      `- Node ${process.version}, ${cpus().length} cores (shared with other test runs)`,
      `- tests: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${results.numPendingTests} skipped, in ${results.numTotalTestSuites} files`,
      '',
    ];
    for (const scenario of scenarios) {
      const rows = records.filter((r) => r.scenario === scenario).sort((a, b) => a.database.localeCompare(b.database));
      const names = [...new Set(rows.flatMap((r) => Object.keys(r.figures)))];
      lines.push(`## ${scenario}`, '', `| | ${rows.map((r) => r.database).join(' | ')} |`, `|---|${rows.map(() => '---|').join('')}`);
      for (const name of names) lines.push(`| ${name} | ${rows.map((r) => r.figures[name] ?? '—').join(' | ')} |`);
      lines.push('');
    }
    lines.push('## Test files', '');
    for (const file of results.testResults) {
      const failed = file.numFailingTests > 0 || file.testExecError;
      lines.push(
        `- ${failed ? 'FAILED' : 'passed'}: ${relative(this.rootDir, file.testFilePath)} (${file.displayName?.name ?? ''}, ${Math.round((file.perfStats.end - file.perfStats.start) / 1000)} s)`,
      );
    }
    writeFileSync(join(this.rootDir, 'test', 'reliability', 'RESULTS.md'), `${lines.join('\n')}\n`);
  }
}

module.exports = ReliabilityResultsReporter;
