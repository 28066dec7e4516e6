import { Injectable } from '@nestjs/common';
import { Sql, type SqlClient } from '../database/sql.service.js';

/** First key of the two-key advisory locks that serialise provisioning one identity ("oidc"). */
const IDENTITY_LOCK_SPACE = 0x6f696463;

/** Every statement on `user_identities`. Plain SQL: a keyed read, an insert, an advisory lock. */
@Injectable()
export class UserIdentitiesRepository {
  constructor(private readonly sql: Sql) {}

  async findUserId(issuer: string, subject: string, tx?: SqlClient): Promise<number | null> {
    const [row] = await (tx ?? this.sql).query<{ user_id: number }>(
      `SELECT user_id FROM user_identities WHERE issuer = $1 AND subject = $2`,
      [issuer, subject],
    );
    return row?.user_id ?? null;
  }

  /** Until the transaction ends, no other transaction provisions this (issuer, subject). */
  async lock(tx: SqlClient, issuer: string, subject: string): Promise<void> {
    await tx.query(`SELECT pg_advisory_xact_lock($1, hashtext($2 || chr(10) || $3))`, [
      IDENTITY_LOCK_SPACE,
      issuer,
      subject,
    ]);
  }

  async insert(tx: SqlClient, issuer: string, subject: string, userId: number): Promise<void> {
    await tx.query(`INSERT INTO user_identities (issuer, subject, user_id) VALUES ($1, $2, $3)`, [
      issuer,
      subject,
      userId,
    ]);
  }
}
