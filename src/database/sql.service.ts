import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type pg from 'pg';
import { DataSource } from 'typeorm';

/** Something that runs a statement: the pool (`Sql`) or one open transaction (the `tx` of `transaction`). */
export type SqlClient = Pick<Sql, 'query'>;

/**
 * Plain SQL on TypeORM's own connection pool, and the one transaction helper. Only repositories
 * (`src/<feature>/<table>.repository.ts`) send statements through it; services open a transaction
 * with `transaction()` and hand its `tx` to each repository that writes in it.
 */
@Injectable()
export class Sql {
  private readonly pool: pg.Pool;

  constructor(@InjectDataSource() db: DataSource) {
    // PostgresDriver keeps its pg.Pool as `master` (it is typed `any` there).
    this.pool = (db.driver as unknown as { master: pg.Pool }).master;
  }

  async query<R extends pg.QueryResultRow>(text: string, params: unknown[] = []): Promise<R[]> {
    return (await this.pool.query<R>(text, params)).rows;
  }

  /** Runs `fn` in a transaction on one connection; rolls back if it throws. */
  async transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    const tx: SqlClient = {
      query: async <R extends pg.QueryResultRow>(text: string, params: unknown[] = []) =>
        (await client.query<R>(text, params)).rows,
    };
    try {
      await client.query('BEGIN');
      const result = await fn(tx);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }
}
