import 'reflect-metadata';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { entities } from '../modules';
import { PROJECT_ROOT } from '../core/paths';
import { startEmbeddedDatabase } from '../core/db/embedded';
import { initOrm, migrate } from '../core/db/orm';

const MIGRATIONS_DIR = join(PROJECT_ROOT, 'migrations');

/** The SQL that would bring a database built by the committed migrations up to the entities. */
export async function pendingSchemaChanges(url: string): Promise<{ up: string; down: string }> {
  const orm = await initOrm({ url, entities, poolMax: 2 });
  try {
    await migrate(orm);
    return await orm.getSchemaGenerator().getUpdateSchemaMigrationSQL({ wrap: false, safe: false, dropTables: true });
  } finally {
    await orm.close();
  }
}

const statements = (sql: string) =>
  sql
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('--'));

const asAddSql = (sql: string) =>
  statements(sql)
    .map((s) => `    this.addSql(\`${s.replace(/[`\\]|\$\{/g, (c) => `\\${c}`)}\`);`)
    .join('\n');

/** Rewrites migrations/index.ts from the migration files, oldest first. */
export function writeMigrationIndex(): void {
  const names = readdirSync(MIGRATIONS_DIR)
    .filter((f) => /^Migration\d{14}.*\.ts$/.test(f))
    .map((f) => f.replace(/\.ts$/, ''))
    .sort();
  const imports = names.map((n) => `import { ${n} } from './${n}';`).join('\n');
  const list = names.map((n) => `  { name: '${n}', class: ${n} },`).join('\n');
  writeFileSync(
    join(MIGRATIONS_DIR, 'index.ts'),
    `// The migrations, oldest first. \`npm run migration:create\` regenerates this list.\nimport type { MigrationObject } from '@mikro-orm/core';\n${imports}\n\nexport const migrationsList: MigrationObject[] = [\n${list}\n];\n`,
  );
}

async function main(): Promise<void> {
  const db = await startEmbeddedDatabase('memory://');
  try {
    const { up, down } = await pendingSchemaChanges(db.url);
    if (process.argv.includes('--check')) {
      // Drift check: the committed migrations must build exactly what the entities describe.
      if (up.trim()) {
        console.error(`The entities differ from what the migrations build; run npm run migration:create.\n${up}`);
        process.exitCode = 1;
      } else console.log('migrations match the entities');
      return;
    }
    if (!up.trim()) {
      console.log('The migrations already match the entities: nothing to create.');
      return;
    }
    const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
    const name = `Migration${stamp}`;
    writeFileSync(
      join(MIGRATIONS_DIR, `${name}.ts`),
      `import { Migration } from '@mikro-orm/migrations';\n\nexport class ${name} extends Migration {\n  override async up(): Promise<void> {\n${asAddSql(up)}\n  }\n\n  override async down(): Promise<void> {\n${asAddSql(down)}\n  }\n}\n`,
    );
    writeMigrationIndex();
    console.log(`wrote migrations/${name}.ts`);
  } finally {
    await db.close();
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
