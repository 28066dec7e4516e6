import { IsString, Length } from 'class-validator';

export class SessionTitleDto {
  @IsString()
  @Length(1, 200)
  title!: string;
}
