import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { NoNul } from '../../../common/validation/no-nul.js';

/** Ten years: a longer-lived key is a key nobody remembers to rotate. */
export const MAX_KEY_DAYS = 3650;

/** `POST /api/auth/api-keys`. */
export class CreateApiKeyDto {
  @ApiProperty({ minLength: 1, maxLength: 100, example: 'CI deploy script' })
  @IsString()
  @Length(1, 100)
  @NoNul()
  name!: string;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: MAX_KEY_DAYS,
    example: 90,
    description: 'days until the key stops working; absent = never expires',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_KEY_DAYS)
  expires_in_days?: number;
}
