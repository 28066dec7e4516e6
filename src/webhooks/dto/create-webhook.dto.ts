import { ApiProperty } from '@nestjs/swagger';
import { ArrayNotEmpty, ArrayUnique, IsArray, IsIn, IsString, MaxLength } from 'class-validator';
import { NoNul } from '../../common/validation/no-nul.js';
import { WEBHOOK_EVENTS, type WebhookEvent } from '../webhook.entity.js';

/** `POST /api/webhooks`. */
export class CreateWebhookDto {
  @ApiProperty({
    maxLength: 2048,
    example: 'https://example.com/hooks/aeio',
    description:
      'http(s) URL without credentials; its host must resolve to public addresses only ' +
      '(unless WEBHOOK_ALLOW_PRIVATE_TARGETS=true)',
  })
  @IsString()
  @MaxLength(2048)
  @NoNul()
  url!: string;

  @ApiProperty({
    enum: WEBHOOK_EVENTS,
    isArray: true,
    example: ['run.started', 'step.finished', 'run.finished'],
    description: 'a non-empty list of event names, each once',
  })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayUnique()
  @IsString({ each: true })
  @IsIn(WEBHOOK_EVENTS, { each: true })
  events!: WebhookEvent[];
}
