import { ApiProperty } from '@nestjs/swagger';
import type { ApiKey } from './api-key.entity.js';

/** A key as its owner's list shows it: never the key itself. */
export class ApiKeyView {
  @ApiProperty({ example: 7 })
  id!: number;

  @ApiProperty({ example: 'CI deploy script' })
  name!: string;

  @ApiProperty({ example: 'aeio_3kP9xQ2a', description: '`aeio_` and the first characters' })
  prefix!: string;

  @ApiProperty({ example: '2026-12-03T08:00:00.000Z' })
  created_at!: string;

  @ApiProperty({
    type: String,
    nullable: true,
    example: '2026-12-03T08:05:00.000Z',
    description: 'recorded at most about once a minute',
  })
  last_used_at!: string | null;

  @ApiProperty({ type: String, nullable: true, example: '2027-03-03T08:00:00.000Z' })
  expires_at!: string | null;
}

/** The answer to creating a key: the only time the key is shown. */
export class CreatedApiKeyView {
  @ApiProperty({ example: 7 })
  id!: number;

  @ApiProperty({ example: 'CI deploy script' })
  name!: string;

  @ApiProperty({
    example: 'aeio_3kP9xQ2aVb7…',
    description: 'the key: shown this once, store it now (only a hash is kept)',
  })
  key!: string;

  @ApiProperty({ example: 'aeio_3kP9xQ2a' })
  prefix!: string;

  @ApiProperty({ example: '2026-12-03T08:00:00.000Z' })
  created_at!: string;

  @ApiProperty({ type: String, nullable: true, example: '2027-03-03T08:00:00.000Z' })
  expires_at!: string | null;
}

export const toApiKeyView = (k: ApiKey): ApiKeyView => ({
  id: k.id,
  name: k.name,
  prefix: k.prefix,
  created_at: k.createdAt.toISOString(),
  last_used_at: k.lastUsedAt?.toISOString() ?? null,
  expires_at: k.expiresAt?.toISOString() ?? null,
});

export const toCreatedApiKeyView = (k: ApiKey, key: string): CreatedApiKeyView => ({
  id: k.id,
  name: k.name,
  key,
  prefix: k.prefix,
  created_at: k.createdAt.toISOString(),
  expires_at: k.expiresAt?.toISOString() ?? null,
});
