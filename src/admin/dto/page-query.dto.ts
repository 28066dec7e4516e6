import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { digitsToInt, PageQueryDto } from '../../common/http/pagination.js';

/** Admin lists page by cursor like every list, and still take the `offset` they had before cursors. */
export class AdminPageQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ minimum: 0, default: 0, description: 'rows to skip (after `before`)' })
  @IsOptional()
  @Transform(digitsToInt)
  @IsInt()
  @Min(0)
  @Max(2_147_483_647)
  offset?: number;
}
