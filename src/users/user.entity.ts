import { Check, Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { Tier } from '../config/app-config.js';

export const TIERS = ['free', 'pro', 'enterprise'] as const satisfies readonly Tier[];
export const ROLES = ['user', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/**
 * The password hash of a user who has no password (made on first use of an IdP token): not an argon2
 * string, so no password ever verifies against it, and login refuses it before trying.
 */
export const NO_PASSWORD = '!';

@Entity('users')
@Check('users_tier_check', `tier IN ('free', 'pro', 'enterprise')`)
@Check('users_role_check', `role IN ('user', 'admin')`)
export class User {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 50 })
  username!: string;

  @Column({ type: 'varchar', length: 320 })
  email!: string;

  @Column({ name: 'password_hash', type: 'varchar', length: 255, select: false })
  passwordHash!: string;

  @Column({ type: 'varchar', length: 16, default: 'free' })
  tier!: Tier;

  @Column({ type: 'varchar', length: 16, default: 'user' })
  role!: Role;

  @Column({ type: 'boolean', default: false })
  disabled!: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
