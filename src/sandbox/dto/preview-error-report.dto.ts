import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, MaxLength, Min } from 'class-validator';
import {
  PREVIEW_ERROR_KINDS,
  type PreviewErrorKind,
} from '../preview-errors/preview-error.entity.js';

/** What the preview's injected script posts (as text/plain JSON, so no CORS preflight is needed). */
export class PreviewErrorReportDto {
  @ApiProperty({ enum: PREVIEW_ERROR_KINDS, example: 'error' })
  @IsIn(PREVIEW_ERROR_KINDS)
  kind!: PreviewErrorKind;

  // Generous: the script cuts at 2048 characters and the service cuts again.
  @ApiProperty({ description: 'the error text, cut to 2 KB', example: 'TypeError: x is undefined' })
  @IsString()
  @MaxLength(8192)
  message!: string;

  @ApiProperty({
    type: String,
    nullable: true,
    required: false,
    description: 'script URL',
    example: null,
  })
  @IsOptional()
  @IsString()
  @MaxLength(8192)
  source?: string | null;

  @ApiProperty({ type: 'integer', nullable: true, required: false, example: 12 })
  @IsOptional()
  @IsInt()
  @Min(0)
  line?: number | null;

  @ApiProperty({ type: 'integer', nullable: true, required: false, example: 7 })
  @IsOptional()
  @IsInt()
  @Min(0)
  column?: number | null;

  @ApiProperty({ description: 'the sandbox version the page was served at', example: 3 })
  @IsInt()
  @Min(0)
  version!: number;
}
