import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../data-source-options.js';

interface Promoted {
  id: number;
  username: string;
  previous_role: string;
}

/** `npm run admin:promote -- <username>`: makes an existing user an admin, against DATABASE_URL. */
async function main(): Promise<void> {
  const username = process.argv[2];
  const url = process.env.DATABASE_URL;
  if (!url || !username) {
    console.error(
      'usage: DATABASE_URL=postgres://… node dist/database/cli/admin-promote.js <username>',
    );
    process.exit(2);
  }
  const db = await new DataSource({ ...dataSourceOptions(url), migrationsRun: false }).initialize();
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
    await db.destroy();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
