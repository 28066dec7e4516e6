import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { NoNul } from '../../common/validation/no-nul.js';

export class SessionTitleDto {
  @ApiProperty({ minLength: 1, maxLength: 200, example: 'Personal website' })
  @IsString()
  @Length(1, 200)
  @NoNul()
  title!: string;
}
