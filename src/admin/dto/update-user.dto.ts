import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, ValidateIf } from 'class-validator';
import type { Tier } from '../../config/app-config.js';
import { ROLES, TIERS, type Role } from '../../users/user.entity.js';

/** Absent is fine, but an explicit null is validated (and refused) rather than skipped like IsOptional would. */
const UnlessAbsent = () => ValidateIf((_dto: object, value: unknown) => value !== undefined);

export class UpdateUserDto {
  @ApiPropertyOptional({ enum: TIERS })
  @UnlessAbsent()
  @IsIn(TIERS)
  tier?: Tier;

  @ApiPropertyOptional({ description: 'a disabled user’s tokens stop working at once' })
  @UnlessAbsent()
  @IsBoolean()
  disabled?: boolean;

  @ApiPropertyOptional({ enum: ROLES })
  @UnlessAbsent()
  @IsIn(ROLES)
  role?: Role;
}
