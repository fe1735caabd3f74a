import 'reflect-metadata';
import { createApp } from './app';
import { ConfigError, loadConfig } from './core/config';
import { createLogger, describeError } from './core/logger';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const log = createLogger(config.logLevel);
  const started = Date.now();
  const app = await createApp(config, { logger: log });
  const url = await app.listen(config.port);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal });
    const force = setTimeout(() => {
      log.error('shutdown took too long; exiting');
      process.exit(1);
    }, 15_000);
    force.unref();
    try {
      await app.close();
      log.info('stopped');
      process.exit(0);
    } catch (err) {
      log.error('shutdown failed', describeError(err));
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  // Announced only once the signals are handled: a supervisor may send SIGTERM the moment it reads this.
  log.info('service ready', { url, database: config.databaseUrl ? 'postgresql' : `embedded (${config.dataDir})`, startupMs: Date.now() - started });
}

main().catch((err) => {
  // Settings found wrong only once the database answers (e.g. fsync off in production).
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(78);
  }
  createLogger('error').error('start-up failed', describeError(err));
  process.exit(1);
});
