import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../data-source-options.js';

/** `npm run migration:run` / `migration:revert` against DATABASE_URL (the app also runs them at start-up). */
async function main(): Promise<void> {
  const command = process.argv[2];
  const url = process.env.DATABASE_URL;
  if (!url || (command !== 'run' && command !== 'revert')) {
    console.error('usage: DATABASE_URL=postgres://… node dist/database/cli/migrate.js run|revert');
    process.exit(2);
  }
  const db = await new DataSource({ ...dataSourceOptions(url), migrationsRun: false }).initialize();
  try {
    if (command === 'run') {
      const applied = await db.runMigrations({ transaction: 'all' });
      console.log(
        applied.length
          ? `applied: ${applied.map((m) => m.name).join(', ')}`
          : 'schema is up to date',
      );
    } else {
      await db.undoLastMigration({ transaction: 'all' });
      console.log('reverted the last migration');
    }
  } finally {
    await db.destroy();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
