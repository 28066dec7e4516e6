import { createInterface } from 'node:readline/promises';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { RegisterDto } from '../auth/dto/register.dto.js';
import { PasswordService } from '../auth/password.service.js';
import type { DataSource } from 'typeorm';
import { UsersRepository } from '../users/users.repository.js';
import { isUniqueViolation } from '../database/pg-errors.js';
import { Sql } from '../database/sql.service.js';
import { openConfiguredDatabase } from './configured-database.js';

class UsageError extends Error {}

/** Reads a line from the terminal without echoing it (the password). */
function askHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  process.stdout.write(question);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  return new Promise((resolve) => {
    let value = '';
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') {
          stdin.setRawMode(false);
          stdin.pause();
          stdin.off('data', onData);
          process.stdout.write('\n');
          resolve(value);
          return;
        }
        if (ch === '\u0003') {
          stdin.setRawMode(false);
          process.stdout.write('\n');
          process.exit(130);
        }
        value = ch === '\u007f' || ch === '\b' ? value.slice(0, -1) : value + ch;
      }
    };
    stdin.on('data', onData);
  });
}

/** ADMIN_USERNAME, ADMIN_EMAIL and ADMIN_PASSWORD, each asked for on a terminal when unset. */
async function readInput(): Promise<RegisterDto> {
  const env = process.env;
  let username = env.ADMIN_USERNAME;
  let email = env.ADMIN_EMAIL;
  let password = env.ADMIN_PASSWORD;
  if (username && email && password) {
    return plainToInstance(RegisterDto, { username, email, password });
  }
  if (!process.stdin.isTTY) {
    throw new UsageError(
      'usage: ADMIN_USERNAME=… ADMIN_EMAIL=… ADMIN_PASSWORD=… npm run admin:create ' +
        '(or run it in a terminal to be asked)',
    );
  }
  if (!username || !email) {
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    username ||= await rl.question('username: ');
    email ||= await rl.question('email: ');
    rl.close();
  }
  password ||= await askHidden('password (not shown): ');
  return plainToInstance(RegisterDto, { username, email, password });
}

/** The users table through its repository, outside Nest: the CLI has a DataSource of its own. */
const users = (db: DataSource) => new UsersRepository(new Sql(db));

/**
 * `npm run admin:create`: creates an admin account in the database `npm start` uses, with the rules
 * of registration and the app's own password hashing. An existing name or email is an error, not a
 * promotion: proving the right to an existing account is `admin:promote`'s business, run knowingly.
 */
async function main(): Promise<void> {
  const input = await readInput();
  const errors = await validate(input, { stopAtFirstError: true });
  if (errors.length) {
    const lines = errors.flatMap((e) => Object.values(e.constraints ?? {}));
    throw new UsageError(`invalid input: ${lines.join('; ')}`);
  }
  const passwordHash = await new PasswordService().hash(input.password);
  // The schema may not exist yet on a fresh install: this may be the first command run.
  const { db, where, close } = await openConfiguredDatabase({ runMigrations: true });
  try {
    const user = await users(db).insert({
      username: input.username,
      email: input.email,
      passwordHash,
      role: 'admin',
    });
    console.log(`created admin ${user.username} (id ${user.id}) in ${where}`);
  } catch (err) {
    if (!isUniqueViolation(err)) {
      throw err;
    }
    const taken = await users(db).findByUsername(input.username);
    console.error(
      taken
        ? `a user named "${taken.username}" already exists; to make them an admin run: ` +
            `npm run admin:promote -- ${taken.username}`
        : `the email ${input.email} is already registered to another user`,
    );
    process.exitCode = 1;
  } finally {
    await close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(err instanceof UsageError ? 2 : 1);
});
