import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, Length } from 'class-validator';
import { NoNul } from '../../common/validation/no-nul.js';

export class PostMessageDto {
  /** What the user asks the agent to build or change. */
  @ApiProperty({
    minLength: 1,
    maxLength: 1_048_576,
    description:
      'up to 1 048 576 characters; the whole body is read up to BODY_LIMIT_MESSAGE_BYTES (1 MiB)',
    example: 'Build me a landing page for a bakery',
  })
  @IsString()
  @Length(1, 1_048_576)
  @NoNul()
  content!: string;

  /** true → the answer is a `text/event-stream` of the run's events. */
  @ApiPropertyOptional({ default: false, description: 'answer as text/event-stream' })
  @IsOptional()
  @IsBoolean()
  stream?: boolean;
}
