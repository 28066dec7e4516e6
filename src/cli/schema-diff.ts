import { openConfiguredDatabase } from './configured-database.js';

/**
 * `npm run schema:diff`: runs the migrations, then prints the statements TypeORM would still issue
 * to make the database match the entities (one per line) and exits 1 when there are any, so a drift
 * between the entities (`src/cli/entities.ts`) and `src/database/migrations/` is caught by a test instead of in production.
 */
async function main(): Promise<void> {
  const { db, close } = await openConfiguredDatabase({ runMigrations: true });
  try {
    const { upQueries } = await db.driver.createSchemaBuilder().log();
    for (const q of upQueries) {
      console.log(q.query);
    }
    if (upQueries.length > 0) {
      console.error(`${upQueries.length} statement(s): the entities and the migrations disagree`);
      process.exitCode = 1;
    }
  } finally {
    await close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(2);
});
