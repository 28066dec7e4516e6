import { ApiProperty } from '@nestjs/swagger';
import { IsString } from 'class-validator';

export class WriteFileDto {
  /** The file's text; its UTF-8 size counts against the per-file and per-session limits. */
  @ApiProperty({
    description: 'UTF-8 text; ≤ SANDBOX_MAX_FILE_BYTES bytes',
    example: '<h1>Hello</h1>',
  })
  @IsString()
  content!: string;
}
