import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, ValidateIf } from 'class-validator';
import { NoNul } from '../../common/validation/no-nul.js';

const MODEL_DOC = {
  type: String,
  nullable: true,
  maxLength: 200,
  example: 'gpt-4o-mini',
  description: 'one of `GET /api/models`; null or absent = the default',
};

/** `POST /api/sessions`. */
export class CreateSessionDto {
  @ApiProperty({ minLength: 1, maxLength: 200, example: 'Personal website' })
  @IsString()
  @Length(1, 200)
  @NoNul()
  title!: string;

  @ApiPropertyOptional(MODEL_DOC)
  @IsOptional()
  @IsString()
  @Length(1, 200)
  model?: string | null;
}

/** `PATCH /api/sessions/{id}`: a title, a model, or both. */
export class UpdateSessionDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 200, example: 'Personal website' })
  // Without a model the title is what is being changed, so it must be there.
  @ValidateIf((o: UpdateSessionDto) => o.title !== undefined || o.model === undefined)
  @IsString()
  @Length(1, 200)
  @NoNul()
  title?: string;

  @ApiPropertyOptional(MODEL_DOC)
  @IsOptional()
  @IsString()
  @Length(1, 200)
  model?: string | null;
}
