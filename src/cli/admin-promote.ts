import { UsersRepository } from '../users/users.repository.js';
import { Sql } from '../database/sql.service.js';
import { openConfiguredDatabase } from './configured-database.js';

/** `npm run admin:promote -- <username>`: makes an existing user an admin, in the database `npm start` uses. */
async function main(): Promise<void> {
  const username = process.argv[2];
  if (!username) {
    console.error(
      'usage: npm run admin:promote -- <username>  (DATABASE_URL or the embedded database of DATA_DIR)',
    );
    process.exit(2);
  }
  const { db, close } = await openConfiguredDatabase();
  try {
    // Reports the role the user had, so a repeated run says so.
    const promoted = await new UsersRepository(new Sql(db)).promote(username);
    if (!promoted) {
      console.error(`no user named "${username}"`);
      process.exitCode = 1;
      return;
    }
    const { user, previousRole } = promoted;
    console.log(
      previousRole === 'admin'
        ? `${user.username} (id ${user.id}) is already an admin`
        : `promoted ${user.username} (id ${user.id}) to admin`,
    );
  } finally {
    await close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
