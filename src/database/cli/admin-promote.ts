import { openConfiguredDatabase } from './configured-database.js';

interface Promoted {
  id: number;
  username: string;
  previous_role: string;
}

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
    // One statement that also reports the role the user had, so a repeated run says so.
    // TypeORM answers an UPDATE with [rows, rowCount].
    const [rows] = await db.query<[Promoted[], number]>(
      `UPDATE users u SET role = 'admin'
         FROM (SELECT id, role FROM users WHERE lower(username) = lower($1) FOR UPDATE) old
        WHERE u.id = old.id
        RETURNING u.id, u.username, old.role AS previous_role`,
      [username],
    );
    const user = rows[0];
    if (!user) {
      console.error(`no user named "${username}"`);
      process.exitCode = 1;
      return;
    }
    console.log(
      user.previous_role === 'admin'
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
