import { openConfiguredDatabase } from './configured-database.js';

/** `npm run migration:run` / `migration:revert` against DATABASE_URL or the embedded database (the app also runs them at start-up). */
async function main(): Promise<void> {
  const command = process.argv[2];
  if (command !== 'run' && command !== 'revert') {
    console.error('usage: node dist/cli/migrate.js run|revert');
    process.exit(2);
  }
  const { db, close } = await openConfiguredDatabase();
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
    await close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
