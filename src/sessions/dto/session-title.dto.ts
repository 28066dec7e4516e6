import { IsString, Length } from 'class-validator';
import { NoNul } from '../../common/validation/no-nul.js';

export class SessionTitleDto {
  @IsString()
  @Length(1, 200)
  @NoNul()
  title!: string;
}
