import { ApiProperty } from '@nestjs/swagger';
import type { Session } from './session.entity.js';

export class SessionView {
  @ApiProperty({
    example: '12db3c516aae14608a5013905b8c189f',
    description: '32 lowercase hex chars',
  })
  id!: string;

  @ApiProperty({ example: 'Personal website' })
  title!: string;

  @ApiProperty({
    type: String,
    nullable: true,
    example: null,
    description: 'the model its turns use (`GET /api/models`); null = the default',
  })
  model!: string | null;

  @ApiProperty({ example: '2024-01-15T10:30:00.000Z' })
  created_at!: string;

  @ApiProperty({ example: '2024-01-15T11:00:00.000Z' })
  updated_at!: string;
}

export const toSessionView = (
  s: Pick<Session, 'id' | 'title' | 'model' | 'createdAt' | 'updatedAt'>,
): SessionView => ({
  id: s.id,
  title: s.title,
  model: s.model,
  created_at: s.createdAt.toISOString(),
  updated_at: s.updatedAt.toISOString(),
});
